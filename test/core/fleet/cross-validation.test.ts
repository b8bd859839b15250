// Cross-validation (issue "live lab"): for the same policy, scenario and radio profile, the live
// estimator's energy and wakeup counts over a run of emulated clients against the Gateway equal the
// simulator's prediction within 2 %. In memory on a virtual clock here; test/node/fleet repeats it
// on loopback sockets at an accelerated time scale.
//
// The simulated client starts with its SA up; the live client first sets it up (IKE_SA_INIT and
// IKE_AUTH), which opens one radio wakeup of its own, charged to `reconnect`: the live counts and
// energy less that wakeup are compared.
// Rekey jitter is set to 0 on both sides so that both runs rekey at the same moments (their random
// sources differ).
import { describe, expect, it } from 'vitest';
import { parsePolicy, type Policy } from '../../../src-main/core/policy/schema.ts';
import { simulate } from '../../../src-main/core/sim/simulator.ts';
import { rawResource, radioProfile, scenario } from '../../support/builtins.ts';
import { FleetNet } from './support/fleet-net.ts';

const HOURS = 4;

function withoutJitter(id: string): Policy {
  const raw = rawResource('presets', id) as { client: Record<string, unknown>; gateway: Record<string, unknown> };
  return parsePolicy({ ...raw, client: { ...raw.client, ikeRekeyJitterS: 0, childRekeyJitterS: 0 }, gateway: { ...raw.gateway, ikeRekeyJitterS: 0, childRekeyJitterS: 0, dpdDeferMaxS: 0 } });
}

const within2pct = (live: number, sim: number) => expect(Math.abs(live - sim) / sim, `live ${live} vs simulated ${sim}`).toBeLessThan(0.02);

describe('live estimator against the simulator', () => {
  const cases: [string, string][] = [
    ['strongswan-android', 'lte'],
    ['charon-dpd30', 'lte'],
    ['ios-dpd-high', 'lte'],
    ['battery-lean', 'nr-sa'],
  ];
  it.each(cases)(`%s on %s, idle, ${HOURS} h: energy and wakeups within 2 percent`, (id, radioId) => {
    const policy = withoutJitter(id);
    const radio = radioProfile(radioId);
    const durationS = HOURS * 3600;
    // The idle scenario with a NAT that keepalives keep open and the loopback-free 100 ms round trip.
    const sc = scenario('idle', { durationS, rttS: 0.1 });
    const sim = simulate(policy, radio, sc, { seed: 1 }).metrics;

    const net = new FleetNet({ gatewayPolicy: policy, members: [{ policy }, { policy }], radio, oneWayS: sc.rttS / 2 });
    net.start(0);
    net.start(1);
    net.run(durationS + 1);
    const totals = net.estimator.totals(durationS + 1);
    expect(totals).toHaveLength(2);
    for (const live of totals) {
      const wakeups = Object.values(live.wakeups).reduce((a, b) => a + b, 0);
      expect(live.wakeups.reconnect).toBe(1); // the set-up, and no reconnect after it
      within2pct(live.totalJ - live.energyJ.reconnect, sim.radioEnergyJ);
      within2pct(wakeups - 1, sim.radioWakeups);
      // The same causes: keepalives and liveness checks as the simulation charged them.
      within2pct(live.wakeups.keepalive + live.wakeups.dpd, sim.radioWakeupsByCause.keepalive + sim.radioWakeupsByCause.dpd);
      expect(live.connectedS).toBeCloseTo(durationS + 1, 0);
    }
    expect(net.estimator.unattributed).toBe(0);
  });
});
