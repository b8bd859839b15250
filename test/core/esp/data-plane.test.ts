// DataPlane (data-plane.ts): a gateway plane and client planes exchanging ESP. Lookup by SPI
// (RFC 4303 3.4.2), the SA to send on chosen by selectors and newest after a rekey (RFC 7296 2.8),
// plane-level drops, rekey signals reported once, counters (totals and per SA), proof of life per
// IKE SA, IKE SA removal and rekey, and restore with the RFC 6311 jump.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { DataPlane, type DataPlaneReceived, type DataPlaneSent } from '../../../src-main/core/esp/data-plane.ts';
import { NextHeader } from '../../../src-main/core/esp/packet.ts';
import { sealEsp } from '../../../src-main/core/esp/seal.ts';
import { flipBit } from '../crypto/fixtures.ts';
import { CLIENT_ADDR, childSaPair, GW_HOST, seqField, testSuite, udp } from './support/pair.ts';

const NOW = 500;

function packetOf(r: DataPlaneSent): Uint8Array {
  if (!r.ok) throw new Error(`unexpected drop: ${r.reason}`);
  return r.packet;
}

function innerOf(r: DataPlaneReceived): Uint8Array {
  if (!r.ok) throw new Error(`unexpected drop: ${r.reason}`);
  return r.inner;
}

function planes(options: { seqRekeyThreshold?: number; replayWindow?: number } = {}) {
  const suite = testSuite();
  return { suite, gw: new DataPlane({ suite, ...options }), client: new DataPlane({ suite: testSuite(99), ...options }) };
}

describe('DataPlane', () => {
  it('carries packets both ways and says which CHILD_SA and IKE SA they belong to', () => {
    const { gw, client } = planes();
    const pair = childSaPair();
    gw.add(NOW, 'ike-1', pair.gw);
    client.add(NOW, 'client-ike', pair.client);
    const up = udp(CLIENT_ADDR, GW_HOST, 64, 1);
    const sent = client.send(NOW + 1, up);
    expect(sent).toMatchObject({ ok: true, spiOut: pair.gw.spiIn, spiIn: pair.client.spiIn, ikeSa: 'client-ike', seq: 1 });
    const got = gw.receive(NOW + 1, packetOf(sent));
    expect(got).toMatchObject({ ok: true, spiIn: pair.gw.spiIn, ikeSa: 'ike-1' });
    expect(toHex(innerOf(got))).toBe(toHex(up));
    const down = udp(GW_HOST, CLIENT_ADDR, 1400, 2, 9, 40000);
    const back = gw.send(NOW + 2, down);
    expect(back).toMatchObject({ ok: true, spiOut: pair.client.spiIn, seq: 1, ikeSa: 'ike-1' });
    expect(toHex(innerOf(client.receive(NOW + 2, packetOf(back))))).toBe(toHex(down));
    expect([gw.lastInbound('ike-1'), gw.lastOutbound('ike-1'), gw.lastInbound('nope')]).toEqual([NOW + 1, NOW + 2, null]);
  });

  it('drops and counts what belongs to no SA: short, unknown SPI, no covering SA, not IPv4', () => {
    const { gw } = planes();
    const pair = childSaPair();
    gw.add(NOW, 'ike-1', pair.gw);
    expect(gw.receive(NOW, new Uint8Array(5))).toEqual({ ok: false, reason: 'short' });
    expect(gw.receive(NOW, Uint8Array.of(0, 0, 0, 9, 0, 0, 0, 1, 1, 2, 3))).toEqual({ ok: false, reason: 'unknown-spi', spiIn: 9 });
    expect(gw.send(NOW, udp(GW_HOST, '198.18.200.2'))).toEqual({ ok: false, reason: 'no-sa' }); // no client has that address
    expect(gw.send(NOW, udp('192.0.2.1', CLIENT_ADDR))).toEqual({ ok: false, reason: 'no-sa' }); // not from our side
    expect(gw.send(NOW, new Uint8Array(30))).toEqual({ ok: false, reason: 'bad-inner' });
    const { total, perSa } = gw.counters();
    expect(total.dropsIn).toMatchObject({ short: 1, 'unknown-spi': 1 });
    expect(total.dropsOut).toMatchObject({ 'no-sa': 2, 'bad-inner': 1 });
    expect(perSa).toHaveLength(1);
    expect(Object.values(perSa[0]!.counters.dropsIn).every((n) => n === 0)).toBe(true); // none of them was the SA's
  });

  it('counts per-SA drops in the totals too, and keeps totals of removed SAs', () => {
    const { gw, client, suite } = planes();
    const pair = childSaPair();
    gw.add(NOW, 'ike-1', pair.gw);
    const csa = client.add(NOW, 'c', pair.client);
    const p = packetOf(client.send(NOW, udp(CLIENT_ADDR, GW_HOST)));
    innerOf(gw.receive(NOW, p));
    expect(gw.receive(NOW, p)).toEqual({ ok: false, reason: 'replay', spiIn: pair.gw.spiIn, ikeSa: 'ike-1' });
    expect(gw.receive(NOW, flipBit(packetOf(client.send(NOW, udp(CLIENT_ADDR, GW_HOST))), 20))).toMatchObject({ ok: false, reason: 'bad-icv' });
    const dummy = sealEsp(suite, csa.outbound, 50, false, new Uint8Array(12), NextHeader.NO_NEXT_HEADER);
    expect(gw.receive(NOW + 9, dummy)).toMatchObject({ ok: false, reason: 'dummy', ikeSa: 'ike-1' });
    expect(gw.lastInbound('ike-1')).toBe(NOW + 9); // an authenticated dummy is proof of life
    expect(gw.receive(NOW + 10, flipBit(dummy, 12))).toMatchObject({ reason: 'replay' });
    const before = gw.counters();
    expect(before.total.dropsIn).toMatchObject({ replay: 2, 'bad-icv': 1, dummy: 1 });
    expect(before.perSa[0]!.counters.dropsIn).toEqual(before.total.dropsIn);
    expect(before.total.packetsIn).toBe(1);
    expect(gw.remove(pair.gw.spiIn)).toBe(true);
    expect(gw.remove(pair.gw.spiIn)).toBe(false);
    const after = gw.counters();
    expect(after.perSa).toEqual([]);
    expect(after.total).toEqual(before.total);
    expect(gw.lastInbound('ike-1')).toBe(NOW + 9); // the IKE SA's record outlives its CHILD_SAs
  });

  it('after a CHILD_SA rekey sends on the new SA while the old one still receives until removed (RFC 7296 2.8)', () => {
    const { gw, client } = planes();
    const old = childSaPair();
    const neu = childSaPair({ gwSpi: 0xc0de0002, clientSpi: 0xc1e70002, seed: 2 });
    gw.add(NOW, 'ike-1', old.gw);
    client.add(NOW, 'c', old.client);
    const early = packetOf(client.send(NOW, udp(CLIENT_ADDR, GW_HOST, 16, 1))); // in flight on the old SA
    gw.add(NOW + 1, 'ike-1', neu.gw);
    client.add(NOW + 1, 'c', neu.client);
    const down = gw.send(NOW + 2, udp(GW_HOST, CLIENT_ADDR));
    expect(down).toMatchObject({ ok: true, spiOut: neu.client.spiIn, seq: 1 });
    expect(client.receive(NOW + 2, packetOf(down))).toMatchObject({ ok: true, spiIn: neu.client.spiIn });
    expect(gw.receive(NOW + 2, early)).toMatchObject({ ok: true, spiIn: old.gw.spiIn });
    const late = client.sendVia(NOW + 3, old.client.spiIn, udp(CLIENT_ADDR, GW_HOST, 16, 2));
    expect(late).toMatchObject({ ok: true, spiOut: old.gw.spiIn, seq: 2 });
    expect(gw.childSas('ike-1')).toEqual([old.gw.spiIn, neu.gw.spiIn]);
    gw.remove(old.gw.spiIn);
    expect(gw.receive(NOW + 4, packetOf(late))).toEqual({ ok: false, reason: 'unknown-spi', spiIn: old.gw.spiIn });
    expect(() => client.sendVia(NOW, 12345, udp(CLIENT_ADDR, GW_HOST))).toThrow(/spiIn/);
  });

  it('routes by destination to the CHILD_SA of the right client', () => {
    const { gw } = planes();
    const a = childSaPair();
    const b = childSaPair({ gwSpi: 0xb0000001, clientSpi: 0xb1000001, clientTs: ['198.18.200.2/32'], seed: 3 });
    gw.add(NOW, 'ike-a', a.gw);
    gw.add(NOW, 'ike-b', b.gw);
    expect(gw.send(NOW, udp(GW_HOST, CLIENT_ADDR))).toMatchObject({ ok: true, spiOut: a.client.spiIn, ikeSa: 'ike-a' });
    expect(gw.send(NOW, udp(GW_HOST, '198.18.200.2'))).toMatchObject({ ok: true, spiOut: b.client.spiIn, ikeSa: 'ike-b' });
    expect([gw.lastOutbound('ike-a'), gw.lastOutbound('ike-b')]).toEqual([NOW, NOW]);
  });

  it('reports a CHILD_SA past its threshold once, and not after it was removed', () => {
    const { gw, client } = planes({ seqRekeyThreshold: 3 });
    const pair = childSaPair();
    gw.add(NOW, 'ike-1', pair.gw);
    client.add(NOW, 'c', pair.client);
    const reports: unknown[][] = [];
    for (let i = 1; i <= 6; i++) {
      innerOf(gw.receive(NOW, packetOf(client.send(NOW, udp(CLIENT_ADDR, GW_HOST, 8, i)))));
      reports.push([...client.takeRekeysDue()]);
    }
    expect(reports.map((r) => r.length)).toEqual([0, 0, 1, 0, 0, 0]);
    expect(reports[2]![0]).toEqual({ ikeSa: 'c', spiIn: pair.client.spiIn, spiOut: pair.gw.spiIn, nextSeqOut: 4, exhausted: false });

    const other = childSaPair({ gwSpi: 7, clientSpi: 8, seed: 4 });
    gw.add(NOW, 'ike-1', other.gw); // newest: takes the traffic
    for (let i = 0; i < 3; i++) packetOf(gw.send(NOW, udp(GW_HOST, CLIENT_ADDR)));
    gw.remove(other.gw.spiIn);
    expect(gw.takeRekeysDue()).toEqual([]);
  });

  it('moves CHILD_SAs to the new IKE SA on an IKE rekey, and removes them with it', () => {
    const { gw, client } = planes();
    const a = childSaPair();
    const b = childSaPair({ gwSpi: 0xc0de0002, clientSpi: 0xc1e70002, seed: 5 });
    gw.add(NOW, 'old-ike', a.gw);
    client.add(NOW, 'c', a.client);
    innerOf(gw.receive(NOW + 1, packetOf(client.send(NOW + 1, udp(CLIENT_ADDR, GW_HOST)))));
    gw.add(NOW, 'new-ike', b.gw);
    gw.moveIkeSa('old-ike', 'new-ike');
    expect(gw.childSas('old-ike')).toEqual([]);
    expect(gw.childSas('new-ike').sort()).toEqual([a.gw.spiIn, b.gw.spiIn].sort());
    expect(gw.lastInbound('new-ike')).toBe(NOW + 1);
    expect(gw.receive(NOW + 2, packetOf(client.send(NOW + 2, udp(CLIENT_ADDR, GW_HOST))))).toMatchObject({ ok: true, ikeSa: 'new-ike' });
    expect(gw.removeIkeSa('new-ike').sort()).toEqual([a.gw.spiIn, b.gw.spiIn].sort());
    expect([gw.get(a.gw.spiIn), gw.lastInbound('new-ike'), gw.counters().perSa]).toEqual([undefined, null, []]);
    expect(gw.removeIkeSa('new-ike')).toEqual([]);
  });

  it('restores a CHILD_SA from a snapshot, with the jump the peer accepts (RFC 6311)', () => {
    const { gw, client } = planes();
    const pair = childSaPair();
    gw.add(NOW, 'ike-1', pair.gw);
    const csa = client.add(NOW, 'c', pair.client);
    const snap = csa.state();
    for (let i = 0; i < 10; i++) innerOf(gw.receive(NOW, packetOf(client.send(NOW, udp(CLIENT_ADDR, GW_HOST, 8, i)))));
    const restarted = new DataPlane({ suite: testSuite(7) });
    restarted.restore(NOW + 5, 'c', pair.client, snap);
    expect(gw.receive(NOW + 5, packetOf(restarted.send(NOW + 5, udp(CLIENT_ADDR, GW_HOST))))).toMatchObject({ ok: false, reason: 'replay' });
    const synced = new DataPlane({ suite: testSuite(8) });
    synced.restore(NOW + 5, 'c', pair.client, snap, { seqJump: 64 });
    const sent = synced.send(NOW + 5, udp(CLIENT_ADDR, GW_HOST));
    expect(seqField(packetOf(sent))).toBe(65);
    expect(gw.receive(NOW + 5, packetOf(sent))).toMatchObject({ ok: true });
    expect(() => synced.restore(NOW, 'c', pair.client, snap)).toThrow(/already installed/);
  });

  it('validates its options and what is added', () => {
    const suite = testSuite();
    expect(() => new DataPlane({ suite, replayWindow: -1 })).toThrow(/replayWindow/);
    expect(() => new DataPlane({ suite, seqRekeyThreshold: 2 ** 32 })).toThrow(/seqRekeyThreshold/);
    expect(() => new DataPlane({ suite, esnSeqRekeyThreshold: 2 ** 53 })).toThrow(/esnSeqRekeyThreshold/);
    expect(() => new DataPlane({ suite: {} as never })).toThrow(/suite/);
    const gw = new DataPlane({ suite, replayWindow: 0, esnSeqRekeyThreshold: 2 ** 40 });
    const pair = childSaPair({ esn: true });
    const sa = gw.add(NOW, 'ike-1', pair.gw);
    expect([sa.replayWindow, sa.seqRekeyThreshold]).toEqual([0, 2 ** 40]);
    expect(() => gw.add(NOW, 'ike-2', pair.gw)).toThrow(/already installed/);
    expect(() => gw.add(NOW, '', childSaPair({ gwSpi: 77 }).gw)).toThrow(/ikeSa/);
    expect(gw.get(77)).toBeUndefined();
    expect(gw.counters().perSa.map((s) => s.ikeSa)).toEqual(['ike-1']);
  });
});
