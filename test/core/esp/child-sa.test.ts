// EspChildSa (child-sa.ts): one CHILD_SA's ESP state between two mirrored ends. Round trips for
// every cipher with and without ESN on both backends, sequence numbers from 1 (RFC 4303 3.3.3),
// every drop reason from a crafted packet (3.4; RFC 4301 5.2), the rekey threshold firing once,
// exhaustion without cycling, ESN across 2^32 (Appendix A), and snapshots restored with and
// without the RFC 6311 jump.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import type { CryptoSuite } from '../../../src-main/core/crypto/suite.ts';
import { EspChildSa, type EspChildSaOptions } from '../../../src-main/core/esp/child-sa.ts';
import type { EspChildSaState } from '../../../src-main/core/esp/child-sa-state.ts';
import { ESP_IN_DROPS, ESP_OUT_DROPS } from '../../../src-main/core/esp/counters.ts';
import { NextHeader, peekEsp } from '../../../src-main/core/esp/packet.ts';
import { sealEsp } from '../../../src-main/core/esp/seal.ts';
import { newInnerFlow, readInnerFlow } from '../../../src-main/core/esp/inner-flow.ts';
import { checksumOf, sumWords } from '../../../src-main/core/inner/checksum.ts';
import { decodeIpv4 } from '../../../src-main/core/inner/ipv4-packet.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { flipBit, seededRandom } from '../crypto/fixtures.ts';
import { BACKENDS, sealRawText } from './fixtures.ts';
import { CIPHERS, CLIENT_ADDR, childSaPair, GW_HOST, ping, rawIp, seqField, testSuite, udp, type PairOptions } from './support/pair.ts';

const NOW = 1000;
const rnd = seededRandom(4301);

function ends(o: PairOptions = {}, suite: CryptoSuite = testSuite(), opts: Partial<EspChildSaOptions> = {}) {
  const pair = childSaPair(o);
  return { pair, suite, gw: EspChildSa.create(suite, pair.gw, { now: NOW, ...opts }), client: EspChildSa.create(suite, pair.client, { now: NOW, ...opts }) };
}

/** The bytes of a result, failing the test with the drop reason otherwise. */
function bytes(r: Uint8Array | string): Uint8Array {
  if (typeof r === 'string') throw new Error(`unexpected drop: ${r}`);
  return r;
}

const zeroDrops = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** A copy of an IPv4 datagram with Fragment Offset set (in 8-octet units) and the header checksum redone. */
function asFragment(b: Uint8Array, offset: number): Uint8Array {
  const out = b.slice();
  out[6] = (offset >>> 8) & 0x1f;
  out[7] = offset & 0xff;
  out[10] = out[11] = 0;
  const sum = checksumOf(sumWords(out, 0, 20));
  out[10] = sum >>> 8;
  out[11] = sum & 0xff;
  return out;
}

describe.each(BACKENDS)('%s backend', (_backend, suite) => {
  describe.each(CIPHERS)('$name', (cipher) => {
    it.each([false, true])('exchanges packets both ways, numbered from 1 (esn %s)', (esn) => {
      const { gw, client } = ends({ cipher, esn }, suite);
      let bytesUp = 0;
      for (let i = 1; i <= 5; i++) {
        const up = udp(CLIENT_ADDR, GW_HOST, 20 + 37 * i, i);
        const p = bytes(client.seal(NOW + i, up));
        expect(peekEsp(p)).toEqual({ ok: true, spi: gw.spiIn, seqLow: i });
        expect(toHex(bytes(gw.open(NOW + i, p)))).toBe(toHex(up));
        bytesUp += up.length;
        const down = udp(GW_HOST, CLIENT_ADDR, 1400, 100 + i, 9, 40000);
        const q = bytes(gw.seal(NOW + i, down));
        expect(seqField(q)).toBe(i);
        expect(toHex(bytes(client.open(NOW + i, q)))).toBe(toHex(down));
      }
      const c = gw.counters();
      expect(c).toEqual({ packetsIn: 5, bytesIn: bytesUp, packetsOut: 5, bytesOut: 5 * 1428, dropsIn: zeroDrops(ESP_IN_DROPS), dropsOut: zeroDrops(ESP_OUT_DROPS) });
      expect([gw.nextSeqOut, gw.highestSeqIn, gw.lastInbound, gw.lastOutbound]).toEqual([6, 5, NOW + 5, NOW + 5]);
      expect(client.counters().packetsIn).toBe(5);
    });
  });
});

describe('inbound drops (RFC 4303 3.4, RFC 4301 5.2)', () => {
  it('produces and counts every reason, in order, with authenticated drops moving the window and lastInbound', () => {
    const { gw, client, suite } = ends();
    let seq = 100;
    const good = udp(CLIENT_ADDR, GW_HOST, 32, 1);
    const raw = (inner: Uint8Array, nextHeader: number = NextHeader.IPV4) => sealEsp(suite, client.outbound, seq++, false, inner, nextHeader);

    expect(gw.open(NOW, new Uint8Array(7))).toBe('short');
    expect(gw.open(NOW, raw(good).subarray(0, 26))).toBe('short'); // header and IV, no room for text and ICV

    const other = raw(good);
    other[3] ^= 1;
    expect(gw.open(NOW, other)).toBe('unknown-spi');

    const once = raw(good);
    expect(toHex(bytes(gw.open(NOW + 1, once)))).toBe(toHex(good));
    expect(gw.open(NOW + 2, once)).toBe('replay');

    const forged = raw(good);
    expect(gw.open(NOW + 3, flipBit(forged, -1))).toBe('bad-icv');
    expect(gw.lastInbound).toBe(NOW + 1); // a forgery is no proof of life
    expect(bytes(gw.open(NOW + 4, forged)).length).toBe(good.length); // nor did it move the window

    // Payload, then Padding 1, 3 (not 1, 2), Pad Length 2, Next Header 4: authenticates, bad padding.
    const text = new Uint8Array(good.length + 4);
    text.set(good);
    text.set([1, 3, 2, 4], good.length);
    const badPad = sealRawText(suite, client.outbound, seq++, false, text, rnd(8));
    expect(gw.open(NOW + 5, badPad)).toBe('bad-padding');
    expect(gw.lastInbound).toBe(NOW + 5);
    expect(gw.open(NOW + 5, badPad)).toBe('replay'); // authenticated: the window moved

    expect(gw.open(NOW + 6, raw(good, 41))).toBe('bad-next-header'); // IPv6 inside an IPv4 tunnel SA
    const dummy = raw(rnd(40), NextHeader.NO_NEXT_HEADER);
    expect(gw.open(NOW + 7, dummy)).toBe('dummy');
    expect(gw.lastInbound).toBe(NOW + 7);
    expect(gw.open(NOW + 8, dummy)).toBe('replay');

    const notIpv4 = good.slice();
    notIpv4[0] = 0x65; // version 6
    expect(gw.open(NOW + 9, raw(notIpv4))).toBe('bad-inner');
    expect(gw.open(NOW + 9, raw(good.subarray(0, 19)))).toBe('bad-inner');

    expect(gw.open(NOW + 10, raw(udp('203.0.113.5', GW_HOST)))).toBe('selector-mismatch'); // source not the client's
    expect(gw.open(NOW + 10, raw(udp(CLIENT_ADDR, '198.18.101.1')))).toBe('selector-mismatch'); // destination not ours

    const c = gw.counters();
    expect(c.dropsIn).toEqual({ short: 2, 'unknown-spi': 1, replay: 3, 'bad-icv': 1, 'bad-padding': 1, 'bad-next-header': 1, dummy: 1, 'bad-inner': 2, 'selector-mismatch': 2 });
    expect([c.packetsIn, c.bytesIn]).toEqual([2, 2 * good.length]);
  });

  it('checks the replay window before any crypto: duplicates and too-old packets cost no decryption (3.4.3)', () => {
    const inner = testSuite();
    let decrypts = 0;
    const counting: CryptoSuite = { ...inner, decryptDetached: (...args) => (decrypts++, inner.decryptDetached(...args)) };
    const pair = childSaPair();
    const gw = EspChildSa.create(counting, pair.gw, { now: NOW, replayWindow: 32 });
    const client = EspChildSa.create(inner, pair.client, { now: NOW });
    const sent = Array.from({ length: 40 }, (_, i) => bytes(client.seal(NOW, udp(CLIENT_ADDR, GW_HOST, 8, i))));
    bytes(gw.open(NOW, sent[0]!));
    bytes(gw.open(NOW, sent[39]!)); // highest 40: numbers 8 and below are now too old
    expect(decrypts).toBe(2);
    expect([gw.open(NOW, sent[39]!), gw.open(NOW, sent[0]!), gw.open(NOW, sent[7]!)]).toEqual(['replay', 'replay', 'replay']);
    expect(decrypts).toBe(2);
    bytes(gw.open(NOW, sent[8]!)); // number 9: the bottom of the window
    expect(decrypts).toBe(3);
  });

  it('cuts TFC padding after the datagram (RFC 4303 2.7) and counts only the datagram', () => {
    const { gw, client, suite } = ends();
    const good = udp(CLIENT_ADDR, GW_HOST, 50, 3);
    const padded = new Uint8Array(good.length + 37);
    padded.set(good);
    const r = bytes(gw.open(NOW, sealEsp(suite, client.outbound, 1, false, padded, NextHeader.IPV4)));
    expect(toHex(r)).toBe(toHex(good));
    expect(gw.counters().bytesIn).toBe(good.length);
  });
});

describe('outbound checks (RFC 4301 5.1, RFC 4303 3.3.3)', () => {
  it('refuses what the peer would drop, without using a sequence number', () => {
    const { client } = ends();
    expect(client.seal(NOW, rnd(40))).toBe('bad-inner');
    expect(client.seal(NOW, udp(GW_HOST, CLIENT_ADDR))).toBe('selector-mismatch'); // source is not ours
    expect(client.seal(NOW, udp(CLIENT_ADDR, '192.0.2.1'))).toBe('selector-mismatch'); // destination not the peer's
    expect(seqField(bytes(client.seal(NOW, udp(CLIENT_ADDR, GW_HOST))))).toBe(1);
    expect(client.counters().dropsOut).toEqual({ 'bad-inner': 1, 'no-sa': 0, 'selector-mismatch': 2, 'seq-exhausted': 0 });
  });

  it('matches protocol, ports, ICMP type/code and OPAQUE as the selectors say', () => {
    const { gw, client } = ends({ gwTs: ['198.18.100.0/24[udp/53]', '198.18.101.0/24', '198.18.102.0/24[icmp/2048]', '198.18.103.0/24[udp/OPAQUE]'] });
    const dns = udp(CLIENT_ADDR, '198.18.100.1', 32, 1, 40000, 53);
    expect(toHex(bytes(gw.open(NOW, bytes(client.seal(NOW, dns)))))).toBe(toHex(dns));
    expect(bytes(gw.seal(NOW, udp('198.18.100.1', CLIENT_ADDR, 32, 1, 53, 40000))).length).toBeGreaterThan(0);
    expect(client.seal(NOW, udp(CLIENT_ADDR, '198.18.100.1', 32, 1, 40000, 54))).toBe('selector-mismatch');
    expect(client.seal(NOW, ping(CLIENT_ADDR, '198.18.100.1'))).toBe('selector-mismatch'); // ICMP, not UDP
    expect(client.seal(NOW, ping(CLIENT_ADDR, '198.18.101.7'))).toBeInstanceOf(Uint8Array); // any protocol
    expect(client.seal(NOW, ping(CLIENT_ADDR, '198.18.102.7'))).toBeInstanceOf(Uint8Array); // type 8 code 0 = 2048
    expect(client.seal(NOW, rawIp(CLIENT_ADDR, '198.18.102.7', 1, Uint8Array.of(0, 0, 0, 0)))).toBe('selector-mismatch'); // type 0
    const toOpaque = udp(CLIENT_ADDR, '198.18.103.7');
    expect(client.seal(NOW, toOpaque)).toBe('selector-mismatch'); // ports present: OPAQUE does not match
    expect(client.seal(NOW, asFragment(toOpaque, 100))).toBeInstanceOf(Uint8Array); // non-initial fragment: no ports
    expect(client.seal(NOW, asFragment(udp(CLIENT_ADDR, '198.18.100.1', 32, 1, 40000, 53), 100))).toBe('selector-mismatch'); // udp/53 needs the port
  });
});

describe('inner datagram checks (inner-flow.ts)', () => {
  it('agrees with decodeIpv4 on mutated datagrams, except that fragments are well-formed', () => {
    const rng = new Rng(791);
    const f = newInnerFlow();
    const seen = { ok: 0, bad: 0, fragment: 0 };
    for (let n = 0; n < 3000; n++) {
      let b = n % 2 ? udp(CLIENT_ADDR, GW_HOST, rng.nextU32() % 64, n) : ping(CLIENT_ADDR, GW_HOST, n);
      const mutation = rng.nextU32() % 4;
      if (mutation === 1) b[rng.nextU32() % 20] ^= 1 << rng.nextU32() % 8; // a header bit
      if (mutation === 2) b = b.subarray(0, rng.nextU32() % b.length); // truncated
      if (mutation === 3) b = asFragment(b, rng.nextU32() % 3); // first or later fragment, MF clear
      const d = decodeIpv4(b);
      const ok = readInnerFlow(b, f);
      if (!d.ok && d.reason === 'fragment') {
        seen.fragment++;
        expect(ok).toBe(true);
        continue;
      }
      expect(ok).toBe(d.ok);
      if (d.ok) {
        seen.ok++;
        expect([f.src, f.dst, f.protocol, f.totalLength]).toEqual([d.src, d.dst, d.protocol, d.totalLength]);
      } else seen.bad++;
    }
    expect(Math.min(seen.ok, seen.bad, seen.fragment)).toBeGreaterThan(100);
  });

  it('reads ports of the first fragment only, and ICMP type/code', () => {
    const f = newInnerFlow();
    expect(readInnerFlow(udp(CLIENT_ADDR, GW_HOST, 8, 0, 1234, 53), f)).toBe(true);
    expect([f.srcPort, f.dstPort, f.protocol]).toEqual([1234, 53, 17]);
    expect(readInnerFlow(asFragment(udp(CLIENT_ADDR, GW_HOST, 8, 0, 1234, 53), 1), f)).toBe(true);
    expect([f.srcPort, f.dstPort]).toEqual([-1, -1]);
    expect(readInnerFlow(ping(CLIENT_ADDR, GW_HOST), f)).toBe(true);
    expect([f.srcPort, f.dstPort, f.protocol]).toEqual([0x0800, 0x0800, 1]);
    expect(readInnerFlow(rawIp(CLIENT_ADDR, GW_HOST, 6, new Uint8Array(3)), f)).toBe(true); // TCP header cut short
    expect([f.srcPort, f.dstPort]).toEqual([-1, -1]);
  });
});

describe('sequence numbers: threshold and exhaustion (RFC 4303 3.3.3)', () => {
  it('has the documented default thresholds', () => {
    expect(ends().client.seqRekeyThreshold).toBe(2 ** 32 - 2 ** 24);
    expect(ends({ esn: true }).client.seqRekeyThreshold).toBe(2 ** 53 - 2 ** 24);
    expect([ends().client.lastSeqOut, ends({ esn: true }).client.lastSeqOut]).toEqual([2 ** 32 - 1, 2 ** 53 - 1]);
  });

  it('asks for a rekey once, when the threshold number is sent', () => {
    const { client } = ends({}, testSuite(), { seqRekeyThreshold: 5 });
    const fired: number[] = [];
    for (let i = 1; i <= 10; i++) {
      bytes(client.seal(NOW, udp(CLIENT_ADDR, GW_HOST, 8, i)));
      if (client.takeRekeyDue()) fired.push(i);
    }
    expect(fired).toEqual([5]);
    expect(client.rekeyRequested).toBe(true);
  });

  it('sends 2^32 - 1 last, then refuses for ever without cycling to 0', () => {
    const { pair, suite, gw: gw0, client: c0 } = ends();
    const client = EspChildSa.restore(suite, pair.client, { ...c0.state(), nextSeqOut: 2 ** 32 - 2 }, { now: NOW });
    const gw = EspChildSa.restore(suite, pair.gw, { ...gw0.state(), replay: { size: 128, highest: 2 ** 32 - 3, bitmap: new Uint32Array(4) } }, { now: NOW });
    const sent = [1, 2].map((i) => bytes(client.seal(NOW, udp(CLIENT_ADDR, GW_HOST, 8, i))));
    expect(sent.map(seqField)).toEqual([2 ** 32 - 2, 2 ** 32 - 1]);
    expect(client.takeRekeyDue()).toBe(true); // past the default threshold: asked on the first send
    for (const p of sent) expect(gw.open(NOW, p)).toBeInstanceOf(Uint8Array);
    for (let i = 0; i < 3; i++) expect(client.seal(NOW, udp(CLIENT_ADDR, GW_HOST))).toBe('seq-exhausted');
    expect(client.takeRekeyDue()).toBe(false);
    expect(client.nextSeqOut).toBe(2 ** 32);
    const c = client.counters();
    expect([c.packetsOut, c.dropsOut['seq-exhausted']]).toEqual([2, 3]);
  });

  it('an SA restored already exhausted refuses and asks for a rekey', () => {
    const { pair, suite, client: c0 } = ends();
    const client = EspChildSa.restore(suite, pair.client, { ...c0.state(), nextSeqOut: 2 ** 32 }, { now: NOW, seqRekeyThreshold: 2 ** 32 - 1 });
    expect(client.seal(NOW, udp(CLIENT_ADDR, GW_HOST))).toBe('seq-exhausted');
    expect(client.takeRekeyDue()).toBe(true);
  });

  it('with ESN crosses 2^32: low bits wrap, the receiver infers the high bits, reordered across the boundary', () => {
    const { pair, suite, gw: gw0, client: c0 } = ends({ esn: true });
    const client = EspChildSa.restore(suite, pair.client, { ...c0.state(), nextSeqOut: 2 ** 32 - 2 }, { now: NOW });
    const gw = EspChildSa.restore(suite, pair.gw, { ...gw0.state(), replay: { size: 128, highest: 2 ** 32 - 3, bitmap: Uint32Array.of(1, 0, 0, 0) } }, { now: NOW });
    const inner = [0, 1, 2, 3, 4].map((i) => udp(CLIENT_ADDR, GW_HOST, 16, i));
    const sent = inner.map((d) => bytes(client.seal(NOW, d)));
    expect(sent.map(seqField)).toEqual([0xffff_fffe, 0xffff_ffff, 0, 1, 2]);
    for (const i of [0, 3, 1, 2, 4]) expect(toHex(bytes(gw.open(NOW, sent[i]!)))).toBe(toHex(inner[i]!));
    expect(gw.highestSeqIn).toBe(2 ** 32 + 2);
    expect(gw.open(NOW, sent[2]!)).toBe('replay');
    expect(gw.open(NOW, sent[0]!)).toBe('replay');
    expect(client.nextSeqOut).toBe(2 ** 32 + 3);
  });
});

describe('snapshots (plain data) and failover restore (RFC 6311 4.2)', () => {
  it('a restore without the jump is dropped as replay until its counter passes the peer; with the jump it is accepted', () => {
    const { pair, suite, gw, client } = ends();
    const send = (sa: EspChildSa, tag: number) => gw.open(NOW, bytes(sa.seal(NOW, udp(CLIENT_ADDR, GW_HOST, 16, tag))));
    for (let i = 1; i <= 5; i++) expect(send(client, i)).toBeInstanceOf(Uint8Array);
    const snap: EspChildSaState = structuredClone(client.state()); // checkpoint: nextSeqOut 6
    expect(snap.nextSeqOut).toBe(6);
    for (let i = 6; i <= 25; i++) expect(send(client, i)).toBeInstanceOf(Uint8Array); // sent after the checkpoint, then the "crash"

    const stale = EspChildSa.restore(suite, pair.client, snap, { now: NOW });
    const verdicts = Array.from({ length: 25 }, (_, i) => send(stale, 100 + i));
    expect(verdicts.slice(0, 20)).toEqual(Array(20).fill('replay')); // numbers 6..25: the peer has seen them
    expect(verdicts.slice(20).every((v) => v instanceof Uint8Array)).toBe(true); // 26..30
    expect(gw.counters().dropsIn.replay).toBe(20);

    const synced = EspChildSa.restore(suite, pair.client, snap, { now: NOW, seqJump: 1000 });
    expect(synced.nextSeqOut).toBe(1006);
    expect(send(synced, 999)).toBeInstanceOf(Uint8Array);
    expect(gw.highestSeqIn).toBe(1006);
    expect(synced.counters().packetsOut).toBe(5 + 1); // counters carried over from the snapshot
  });

  it('a restored receiver keeps its window: old packets are still replays', () => {
    const { pair, suite, gw, client } = ends();
    const sent = [1, 2, 3].map((i) => bytes(client.seal(NOW, udp(CLIENT_ADDR, GW_HOST, 16, i))));
    for (const p of sent.slice(0, 2)) bytes(gw.open(NOW, p));
    const gw2 = EspChildSa.restore(suite, pair.gw, structuredClone(gw.state()), { now: NOW + 60 });
    expect(gw2.open(NOW + 60, sent[0]!)).toBe('replay');
    expect(gw2.open(NOW + 60, sent[2]!)).toBeInstanceOf(Uint8Array);
    expect(gw2.counters().packetsIn).toBe(3);
    expect(gw2.state().replay.highest).toBe(3);
  });

  it('validates a state against the SA and never jumps past the last number', () => {
    const { pair, suite, client } = ends();
    const st = client.state();
    const now = { now: NOW };
    expect(() => EspChildSa.restore(suite, pair.gw, st, now)).toThrow(/state\.spiIn/);
    expect(() => EspChildSa.restore(suite, pair.client, { ...st, nextSeqOut: 0 }, now)).toThrow(/state\.nextSeqOut/);
    expect(() => EspChildSa.restore(suite, pair.client, { ...st, nextSeqOut: 2 ** 32 + 1 }, now)).toThrow(/state\.nextSeqOut/);
    expect(() => EspChildSa.restore(suite, pair.client, { ...st, nextSeqOut: 2 ** 32 - 10 }, { now: NOW, seqJump: 11 })).toThrow(/seqJump.*never cycle/);
    expect(() => EspChildSa.restore(suite, pair.client, st, { now: NOW, seqJump: -1 })).toThrow(/seqJump/);
    expect(() => EspChildSa.restore(suite, pair.client, st, { now: NOW, seqJump: 1.5 })).toThrow(/seqJump/);
    expect(EspChildSa.restore(suite, pair.client, { ...st, nextSeqOut: 2 ** 32 - 10 }, { now: NOW, seqJump: 10 }).nextSeqOut).toBe(2 ** 32);
    expect(() => EspChildSa.restore(suite, pair.client, { ...st, replay: { size: 32, highest: 2 ** 32, bitmap: new Uint32Array(1) } }, now)).toThrow(/32 bits/);
    expect(() => EspChildSa.restore(suite, pair.client, { ...st, counters: { ...st.counters, dropsIn: { ...st.counters.dropsIn, bogus: 1 } as typeof st.counters.dropsIn } }, now)).toThrow(/unknown reason/);
    const esn = childSaPair({ esn: true }).client;
    const big = EspChildSa.restore(suite, esn, { ...st, nextSeqOut: 2 ** 40 }, { now: NOW, seqJump: 2 ** 41 });
    expect(big.nextSeqOut).toBe(2 ** 40 + 2 ** 41);
  });
});

describe('construction', () => {
  it('throws, naming the field, on bad keys, selectors and options', () => {
    const { pair, suite } = ends();
    const create = (info: typeof pair.gw, opts: Partial<EspChildSaOptions> = {}) => () => EspChildSa.create(suite, info, { now: NOW, ...opts });
    expect(create({ ...pair.gw, keysIn: { encr: new Uint8Array(16) } })).toThrow(/info\.keysIn\.encr.*20 bytes/);
    const cbc = childSaPair({ cipher: CIPHERS[3]! }).gw;
    expect(create({ ...cbc, keysOut: { encr: cbc.keysOut.encr } })).toThrow(/info\.keysOut\.integ/);
    expect(create({ ...cbc, integ: undefined })).toThrow(/integ/);
    expect(create({ ...pair.gw, localTs: ['198.18.100.0/33'] })).toThrow(/info\.localTs\[0\]/);
    expect(create({ ...pair.gw, remoteTs: [] })).toThrow(/info\.remoteTs/);
    expect(create({ ...pair.gw, spiIn: 0 })).toThrow(/info\.spiIn/);
    expect(create(pair.gw, { replayWindow: 4097 })).toThrow(/replayWindow/);
    expect(create(pair.gw, { seqRekeyThreshold: 2 ** 32 })).toThrow(/seqRekeyThreshold/);
    expect(create(pair.gw, { seqRekeyThreshold: 0 })).toThrow(/seqRekeyThreshold/);
    expect(create(pair.gw, { now: Number.NaN })).toThrow(/now/);
    expect(create(pair.gw, { replayWindow: 0 })().replayWindow).toBe(0);
  });
});
