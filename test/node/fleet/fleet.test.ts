// The fleet on loopback sockets at an accelerated time scale, against `runLab` in this process:
// emulated clients come up with their policies, and (issue "live lab") the live estimator's energy
// and wakeups equal the simulator's prediction for the same policy, scenario and radio within 2 %.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPorts } from '../../support/ports.ts';
import { parseFleetConfig } from '../../../src-main/core/fleet/fleet-config.ts';
import { responderPatchOf } from '../../../src-main/core/fleet/policy-map.ts';
import { parseLabConfig } from '../../../src-main/core/live/lab-config.ts';
import { parsePolicy, type Policy } from '../../../src-main/core/policy/schema.ts';
import { simulate } from '../../../src-main/core/sim/simulator.ts';
import { runFleet } from '../../../src-main/node/fleet/run-fleet.ts';
import { runLab } from '../../../src-main/node/live/run-lab.ts';
import { openDatabase } from '../../../src-main/node/store/open.ts';
import { listSessions } from '../../../src-main/node/store/sessions.ts';
import { rawResource, radioProfile, scenario } from '../../support/builtins.ts';
import { cleanupAfterEach } from '../support/loopback.ts';

let base = 0;
beforeAll(async () => void (base = await freeUdpPorts(8)));
const cleanup = cleanupAfterEach();
const SCALE = 100;
const LAB_S = 3600;

function withoutJitter(id: string): Policy {
  const raw = rawResource('presets', id) as { client: Record<string, unknown>; gateway: Record<string, unknown> };
  return parsePolicy({ ...raw, client: { ...raw.client, ikeRekeyJitterS: 0, childRekeyJitterS: 0 }, gateway: { ...raw.gateway, ikeRekeyJitterS: 0, childRekeyJitterS: 0 } });
}

describe('a fleet against the lab, accelerated', () => {
  it(`${SCALE}x for ${LAB_S} lab seconds: every client up, and each one's live estimate within 2 % of the simulation`, { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wakelab-fleet-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const { db } = openDatabase(join(dir, 'lab.db'));
    cleanup(() => void db.close());
    // Two policies with the same gateway half (charon's defaults), so one responder serves both.
    const android = withoutJitter('strongswan-android');
    const ios = withoutJitter('ios-dpd-high');
    expect(android.gateway).toEqual(ios.gateway);
    const radio = radioProfile('lte');
    const lab = await runLab(
      parseLabConfig(
        {
          responder: { listen: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 }, localId: 'gw.wakelab', secrets: [{ id: '*@fleet.wakelab', psk: 'fleet-psk-not-secret' }], pool: '198.18.192.0/18', localTs: ['198.18.100.0/24'], ...responderPatchOf(android.gateway).patch, esp: { ...responderPatchOf(android.gateway).patch.esp, proposals: ['aes128gcm16'] } },
          radio: 'lte',
          commitEveryS: 0.2,
          timeScale: SCALE,
        },
        'lab',
        () => ({ value: null, label: '' }),
      ),
      { db, radio: (id) => ({ profile: radioProfile(id), json: '{}' }) },
    );
    let labStopped = false;
    cleanup(async () => void (labStopped || (await lab.stop())));
    const cfg = parseFleetConfig({
      psk: 'fleet-psk-not-secret',
      timeScale: SCALE,
      startWithinS: 5,
      local: { firstPort: base + 2 },
      groups: [
        { name: 'android', policy: 'strongswan-android', count: 2 },
        { name: 'ios', policy: 'ios-dpd-high', count: 2 },
      ],
    });
    const fleet = await runFleet(cfg, { policies: new Map([['android', android], ['ios', ios]]), server: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 } });
    let fleetStopped = false;
    cleanup(async () => void (fleetStopped || (await fleet.stop())));
    const t0 = lab.now();
    await new Promise((r) => setTimeout(r, ((LAB_S + 10) * 1000) / SCALE));
    expect(fleet.status().map((g) => [g.group, g.up])).toEqual([['android', 2], ['ios', 2]]);
    const totals = lab.totals();
    fleetStopped = true;
    await fleet.stop();
    labStopped = true;
    await lab.stop();

    expect(totals).toHaveLength(4);
    for (const [group, policy] of [['android', android], ['ios', ios]] as const) {
      for (const t of totals.filter((x) => x.client.startsWith(`${group}-`))) {
        // The simulation of the same span the live meter covered: from the client's first packet.
        const span = t.connectedS;
        expect(span).toBeGreaterThan(LAB_S - 10);
        const sim = simulate(policy, radio, scenario('idle', { durationS: span, rttS: 0.1 }), { seed: 1 }).metrics;
        const wakeups = Object.values(t.wakeups).reduce((a, b) => a + b, 0);
        const msg = `${t.client}: live ${t.totalJ.toFixed(1)} J, ${wakeups - 1} wakeups after the set-up; simulated ${sim.radioEnergyJ.toFixed(1)} J, ${sim.radioWakeups}`;
        expect(Math.abs(t.totalJ - sim.radioEnergyJ) / sim.radioEnergyJ, msg).toBeLessThan(0.02);
        expect(Math.abs(wakeups - 1 - sim.radioWakeups) / sim.radioWakeups, msg).toBeLessThan(0.02);
      }
    }
    expect(lab.now() - t0).toBeGreaterThan(LAB_S);
    // Each client's session is in the database, the lab stopped cleanly.
    const sessions = listSessions(db, { limit: 10, labId: lab.labId });
    expect(sessions.map((s) => s.client).sort()).toEqual(['android-1@fleet.wakelab', 'android-2@fleet.wakelab', 'ios-1@fleet.wakelab', 'ios-2@fleet.wakelab']);
    for (const s of sessions) expect(s.labStoppedAt).not.toBeNull();
  });
});
