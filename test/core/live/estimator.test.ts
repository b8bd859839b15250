// The live estimator on a whole Gateway session (in memory): wakeups charged to the right causes,
// the same radio energy as the model fed directly with what crossed the wire, one client across
// rekeys, handshake packets charged once the client is known.
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../../src-main/core/causes.ts';
import { LiveEstimator } from '../../../src-main/core/live/estimator.ts';
import { RadioModel } from '../../../src-main/core/radio/radio-model.ts';
import { decodeMessage } from '../../../src-main/core/ike/wire/message.ts';
import { radioProfile } from '../../support/builtins.ts';
import { Tunnel } from '../gateway/support/tunnel.ts';

const LTE = radioProfile('lte');

/** A session on the Gateway, its events fed to an estimator as they come. */
function session(gateway: Record<string, unknown>, untilS: number) {
  const t = Tunnel.up({ gateway });
  t.run(untilS);
  const est = new LiveEstimator({ profileFor: () => LTE });
  const wakeups = [];
  const closed = [];
  for (const e of t.events.filter((x) => x.by === 'r')) {
    const o = est.onEvent(e.t, e.event);
    expect(o.wakeups).toEqual([]); // reported by advance (client-meter.ts)
    closed.push(...o.closed);
  }
  // As the lab does every second: here once, at the end.
  const moved = est.advance(untilS);
  wakeups.push(...moved.wakeups);
  closed.push(...moved.closed);
  return { t, est, wakeups, closed };
}

describe('the live estimator', () => {
  it('charges a quiet tunnel with DPD every 30 s: one setup wakeup, then one wakeup per liveness check', () => {
    const { t, est, wakeups } = session({ dpd: { delayS: 30 } }, 300);
    const dpdRequests = t.wire.filter((w) => {
      const d = decodeMessage(w.send.bytes, { natt: true });
      return w.by === 'r' && d.kind === 'ike' && d.header.exchangeType === 37 && !d.header.response;
    });
    expect(dpdRequests.length).toBeGreaterThanOrEqual(8);
    expect(wakeups.map((w) => w.cause)).toEqual(['reconnect', ...dpdRequests.map(() => 'dpd')]);
    expect(wakeups.slice(1).map((w) => w.t)).toEqual(dpdRequests.map((w) => w.t));
    const [total] = est.totals(300);
    expect(total!.client).toBe('cli.wakelab');
    expect(total!.wakeups.dpd).toBe(dpdRequests.length);
    expect(total!.packetsIn + total!.packetsOut).toBe(t.wire.length);
  });

  it('gives the same energy as a RadioModel fed straight from the wire', () => {
    const { t, est } = session({ dpd: { delayS: 20 }, esp: { proposals: ['aes128gcm16'], rekeyS: 95, replayWindow: 128, backend: 'noble' } }, 400);
    const direct = new RadioModel(LTE, { startS: 0 });
    for (const w of t.wire) {
      const d = decodeMessage(w.send.bytes, { natt: w.send.to.port === 4500 || w.send.from.port === 4500 });
      const x = d.kind === 'ike' ? d.header.exchangeType : 0;
      // Causes by exchange type alone (a Delete after a rekey falls inside the rekey's tail here, so
      // it opens no wakeup and its cause moves no total this test compares).
      const cause = x === 34 || x === 35 ? CAUSE.reconnect : x === 36 ? CAUSE.rekey : x === 37 ? CAUSE.dpd : CAUSE.data;
      direct.packet(w.t, w.by === 'i', w.send.bytes.length + 28, cause);
    }
    direct.finish(400);
    const [total] = est.totals(400);
    expect(total!.totalJ).toBeCloseTo(direct.totalJ, 9);
    expect(total!.wakeups.rekey).toBe(direct.wakeups[CAUSE.rekey]);
    expect(total!.wakeups.rekey).toBeGreaterThan(0);
    // One client across the CHILD_SA rekeys.
    expect(est.totals(400)).toHaveLength(1);
  });

  it('reports each wakeup closed, with its promotion and tail energy, once its tail is over', () => {
    const { est, wakeups, closed } = session({ dpd: { delayS: 30 } }, 200);
    const later = est.advance(260).closed; // (those ended by 200 came with the advance at 200)
    const all = [...closed, ...later];
    expect(all.map((c) => c.n)).toEqual(wakeups.map((w) => w.n));
    // Each: at least the promotion (LTE: 0.26 s at 1210.7 mW, energy-models.md), at most a full tail more.
    for (const c of all) expect(c.energyJ).toBeGreaterThan(0.26 * 1.2107 * 0.99);
    const [total] = est.totals(260);
    const sum = all.reduce((s, c) => s + c.energyJ, 0);
    expect(sum).toBeLessThanOrEqual(total!.totalJ - total!.energyJ.baseline + 1e-9);
  });

  it('charges handshake packets to the client once it is known, and counts strays as unattributed', () => {
    const est = new LiveEstimator({ profileFor: () => LTE });
    const peer = { address: '198.18.1.2', port: 4500 };
    const wire = { local: { address: '198.18.0.1', port: 4500 }, head: new Uint8Array(0) };
    est.onEvent(0, { kind: 'traffic', dir: 'in', peer, bytes: 300, ipBytes: 328, cls: 'ike-setup', sa: 'a_b', messageId: 0, request: true, ...wire });
    est.onEvent(0.01, { kind: 'traffic', dir: 'out', peer, bytes: 300, ipBytes: 328, cls: 'ike-setup', sa: 'a_b', messageId: 0, request: false, ...wire });
    est.onEvent(0.02, { kind: 'traffic', dir: 'in', peer, bytes: 3, ipBytes: 31, cls: 'invalid', ...wire });
    expect(est.totals(1)).toEqual([]);
    const up = est.onEvent(0.05, { kind: 'ike-up', sa: 'a_b', peerId: 'phone-1', peer, virtualIp: null });
    const opened = est.advance(0.05).wakeups;
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ client: 'phone-1', t: 0, cause: 'reconnect' });
    expect(est.totals(1)[0]).toMatchObject({ client: 'phone-1', packetsIn: 1, packetsOut: 1 });
    // The held handshake reaches the client's recording in order, then the ike-up itself.
    expect(up.packets.map((p) => [p.client, p.t, p.traffic.dir])).toEqual([['phone-1', 0, 'in'], ['phone-1', 0.01, 'out']]);
    expect(up.events.map((e) => e.event.kind)).toEqual(['ike-up']);
    expect(est.unattributed).toBe(1);
  });

  it('numbers clients in the order they become known, and answers each known datagram with its client and number', () => {
    const est = new LiveEstimator({ profileFor: () => LTE });
    const peer = { address: '198.18.1.2', port: 4500 };
    const local = { address: '198.18.0.1', port: 4500 };
    const datagram = (sa: string, t: number) => est.onEvent(t, { kind: 'traffic', dir: 'in', peer, local, head: new Uint8Array(1), bytes: 1, ipBytes: 29, cls: 'keepalive', sa });
    for (const [sa, client] of [['a_1', 'phone-a'], ['b_1', 'phone-b'], ['c_1', 'phone-c']]) est.onEvent(0, { kind: 'ike-up', sa: sa!, peerId: client!, peer, virtualIp: null });
    const seen: [string, number, number][] = [];
    for (const [i, sa] of ['c_1', 'a_1', 'b_1', 'c_1'].entries()) {
      // Read before the next call: the answer to a known client's datagram is refilled by it.
      const p = datagram(sa, 1 + i).packets;
      expect(p).toHaveLength(1);
      seen.push([p[0]!.client, p[0]!.meter, p[0]!.t]);
    }
    expect(seen).toEqual([['phone-c', 2, 1], ['phone-a', 0, 2], ['phone-b', 1, 3], ['phone-c', 2, 4]]);
    expect(est.totals(5).map((m) => [m.client, m.packetsIn, m.lastIn, m.lastOut])).toEqual([['phone-a', 1, 2, null], ['phone-b', 1, 3, null], ['phone-c', 2, 4, null]]);
  });

  it('finds a datagram\'s client by its IKE SA\'s slot only while the slot is that SA\'s', () => {
    const est = new LiveEstimator({ profileFor: () => LTE });
    const peer = { address: '198.18.1.2', port: 4500 };
    const local = { address: '198.18.0.1', port: 4500 };
    /** The client a keepalive of `sa` carrying `slot` is charged to (null: none). */
    const clientOf = (sa: string, slot: number | undefined, t: number) => est.onEvent(t, { kind: 'traffic', dir: 'in', peer, local, head: new Uint8Array(1), bytes: 1, ipBytes: 29, cls: 'keepalive', sa, slot }).packets[0]?.client ?? null;
    est.onEvent(0, { kind: 'ike-up', sa: 'a_1', peerId: 'phone-a', peer, virtualIp: null });
    est.onEvent(0, { kind: 'ike-up', sa: 'b_1', peerId: 'phone-b', peer, virtualIp: null });
    expect([clientOf('a_1', 0, 1), clientOf('a_1', 0, 2), clientOf('b_1', 1, 3), clientOf('b_1', 1, 4)]).toEqual(['phone-a', 'phone-a', 'phone-b', 'phone-b']);
    // b_1 is gone and c_1 has its slot: c_1's datagrams are phone-c's, a late one of b_1 nobody's.
    est.onEvent(5, { kind: 'ike-down', sa: 'b_1', reason: 'deleted' });
    est.onEvent(5, { kind: 'ike-up', sa: 'c_1', peerId: 'phone-c', peer, virtualIp: null });
    expect([clientOf('b_1', 1, 6), clientOf('c_1', 1, 7), clientOf('c_1', 1, 8), clientOf('b_1', 1, 9)]).toEqual([null, 'phone-c', 'phone-c', null]);
    // A slot taken over without the estimator seeing the SA go (a's slot now d's): still d's client.
    est.onEvent(10, { kind: 'ike-up', sa: 'd_1', peerId: 'phone-d', peer, virtualIp: null });
    expect([clientOf('d_1', 0, 11), clientOf('a_1', 0, 12), clientOf('d_1', 0, 13), clientOf('a_1', undefined, 14), clientOf('a_1', -1, 15)]).toEqual(['phone-d', 'phone-a', 'phone-d', 'phone-a', 'phone-a']);
    // A rekeyed IKE SA's successor is the same client, whatever its slot.
    est.onEvent(16, { kind: 'ike-rekeyed', sa: 'c_1', newSa: 'c_2' });
    expect([clientOf('c_2', 2, 17), clientOf('c_2', 2, 18)]).toEqual(['phone-c', 'phone-c']);
    // An SA seen under two slots (a restored gateway numbers afresh): gone, neither finds it.
    est.onEvent(19, { kind: 'ike-up', sa: 'e_1', peerId: 'phone-e', peer, virtualIp: null });
    expect([clientOf('e_1', 5, 19), clientOf('e_1', 6, 19)]).toEqual(['phone-e', 'phone-e']);
    est.onEvent(19, { kind: 'ike-down', sa: 'e_1', reason: 'deleted' });
    expect([clientOf('e_1', 5, 19), clientOf('e_1', 6, 19)]).toEqual([null, null]);
    expect(est.totals(20).map((m) => [m.client, m.packetsIn])).toEqual([['phone-a', 5], ['phone-b', 2], ['phone-c', 4], ['phone-d', 2], ['phone-e', 2]]);
  });

  it('looks a datagram\'s IKE SA up by name only until its slot is known', () => {
    const est = new LiveEstimator({ profileFor: () => LTE });
    // Count the lookups by name (white box: the estimator's Map from SA names to clients).
    let byName = 0;
    class Counting extends Map<string, number> {
      override get(k: string): number | undefined {
        byName++;
        return super.get(k);
      }
    }
    (est as unknown as { meterOf: Map<string, number> }).meterOf = new Counting();
    const peer = { address: '198.18.1.2', port: 4500 };
    const local = { address: '198.18.0.1', port: 4500 };
    const keepalive = (sa: string, slot: number | undefined, t: number) => est.onEvent(t, { kind: 'traffic', dir: 'in', peer, local, head: new Uint8Array(1), bytes: 1, ipBytes: 29, cls: 'keepalive', sa, slot }).packets[0]?.client;
    est.onEvent(0, { kind: 'ike-up', sa: 'a_1', peerId: 'phone-a', peer, virtualIp: null });
    const before = byName;
    expect([1, 2, 3, 4].map((t) => keepalive('a_1', 3, t))).toEqual(['phone-a', 'phone-a', 'phone-a', 'phone-a']);
    expect(byName - before).toBe(1);
    // Without a slot, every datagram asks by name.
    expect([5, 6].map((t) => keepalive('a_1', undefined, t))).toEqual(['phone-a', 'phone-a']);
    expect(byName - before).toBe(3);
  });

  it('hands ended wakeups to a callback one at a time, the same as it would list them', () => {
    const t = Tunnel.up({ gateway: { dpd: { delayS: 20 } } });
    t.run(200);
    const events = t.events.filter((x) => x.by === 'r');
    const listed = new LiveEstimator({ profileFor: () => LTE });
    const handed = new LiveEstimator({ profileFor: () => LTE });
    const viaList = [];
    const viaCallback: unknown[] = [];
    const seen = new Set<object>();
    for (const e of events) {
      listed.onEvent(e.t, e.event);
      handed.onEvent(e.t, e.event);
    }
    for (const at of [60, 130, 200]) {
      viaList.push(...listed.advance(at).closed);
      const out = handed.advance(at, (w) => {
        seen.add(w);
        viaCallback.push({ ...w });
      });
      expect(out.closed).toEqual([]);
    }
    expect(viaList.length).toBeGreaterThan(3);
    expect(viaCallback).toEqual(viaList);
    expect(seen.size).toBe(1); // one object, refilled
  });

  it('logs a gateway policy change in every client\'s recording', () => {
    const { est } = session({ dpd: { delayS: 30 } }, 60);
    const out = est.onEvent(61, { kind: 'policy-changed', changes: { keepaliveS: 20 } });
    expect(out.events).toEqual([{ client: 'cli.wakelab', t: 61, event: { kind: 'policy-changed', changes: { keepaliveS: 20 } } }]);
  });

  it('switches a client to another radio profile: totals carry on, wakeup numbers continue, the running tail is cut', () => {
    const { t, est, wakeups } = session({ dpd: { delayS: 30 } }, 200);
    const before = est.totals(200)[0]!;
    const nr = radioProfile('nr-sa');
    const out = est.setProfile(200, 'cli.wakelab', nr, { radio: 'nr-sa' });
    expect(out.events[0]).toMatchObject({ client: 'cli.wakelab', t: 200, event: { kind: 'policy-changed', changes: { radio: 'nr-sa' } } });
    const after = est.totals(200)[0]!;
    expect(after.totalJ).toBeCloseTo(before.totalJ, 9);
    expect(after.wakeups).toEqual(before.wakeups);
    expect(est.meter('cli.wakelab')!.profile).toBe(nr);
    // The next datagram, long after every tail, opens the next wakeup on the new radio.
    const sa = t.initiator.ikeSa!.name;
    est.onEvent(300, { kind: 'traffic', dir: 'out', peer: { address: '198.18.1.2', port: 4500 }, local: { address: '198.18.2.2', port: 4500 }, head: new Uint8Array(0), bytes: 80, ipBytes: 108, cls: 'dpd', sa, messageId: 9, request: true });
    expect(est.advance(300).wakeups).toEqual([{ client: 'cli.wakelab', n: wakeups.length, t: 300, cause: 'dpd', stateLeft: 'RRC_IDLE' }]);
    expect(est.totals(300)[0]!.wakeups.dpd).toBe(before.wakeups.dpd + 1);
  });
});
