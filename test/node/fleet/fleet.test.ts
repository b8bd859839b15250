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
import { listSessions, sessionEvents } from '../../../src-main/node/store/sessions.ts';
import { rawResource, radioProfile, scenario } from '../../support/builtins.ts';
import { cleanupAfterEach } from '../support/loopback.ts';

let base = 0;
beforeAll(async () => void (base = await freeUdpPorts(8)));
const cleanup = cleanupAfterEach();
const SCALE = 75;
const LAB_S = 2700;

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
    // strongSwan's Android app: one timer (the keepalive) decides its wakeups. A policy with two
    // independent timers (iOS: client DPD and offloaded keepalives) can gain or lose one chance
    // meeting of the two per half hour when a loaded machine delays a datagram by a fraction of a
    // second (tens of lab seconds here); those are compared with exact timing in memory
    // (test/core/fleet/cross-validation.test.ts).
    const android = withoutJitter('strongswan-android');
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
        { name: 'phone', policy: 'strongswan-android', count: 2 },
      ],
    });
    const fleet = await runFleet(cfg, { policies: new Map([['android', android], ['phone', android]]), server: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 } });
    let fleetStopped = false;
    cleanup(async () => void (fleetStopped || (await fleet.stop())));
    const t0 = lab.now();
    await new Promise((r) => setTimeout(r, ((LAB_S + 10) * 1000) / SCALE));
    expect(fleet.status().map((g) => [g.group, g.up])).toEqual([['android', 2], ['phone', 2]]);
    const tEnd = lab.now();
    const totals = lab.estimator.totals(tEnd);
    fleetStopped = true;
    await fleet.stop();
    labStopped = true;
    await lab.stop();

    expect(totals).toHaveLength(4);
    const sessions = listSessions(db, { limit: 10, labId: lab.labId });
    {
      const policy = android;
      for (const t of totals) {
        // The simulated client starts with its SA up at 0: the same span of the live client, from its
        // ike-up (a loaded machine may stretch the handshake) to the moment the totals were taken.
        const session = sessions.find((s) => s.client === t.client)!;
        const upS = sessionEvents(db, session.id).find((e) => e.kind === 'ike-up')!.tS;
        const span = tEnd - upS;
        expect(span).toBeGreaterThan(LAB_S - 10);
        const sim = simulate(policy, radio, scenario('idle', { durationS: span, rttS: 0.1 }), { seed: 1 }).metrics;
        // The simulated client starts with its SA up: the set-up's wakeup (charged to reconnect) is
        // the live run's own.
        expect(t.wakeups.reconnect).toBe(1);
        const wakeups = Object.values(t.wakeups).reduce((a, b) => a + b, 0) - 1;
        const energy = t.totalJ - t.energyJ.reconnect;
        const msg = `${t.client}: live ${energy.toFixed(1)} J, ${wakeups} wakeups after the set-up; simulated ${sim.radioEnergyJ.toFixed(1)} J, ${sim.radioWakeups}`;
        expect(Math.abs(energy - sim.radioEnergyJ) / sim.radioEnergyJ, msg).toBeLessThan(0.02);
        expect(Math.abs(wakeups - sim.radioWakeups) / sim.radioWakeups, msg).toBeLessThan(0.02);
      }
    }
    expect(lab.now() - t0).toBeGreaterThan(LAB_S);
    // Each client's session is in the database, the lab stopped cleanly.
    expect(sessions.map((s) => s.client).sort()).toEqual(['android-1@fleet.wakelab', 'android-2@fleet.wakelab', 'phone-1@fleet.wakelab', 'phone-2@fleet.wakelab']);
    for (const s of sessions) expect(s.labStoppedAt).not.toBeNull();
  });
});
