/**
 * When a libipsec-style client's timer really fires on the phone (strongswan-behaviour.md, the
 * strongSwan Android app; the simulator's client does the same, sim/client.ts `schedule`):
 *
 * - a timer due within `wakelockMaxS` runs under a wake lock: on time;
 * - otherwise an exact alarm (AlarmManager.setExactAndAllowWhileIdle) fires on time;
 * - an inexact alarm waits for the next maintenance window, every `sleepIntervalS` (Doze).
 *
 * Windows are counted from time 0 of the caller's clock.
 */
import type { ClientPolicy } from '../policy/schema.ts';

/** Slack for float comparisons, s (as sim/time.ts). */
const EPS = 1e-9;

export type AlarmPolicy = Pick<ClientPolicy, 'alarms' | 'sleepIntervalS' | 'wakelockMaxS'>;

export function alarmTime(p: AlarmPolicy, due: number, now: number): number {
  if (!Number.isFinite(due) || due - now <= p.wakelockMaxS || p.alarms === 'exact') return due;
  const s = p.sleepIntervalS;
  return Math.ceil(due / s - EPS) * s;
}
