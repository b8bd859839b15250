// The Electron build bundles the simulation worker (electron.vite.config.ts, input sim-worker):
// SimPool must run jobs on it exactly as on the tsx-loaded worker. `npm test` builds first.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src-main/core/sim/simulator.ts';
import { SimPool } from '../../src-main/node/sim-pool.ts';
import { preset, radioProfile, scenario } from '../support/builtins.ts';

const bundled = new URL('../../out/main/sim-worker.js', import.meta.url);
const built = existsSync(fileURLToPath(bundled));

describe.skipIf(!built)('bundled simulation worker (out/main/sim-worker.js; skipped until npm run build made it)', () => {
  it('gives the same metrics as simulating in this thread', async () => {
    const job = { policy: preset('strongswan-android'), radio: radioProfile('lte'), scenario: scenario('idle', { durationS: 7200 }), seed: 1, record: false, timelineS: 300 };
    const pool = new SimPool(1, bundled);
    try {
      const [r] = await pool.runAll([job]);
      const here = simulate(job.policy, job.radio, job.scenario, { seed: 1, timelineS: 300 });
      expect(r!.metrics).toEqual(here.metrics);
      expect(r!.timeline).toEqual(here.timeline);
    } finally {
      await pool.close();
    }
  });
});
