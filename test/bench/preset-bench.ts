/** One 24 h simulation of each shipped preset, in this thread: milliseconds per simulated day. */
import type { Policy } from '../../src-main/core/policy/schema.ts';
import type { RadioProfile } from '../../src-main/core/radio/profile.ts';
import type { Scenario } from '../../src-main/core/sim/scenario.ts';
import { simulate } from '../../src-main/core/sim/simulator.ts';
import { median, min, now } from './stats.ts';

export interface PresetBenchRow {
  id: string;
  firstMs: number;
  runsMs: number[];
  msPerDayMedian: number;
  msPerDayMin: number;
  radioWakeups: number;
  energyJ: number;
}

export function runPresetBench(
  presets: readonly { id: string; policy: Policy }[],
  radio: RadioProfile,
  scenario: Scenario,
  o: { warmup: number; runs: number; seed: number },
): PresetBenchRow[] {
  const days = scenario.durationS / 86400;
  // Warm the simulator's code on every preset first, so the first row is not the JIT's cost alone.
  const first = new Map<string, number>();
  for (const { id, policy } of presets) {
    const t0 = now();
    simulate(policy, radio, scenario, { seed: o.seed });
    first.set(id, now() - t0);
  }
  for (let w = 1; w < o.warmup; w++) for (const { policy } of presets) simulate(policy, radio, scenario, { seed: o.seed });
  return presets.map(({ id, policy }) => {
    const runsMs: number[] = [];
    let last;
    for (let r = 0; r < o.runs; r++) {
      const t0 = now();
      last = simulate(policy, radio, scenario, { seed: o.seed });
      runsMs.push(now() - t0);
    }
    return {
      id,
      firstMs: first.get(id)!,
      runsMs,
      msPerDayMedian: median(runsMs) / days,
      msPerDayMin: min(runsMs) / days,
      radioWakeups: last!.metrics.radioWakeups,
      energyJ: last!.metrics.energyJ,
    };
  });
}
