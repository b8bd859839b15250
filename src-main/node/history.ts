/**
 * Stored comparisons back as comparison views. Metrics come from the database; the radio-state
 * timelines are not stored, so they are rebuilt by simulating each run's first minutes again
 * with its stored definitions and seed (the simulator is deterministic, and what happens before
 * a time does not depend on how long the run goes on after it).
 */
import type { CompareView } from '../contract.ts';
import { WakeLabError } from '../core/errors.ts';
import { detectionForRanking } from '../core/sim/compare.ts';
import { simulate } from '../core/sim/simulator.ts';
import { eventWarnings, type LabService } from './lab-service.ts';

export function reopenComparison(service: LabService, id: number, timelineS: number): CompareView {
  const c = service.getComparison(id);
  if (!c) throw new WakeLabError('NOT_FOUND', `there is no comparison ${id} (it may have been deleted)`);
  const runs = c.runs.map((s) => {
    const r = service.getRun(s.id);
    if (!r) throw new WakeLabError('NOT_FOUND', `run ${s.id} of comparison ${id} is missing`);
    return r;
  });
  const first = runs[0];
  if (!first) throw new WakeLabError('NOT_FOUND', `comparison ${id} has no runs`);
  return {
    comparisonId: c.id,
    createdAt: c.createdAt,
    radio: first.radio,
    scenario: first.scenario,
    seed: c.seed,
    warnings: eventWarnings(first.scenario),
    runs: runs.map((r) => {
      const detection = detectionForRanking(r.policy, r.metrics);
      const untilS = Math.min(timelineS, r.scenario.durationS);
      const prefix = { ...r.scenario, durationS: untilS };
      return {
        runId: r.id,
        policy: r.policy,
        metrics: r.metrics,
        detectionS: Number.isFinite(detection) ? detection : null,
        pareto: r.pareto ?? false,
        timeline: simulate(r.policy, r.radio, prefix, { seed: r.seed, timelineS: untilS }).timeline,
      };
    }),
  };
}
