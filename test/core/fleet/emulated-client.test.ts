// The emulated libipsec-style client against the Gateway in memory: platform alarms, the
// keepalive-to-DPD margin, reconnects after a failure, background data.
import { describe, expect, it } from 'vitest';
import { alarmTime } from '../../../src-main/core/fleet/alarms.ts';
import type { IkeEvent } from '../../../src-main/core/ike/io.ts';
import { policyWith, preset, radioProfile } from '../../support/builtins.ts';
import { FleetNet } from './support/fleet-net.ts';

type Traffic = Extract<IkeEvent, { kind: 'traffic' }>;
const traffic = (net: FleetNet, pred: (t: Traffic) => boolean) =>
  net.gatewayEvents.filter((e): e is { t: number; event: Traffic } => e.event.kind === 'traffic' && pred(e.event));

describe('platform alarms', () => {
  const p = { alarms: 'inexact' as const, sleepIntervalS: 300, wakelockMaxS: 3 };
  it('moves an inexact alarm to the next maintenance window, keeps wake-lock timers and exact alarms on time', () => {
    expect(alarmTime(p, 345, 300)).toBe(600);
    expect(alarmTime(p, 600, 300)).toBe(600);
    expect(alarmTime(p, 302, 300)).toBe(302); // within the wake lock
    expect(alarmTime({ ...p, alarms: 'exact' }, 345, 300)).toBe(345);
    expect(alarmTime(p, Infinity, 0)).toBe(Infinity);
  });
});

describe('the emulated client', () => {
  it('sends keepalives every keepaliveS of silence, each one a datagram the gateway charges to the client', () => {
    const policy = preset('strongswan-android');
    const net = new FleetNet({ gatewayPolicy: policy, members: [{ policy }], radio: radioProfile('lte'), oneWayS: 0.05 });
    net.start(0);
    net.run(1000);
    const ka = traffic(net, (t) => t.cls === 'keepalive');
    expect(ka.length).toBe(Math.floor(1000 / 45));
    for (const e of ka) expect(e.event.sa).toMatch(/_/); // attributed to the client's IKE SA
    const gaps = ka.slice(1).map((e, i) => e.t - ka[i]!.t);
    for (const g of gaps) expect(g).toBeCloseTo(45, 6);
    expect(net.clients[0]!.counters.keepalives).toBe(ka.length);
  });

  it('on inexact alarms, keepalives wait for the maintenance window, and past the margin a DPD goes instead', () => {
    const policy = policyWith({ client: { keepaliveS: 45, keepaliveDpdMarginS: 20, alarms: 'inexact', sleepIntervalS: 300, wakelockMaxS: 3, dpdDelayS: 0 } });
    const net = new FleetNet({ gatewayPolicy: policy, members: [{ policy }], radio: radioProfile('lte'), oneWayS: 0.05 });
    net.start(0);
    net.run(3001);
    const fromClient = traffic(net, (t) => t.dir === 'in' && (t.cls === 'keepalive' || (t.cls === 'dpd' && t.request === true)));
    expect(fromClient.length).toBeGreaterThan(5);
    // Everything after the set-up leaves in a window: a multiple of 300 s, plus the 50 ms way.
    for (const e of fromClient) expect(((e.t - 0.05) % 300 + 300) % 300).toBeCloseTo(0, 6);
    // 300 s of silence is past 45 + 20: charon's margin rule sends a DPD rather than a keepalive.
    expect(fromClient.every((e) => e.event.cls === 'dpd')).toBe(true);
    expect(net.clients[0]!.counters.dpdsInsteadOfKeepalive).toBe(fromClient.length);
  });

  it('reconnects after its DPD fails, retrying with a doubling wait until the gateway is back', () => {
    const policy = policyWith({ client: { keepaliveS: 0, dpdDelayS: 60, retransmit: { timeoutS: 1, base: 1, tries: 3, jitterPct: 0, limitS: 0 }, reconnect: { mode: 'retry', delayS: 0, retryS: 30, maxRetryS: 600 } } });
    const net = new FleetNet({ gatewayPolicy: policy, members: [{ policy }], radio: radioProfile('lte'), oneWayS: 0.05 });
    net.start(0);
    net.run(100);
    expect(net.clients[0]!.state).toBe('up');
    net.gatewayGone = true;
    net.run(400);
    expect(net.clients[0]!.state).toBe('down');
    expect(net.clients[0]!.counters.failures).toBeGreaterThanOrEqual(3); // the DPD, then attempts
    net.gatewayGone = false;
    net.run(1200);
    const c = net.clients[0]!;
    expect(c.state).toBe('up');
    expect(c.counters.reconnects).toBeGreaterThanOrEqual(3);
    const ups = net.gatewayEvents.filter((e) => e.event.kind === 'ike-up');
    expect(ups).toHaveLength(2);
    // The new IKE SA is charged to the same client, with a reconnect wakeup of its own.
    const [total] = net.estimator.totals(1200);
    expect(total!.wakeups.reconnect).toBeGreaterThanOrEqual(2);
  });

  it('sends background data to the virtual host through ESP and gets the echoes back', () => {
    const policy = preset('strongswan-android');
    const net = new FleetNet({ gatewayPolicy: policy, members: [{ policy, traffic: { kind: 'periodic', everyS: 60, bytes: 200, echo: true } }], radio: radioProfile('lte'), oneWayS: 0.05 });
    net.start(0);
    net.run(610);
    const c = net.clients[0]!;
    expect(c.counters.dataSent).toBe(10);
    expect(c.counters.dataReplies).toBe(10);
    expect(net.gateway.host.counters.udpEchoReplies).toBe(10);
    expect(traffic(net, (t) => t.cls === 'data' && t.dir === 'in')).toHaveLength(10);
    // Data every 60 s still leaves 45 s of silence before each datagram: keepalives go in between.
    expect(traffic(net, (t) => t.cls === 'keepalive').length).toBeGreaterThan(0);
  });

  it('stops: deletes its IKE SA and sets no more timers', () => {
    const policy = preset('strongswan-android');
    const net = new FleetNet({ gatewayPolicy: policy, members: [{ policy }], radio: radioProfile('lte'), oneWayS: 0.05 });
    net.start(0);
    net.run(10);
    net.clients[0]!.stop(net.now);
    net.run(20);
    expect(net.gatewayEvents.some((e) => e.event.kind === 'ike-down' && e.event.reason === 'deleted-by-peer')).toBe(true);
    expect(net.clients[0]!.nextDeadline()).toBe(Infinity);
  });
});
