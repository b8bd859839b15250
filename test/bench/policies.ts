/**
 * 1000 distinct policies for the sweep benchmark, made deterministically from the
 * strongswan-android preset by varying the settings a sweep would explore:
 *   client.keepaliveS     10, 17, 24, ... 297 (42 values, step 7)
 *   gateway.dpdDelayS     0, 30, 120, 600
 *   client.keepaliveOffload  false, true
 *   client.alarms         exact (sleepIntervalS 0), inexact with sleepIntervalS 300 or 900
 * 42 x 4 x 2 x 3 = 1008 combinations; policy i takes keepalive i mod 42 and combination
 * floor(i / 42), so the first n policies are distinct for every n up to 1008.
 */
import type { Policy } from '../../src-main/core/policy/schema.ts';
import { parsePolicy } from '../../src-main/core/policy/schema.ts';
import { readJson } from './resources.ts';

export const KEEPALIVES_S: readonly number[] = Array.from({ length: 42 }, (_, k) => 10 + 7 * k);
export const GATEWAY_DPD_S: readonly number[] = [0, 30, 120, 600];
export const OFFLOAD: readonly boolean[] = [false, true];
export const ALARMS: readonly { alarms: 'exact' | 'inexact'; sleepIntervalS: number }[] = [
  { alarms: 'exact', sleepIntervalS: 0 },
  { alarms: 'inexact', sleepIntervalS: 300 },
  { alarms: 'inexact', sleepIntervalS: 900 },
];
export const MAX_POLICIES = KEEPALIVES_S.length * GATEWAY_DPD_S.length * OFFLOAD.length * ALARMS.length;

interface RawPolicy {
  id: string;
  name: string;
  description?: string;
  client: Record<string, unknown>;
  gateway: Record<string, unknown>;
  [k: string]: unknown;
}

/** The raw (unparsed) variant i of the base preset. */
export function policyVariant(base: RawPolicy, i: number): RawPolicy {
  if (!Number.isInteger(i) || i < 0 || i >= MAX_POLICIES) throw new RangeError(`policy variant ${i} is out of range`);
  const ka = KEEPALIVES_S[i % KEEPALIVES_S.length]!;
  let c = Math.floor(i / KEEPALIVES_S.length);
  const dpd = GATEWAY_DPD_S[c % GATEWAY_DPD_S.length]!;
  c = Math.floor(c / GATEWAY_DPD_S.length);
  const offload = OFFLOAD[c % OFFLOAD.length]!;
  c = Math.floor(c / OFFLOAD.length);
  const alarms = ALARMS[c]!;
  const p = structuredClone(base);
  p.id = `${base.id}-bench-${i}`;
  p.name = `${base.name} (ka ${ka} s, gw dpd ${dpd} s, ${offload ? 'offload' : 'app'}, ${alarms.alarms}${alarms.sleepIntervalS ? ` ${alarms.sleepIntervalS} s` : ''})`;
  p.client = { ...p.client, keepaliveS: ka, keepaliveOffload: offload, alarms: alarms.alarms, sleepIntervalS: alarms.sleepIntervalS };
  p.gateway = { ...p.gateway, dpdDelayS: dpd };
  return p;
}

/** n parsed policies (each passes parsePolicy; parse errors propagate). */
export function benchPolicies(n: number, baseId = 'strongswan-android'): Policy[] {
  if (n > MAX_POLICIES) throw new RangeError(`at most ${MAX_POLICIES} distinct policies (asked for ${n})`);
  const base = readJson(`presets/${baseId}.json`) as RawPolicy;
  return Array.from({ length: n }, (_, i) => parsePolicy(policyVariant(base, i), `bench policy ${i}`));
}

/** A key of the settings that matter to the simulation (everything but id, name, description, sources). */
export function behaviourKey(p: Policy): string {
  return JSON.stringify([p.client, p.gateway]);
}
