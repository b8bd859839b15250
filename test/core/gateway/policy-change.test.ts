// The gateway's policy changed while it runs (the live lab's controls): DPD delay and the
// gateway's own keepalives, applied to existing SAs at their next timer, each change an event.
import { describe, expect, it } from 'vitest';
import type { IkeEvent } from '../../../src-main/core/ike/io.ts';
import { policyWith, radioProfile } from '../../support/builtins.ts';
import { FleetNet } from '../fleet/support/fleet-net.ts';

type Traffic = Extract<IkeEvent, { kind: 'traffic' }>;
const sent = (net: FleetNet, cls: string, from = 0) =>
  net.gatewayEvents.filter((e) => e.t >= from && e.event.kind === 'traffic' && e.event.dir === 'out' && (e.event as Traffic).cls === cls && (e.event as Traffic).request !== false).map((e) => e.t);

function lab(gateway: Record<string, unknown>) {
  // A quiet client: no keepalives, no DPD, no rekeys of its own.
  const client = policyWith({ client: { keepaliveS: 0, dpdDelayS: 0, ikeRekeyS: 0, childRekeyS: 0 }, gateway });
  const net = new FleetNet({ gatewayPolicy: client, members: [{ policy: client }], radio: radioProfile('lte'), oneWayS: 0.05 });
  net.start(0);
  return net;
}

describe('changing the gateway policy while running', () => {
  it('moves the next DPD of an existing SA to the new delay, and turning DPD off stops it', () => {
    const net = lab({ dpdDelayS: 300, ikeRekeyS: 0, childRekeyS: 0 });
    net.run(100);
    expect(sent(net, 'dpd')).toEqual([]);
    net.gateway.updatePolicy(net.now, { dpd: { delayS: 20 } });
    net.run(200);
    const dpds = sent(net, 'dpd');
    // The last inbound packet was the set-up at about 0.1 s: the first check is due at once (now),
    // then every 20 s after each answer.
    expect(dpds[0]).toBeCloseTo(100, 6);
    expect(dpds.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < dpds.length; i++) expect(dpds[i]! - dpds[i - 1]!).toBeCloseTo(20.1, 1);
    const change = net.gatewayEvents.find((e) => e.event.kind === 'policy-changed');
    expect(change?.event).toEqual({ kind: 'policy-changed', changes: { dpd: { delayS: 20 } } });
    net.gateway.updatePolicy(net.now, { dpd: { delayS: 0 } });
    const at = net.now;
    net.run(600);
    expect(sent(net, 'dpd', at + 1)).toEqual([]);
  });

  it('sends its own keepalives to a client behind a NAT after keepaliveS of silence, at the interval set while running', () => {
    const net = lab({ dpdDelayS: 0, ikeRekeyS: 0, childRekeyS: 0 });
    net.run(100);
    expect(sent(net, 'keepalive')).toEqual([]);
    net.gateway.updatePolicy(net.now, { keepaliveS: 30 });
    net.run(400);
    const ka = sent(net, 'keepalive');
    // Nothing was sent to the client since the set-up: the first one is due at once.
    expect(ka[0]).toBeCloseTo(100, 6);
    for (let i = 1; i < ka.length; i++) expect(ka[i]! - ka[i - 1]!).toBeCloseTo(30, 6);
    expect(ka.length).toBe(11);
    // The client's radio pays for them: downlink keepalives are its wakeups.
    const [total] = net.estimator.totals(400);
    expect(total!.wakeups.keepalive).toBe(11);
    net.gateway.updatePolicy(net.now, { keepaliveS: 0 });
    const at = net.now;
    net.run(800);
    expect(sent(net, 'keepalive', at + 1)).toEqual([]);
  });
});
