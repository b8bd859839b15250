/** A worker thread of SimPool: runs one simulation per message. */
import { parentPort } from 'node:worker_threads';
import { WakeLabError } from '../core/errors.ts';
import type { Policy } from '../core/policy/schema.ts';
import type { RadioProfile } from '../core/radio/profile.ts';
import type { Scenario } from '../core/sim/scenario.ts';
import { simulate } from '../core/sim/simulator.ts';

export interface SimJob {
  policy: Policy;
  radio: RadioProfile;
  scenario: Scenario;
  seed: number;
  record: boolean;
  /** Radio-state timeline of the first this-many seconds (0: none). */
  timelineS?: number;
}

parentPort?.on('message', ({ id, job }: { id: number; job: SimJob }) => {
  try {
    const r = simulate(job.policy, job.radio, job.scenario, { seed: job.seed, record: job.record, timelineS: job.timelineS });
    parentPort!.postMessage({ id, ok: true, result: r });
  } catch (e) {
    const code = e instanceof WakeLabError ? e.code : undefined;
    parentPort!.postMessage({ id, ok: false, error: { message: (e as Error).message, code } });
  }
});
