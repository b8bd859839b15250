/**
 * The numbers a run reports (README, "Metrics"). Energy is radio plus application-processor
 * energy, charged by cause; rates are per hour of simulated time.
 */
import { byCause, CAUSES, type Cause } from '../causes.ts';

export interface Metrics {
  durationS: number;
  /** Radio plus processor energy over the run, J. */
  energyJ: number;
  energyJPerHour: number;
  avgPowerMw: number;
  /** Share of the battery (scenario.device) this run's average power drains in 24 h, %. */
  batteryPctPerDay: number;
  energyByCause: Record<Cause, number>;
  radioEnergyJ: number;
  apEnergyJ: number;
  radioWakeups: number;
  radioWakeupsPerHour: number;
  radioWakeupsByCause: Record<Cause, number>;
  apWakeups: number;
  apWakeupsPerHour: number;
  apWakeupsByCause: Record<Cause, number>;
  /** Share of the run during which the client held an established IKE_SA. */
  connectedFraction: number;
  natMappingLosses: number;
  /** New IKE_SAs the client established after a failure, and how many attempts that took. */
  reconnects: number;
  reconnectAttempts: number;
  /**
   * Time from a peer vanishing to the other side declaring it dead, s. null where the scenario has
   * no such event for that side, or the side never noticed (then `detected` says false).
   */
  detectionLatencyS: { gateway: number | null; client: number | null };
  detected: { gateway: boolean | null; client: boolean | null };
  /** Time during which a packet from the gateway would not have reached the client, s. */
  unreachableS: number;
  /** Delay the radio added to the first packet of each data burst. */
  promotionDelay: { bursts: number; meanS: number; maxS: number };
  lostPackets: { uplink: number; downlink: number };
  /** Simulator events processed (for progress and benchmarks). */
  events: number;
}

/** Rounds to 9 significant digits, so JSON output is tidy and identical across runs. */
export function tidy(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(9));
}

export function causeRecord(values: ArrayLike<number>): Record<Cause, number> {
  const r = byCause(values);
  for (const c of CAUSES) r[c] = tidy(r[c]);
  return r;
}

export function sumArrays(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}
