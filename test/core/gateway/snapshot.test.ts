// SA snapshot and restore, in memory: a restarted Gateway carries on with the client without a new
// handshake, and each way of getting it wrong fails the way a researcher would expect to see.
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from '../../../src-main/core/net/ipv4.ts';
import { parseSnapshot, restoreSnapshot, takeSnapshot } from '../../../src-main/core/gateway/snapshot.ts';
import type { Snapshot } from '../../../src-main/core/gateway/snapshot-schema.ts';
import { decodeIpv4 } from '../../../src-main/core/inner/ipv4-packet.ts';
import { decodeMessage } from '../../../src-main/core/ike/wire/message.ts';
import { ping } from '../esp/support/pair.ts';
import { Tunnel } from './support/tunnel.ts';

const VIP = '198.18.200.1';
const HOST = '198.18.100.1';

const up = Tunnel.up;

/** A snapshot as a file would hold it: through JSON and back, then checked. */
function snapshotOf(t: Tunnel): Snapshot {
  return parseSnapshot(JSON.parse(JSON.stringify(takeSnapshot(t.gateway, t.now, '2026-11-23T00:00:00Z'))));
}

/** Pings the virtual host n times, one at a time; returns how many replies the client got. */
function pings(t: Tunnel, n: number, first: number): number {
  const before = t.delivered.length;
  for (let i = 0; i < n; i++) {
    t.clientSends(ping(VIP, HOST, first + i));
    t.run(t.now + 0.5);
  }
  return t.delivered.length - before;
}

const ikeInitsAfter = (t: Tunnel, since: number) =>
  t.wire.filter((w) => {
    if (w.t < since) return false;
    const d = decodeMessage(w.send.bytes, { natt: w.send.to.port === 4500 || w.send.from.port === 4500 });
    return d.kind === 'ike' && d.header.exchangeType === 34;
  }).length;

describe('snapshot and restore of the Gateway', () => {
  it('carries on after a restart: pings answered, DPD both ways, no new IKE_SA_INIT', () => {
    const t = up({ gateway: { dpd: { delayS: 10 } } });
    expect(pings(t, 3, 1)).toBe(3);
    const snap = snapshotOf(t);
    expect(snap.ikeSas).toHaveLength(1);
    expect(snap.ikeSas[0]!.children[0]!.esp!.nextSeqOut).toBe(4);
    const restartAt = t.now;
    const gw = t.replaceGateway(70);
    expect(restoreSnapshot(gw, t.now, snap)).toBe(1);
    expect(gw.responder.ikeSas[0]!.virtualIp).not.toBeNull();
    expect(formatIpv4(gw.responder.ikeSas[0]!.virtualIp!)).toBe(VIP);
    // ESP both ways, on the same SAs.
    expect(pings(t, 3, 10)).toBe(3);
    const reply = decodeIpv4(t.delivered.at(-1)!);
    expect(reply.ok && formatIpv4(reply.src)).toBe(HOST);
    // The client's liveness check: its next message ID is the one the restored gateway expects.
    t.act((now) => t.initiator.dpd(now));
    t.run(t.now + 1);
    // The gateway's own: after 10 s without packets it asks, and the client answers.
    t.run(t.now + 15);
    const r = t.events.filter((e) => e.by === 'r' && e.t >= restartAt).map((e) => e.event.kind);
    expect(r).toContain('ike-restored');
    expect(r).not.toContain('drop');
    expect(r).not.toContain('dpd-failed');
    const dpdOut = t.events.filter((e) => e.by === 'r' && e.t >= restartAt && e.event.kind === 'exchange' && e.event.exchange === 'INFORMATIONAL' && e.event.dir === 'out' && e.event.request);
    const dpdIn = t.events.filter((e) => e.by === 'r' && e.t >= restartAt && e.event.kind === 'exchange' && e.event.exchange === 'INFORMATIONAL' && e.event.dir === 'in' && !e.event.request);
    expect(dpdOut.length).toBeGreaterThanOrEqual(1);
    expect(dpdIn.length).toBe(dpdOut.length);
    expect(t.kinds('i')).not.toContain('ike-down');
    expect(ikeInitsAfter(t, restartAt)).toBe(0);
  });

  it('without the sequence-number jump, the client drops what the restored gateway sends as replays', () => {
    const t = up();
    pings(t, 2, 1);
    const snap = snapshotOf(t);
    // The old gateway goes on answering after the snapshot: its sequence numbers 3..5 reach the client.
    expect(pings(t, 3, 3)).toBe(3);
    const gw = t.replaceGateway(80);
    restoreSnapshot(gw, t.now, snap, { seqJump: 0 });
    // The restored gateway sends 3, 4, 5 again: the client's window has seen them (RFC 4303 3.4.3).
    expect(pings(t, 3, 6)).toBe(0);
    expect(t.clientDrops).toEqual(['replay', 'replay', 'replay']);
    // From 6 on they are new to the client again.
    expect(pings(t, 1, 9)).toBe(1);
  });

  it('with the jump (the default), the same restart loses nothing', () => {
    const t = up();
    pings(t, 2, 1);
    const snap = snapshotOf(t);
    expect(pings(t, 3, 3)).toBe(3);
    restoreSnapshot(t.replaceGateway(90), t.now, snap);
    expect(pings(t, 3, 6)).toBe(3);
    expect(t.clientDrops).toEqual([]);
  });

  it('with stale IKE message IDs, the next exchange fails: the client request is out of the window', () => {
    const t = up();
    const snap = snapshotOf(t);
    // An exchange after the snapshot: the old gateway now expects message ID 3 from the client.
    t.act((now) => t.initiator.dpd(now));
    t.run(t.now + 1);
    restoreSnapshot(t.replaceGateway(100), t.now, snap, { midSync: false });
    // The restored gateway still expects 2: the client's request 3 is dropped, again and again
    // (RFC 7296 2.3), until the client gives the peer up for dead.
    t.act((now) => t.initiator.dpd(now));
    t.run(t.now + 200);
    const drops = t.events.filter((e) => e.by === 'r' && e.event.kind === 'drop').map((e) => (e.event as { reason: string }).reason);
    expect(drops.length).toBeGreaterThanOrEqual(2);
    expect(new Set(drops)).toEqual(new Set(['bad-message-id']));
    expect(t.events.some((e) => e.by === 'i' && e.event.kind === 'ike-down' && e.event.reason === 'dpd-failed')).toBe(true);
  });

  it('with stale IKE message IDs and RFC 6311 synchronisation, both ends agree again and the next exchange works', () => {
    const t = up();
    expect(t.initiator.ikeSa!.msgIdSync).toBe(true);
    const snap = snapshotOf(t);
    expect(snap.ikeSas[0]!.msgIdSync).toBe(true);
    t.act((now) => t.initiator.dpd(now));
    t.run(t.now + 1);
    const restartAt = t.now;
    t.act((now) => restoreSnapshot(t.replaceGateway(110), now, snap));
    t.run(t.now + 1);
    // INFORMATIONAL #0 { N(IKEV2_MESSAGE_ID_SYNC) } both ways; the client took M1 and kept its own next ID.
    const syncs = t.events.filter((e) => e.t >= restartAt && e.event.kind === 'mid-sync');
    expect(syncs.map((e) => [e.by, e.event.kind === 'mid-sync' && e.event.ok])).toEqual([
      ['i', true],
      ['r', true],
    ]);
    const r = t.gateway.responder.ikeSas[0]!;
    const i = t.initiator.ikeSa!;
    expect([r.nextId, r.expectId]).toEqual([i.expectId, i.nextId]);
    // The client's next liveness check, and the gateway's, both get answered.
    t.act((now) => t.initiator.dpd(now));
    t.run(t.now + 5);
    expect(t.events.filter((e) => e.by === 'r' && e.t >= restartAt && e.event.kind === 'drop')).toEqual([]);
    expect(i.pending).toBeNull();
    expect(t.kinds('i')).not.toContain('ike-down');
  });

  it('starts the pushes to the client again after a restore', () => {
    const t = up({ gateway: { virtualHost: { push: [{ port: 5000, bytes: 50, everyS: 10 }] } } });
    const snap = snapshotOf(t);
    t.act((now) => restoreSnapshot(t.replaceGateway(120), now, snap));
    t.run(t.now + 25);
    expect(t.delivered).toHaveLength(2);
  });

  it('refuses a damaged snapshot, naming the field', () => {
    const t = up();
    const doc = JSON.parse(JSON.stringify(takeSnapshot(t.gateway, t.now, 'now'))) as { ikeSas: Record<string, unknown>[] };
    doc.ikeSas[0]!.spiI = 'not hex';
    expect(() => parseSnapshot(doc, 'snap.json')).toThrow(/snap\.json: ikeSas\.0\.spiI: must be lowercase hex/);
    expect(() => parseSnapshot({ kind: 'something-else' }, 'x.json')).toThrow(/x\.json: kind/);
  });
});
