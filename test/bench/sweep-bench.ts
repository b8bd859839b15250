/**
 * A sweep of many policies over one scenario and radio: a 2-worker SimPool (both cores) against
 * the same simulations run one after another in this thread, in the same process.
 *
 * For each way of running, the first pass is "cold" (for the pool it includes starting the
 * workers, which load tsx and compile the simulator; for this thread, the JIT warming up on
 * the first simulations) and the following passes are "warm" (same pool, same thread). Warm
 * passes of the different ways are interleaved, round by round.
 */
import type { Policy } from '../../src-main/core/policy/schema.ts';
import type { RadioProfile } from '../../src-main/core/radio/profile.ts';
import type { Metrics } from '../../src-main/core/sim/metrics.ts';
import type { Scenario } from '../../src-main/core/sim/scenario.ts';
import { simulate } from '../../src-main/core/sim/simulator.ts';
import { SimPool } from '../../src-main/node/sim-pool.ts';
import type { SimJob } from '../../src-main/node/sim-worker.ts';
import { median, min, now } from './stats.ts';

export interface SweepBenchOptions {
  /** Pool sizes to measure; 0 = this thread, no pool. */
  modes: readonly number[];
  /** Passes per mode: the first is cold, the rest warm. */
  passes: number;
  seed: number;
}

export interface SweepModeResult {
  workers: number;
  coldMs: number;
  warmMs: number[];
  /** CPU time of the whole process (every thread) during each pass, ms: cold first, then warm. */
  cpuMs: number[];
  /** Pool only: time to terminate the workers. */
  closeMs: number;
}

export interface SweepBenchResult {
  jobs: number;
  modes: SweepModeResult[];
  /** Every mode gave the same metrics for every job. */
  identical: boolean;
  energyRangeJ: [number, number];
  wakeupsRange: [number, number];
  simulatedDays: number;
}

type Digest = Pick<Metrics, 'energyJ' | 'radioWakeups'>;

function digest(ms: readonly { metrics: Metrics }[]): Digest[] {
  return ms.map((r) => ({ energyJ: r.metrics.energyJ, radioWakeups: r.metrics.radioWakeups }));
}

function sameDigests(a: readonly Digest[], b: readonly Digest[]): boolean {
  return a.length === b.length && a.every((x, i) => x.energyJ === b[i]!.energyJ && x.radioWakeups === b[i]!.radioWakeups);
}

function runInThread(jobs: readonly SimJob[]): Digest[] {
  return digest(jobs.map((j) => simulate(j.policy, j.radio, j.scenario, { seed: j.seed, record: j.record })));
}

export async function runSweepBench(
  policies: readonly Policy[],
  radio: RadioProfile,
  scenario: Scenario,
  o: SweepBenchOptions,
  log: (line: string) => void = () => {},
): Promise<SweepBenchResult> {
  const jobs: SimJob[] = policies.map((policy) => ({ policy, radio, scenario, seed: o.seed, record: false }));
  const modes: SweepModeResult[] = [];
  let reference: Digest[] | undefined;
  let identical = true;
  const check = (d: Digest[]): void => {
    if (!reference) reference = d;
    else if (!sameDigests(reference, d)) identical = false;
  };

  // Cold passes, one way of running after the other (pools are started here and kept).
  const pools = new Map<number, SimPool>();
  const results = new Map<number, SweepModeResult>();
  try {
    for (const workers of o.modes) {
      const t0 = now();
      const c0 = process.cpuUsage();
      if (workers === 0) {
        check(runInThread(jobs));
      } else {
        const pool = new SimPool(workers);
        pools.set(workers, pool);
        check(digest(await pool.runAll(jobs)));
      }
      const coldMs = now() - t0;
      results.set(workers, { workers, coldMs, warmMs: [], cpuMs: [cpuSince(c0)], closeMs: 0 });
      log(`  ${label(workers)}, cold pass: ${(coldMs / 1000).toFixed(2)} s`);
    }
    // Warm passes, interleaved (the order rotates each round) so a burst of load from another
    // user of the machine is shared out rather than landing on one way of running.
    for (let p = 1; p < o.passes; p++) {
      for (let k = 0; k < o.modes.length; k++) {
        const workers = o.modes[(k + p - 1) % o.modes.length]!;
        const t0 = now();
        const c0 = process.cpuUsage();
        if (workers === 0) check(runInThread(jobs));
        else check(digest(await pools.get(workers)!.runAll(jobs)));
        const ms = now() - t0;
        results.get(workers)!.warmMs.push(ms);
        results.get(workers)!.cpuMs.push(cpuSince(c0));
        log(`  ${label(workers)}, warm pass ${p}/${o.passes - 1}: ${(ms / 1000).toFixed(2)} s`);
      }
    }
  } finally {
    for (const [workers, pool] of pools) {
      const t0 = now();
      await pool.close();
      const r = results.get(workers);
      if (r) r.closeMs = now() - t0;
    }
  }
  for (const workers of o.modes) modes.push(results.get(workers)!);

  const e = reference!.map((d) => d.energyJ);
  const w = reference!.map((d) => d.radioWakeups);
  return {
    jobs: jobs.length,
    modes,
    identical,
    energyRangeJ: [min(e), Math.max(...e)],
    wakeupsRange: [min(w), Math.max(...w)],
    simulatedDays: (jobs.length * scenario.durationS) / 86400,
  };
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Cores the process kept busy over the warm passes: CPU time / wall time (median over passes). */
export function coresUsed(m: SweepModeResult): number {
  const walls = [m.coldMs, ...m.warmMs];
  const ratios = m.cpuMs.map((c, i) => c / walls[i]!);
  return median(ratios.length > 1 ? ratios.slice(1) : ratios);
}

function label(workers: number): string {
  return workers === 0 ? 'this thread' : `SimPool(${workers})`;
}

export function warmMedian(m: SweepModeResult): number {
  return m.warmMs.length > 0 ? median(m.warmMs) : m.coldMs;
}
