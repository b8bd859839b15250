// IPv4 header codec (RFC 791 3.1): a golden packet, build/parse identity, and every way a header
// can be wrong giving its drop reason without throwing.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { allocIpv4, decodeIpv4, encodeIpv4, IPV4_HEADER_BYTES, IpProtocol, type Ipv4Packet } from '../../../src-main/core/inner/ipv4-packet.ts';
import { CLIENT, h, HOST, PING, refChecksum, resealIpv4, u16 } from './fixtures.ts';

function decodeOk(b: Uint8Array): Ipv4Packet {
  const p = decodeIpv4(b);
  if (!p.ok) throw new Error(`dropped: ${p.reason}`);
  return p;
}

describe('decodeIpv4', () => {
  it('golden: the hand-checked ping', () => {
    const p = decodeOk(PING);
    expect(p).toMatchObject({ headerLength: 20, tos: 0, totalLength: 36, id: 0x1c46, dontFragment: true, ttl: 64, protocol: IpProtocol.ICMP, src: CLIENT, dst: HOST });
    expect(toHex(p.payload)).toBe('08007caa0a0b000157616b654c616221');
    // A view, not a copy.
    expect(p.payload.buffer).toBe(PING.buffer);
  });

  it('every strict prefix is a bad header', () => {
    for (let n = 0; n < PING.length; n++) expect(decodeIpv4(PING.subarray(0, n)), `prefix ${n}`).toEqual({ ok: false, reason: 'bad-header' });
  });

  it('ignores bytes after Total Length (ESP TFC padding, RFC 4303 2.4)', () => {
    const padded = new Uint8Array(PING.length + 13);
    padded.set(PING);
    const p = decodeOk(padded);
    expect(p.totalLength).toBe(36);
    expect(p.payload).toHaveLength(16);
  });

  it('refuses a wrong version, IHL below 5, Total Length below IHL or past the bytes', () => {
    const variants: Array<[string, (b: Uint8Array) => void]> = [
      ['version 6', (b) => (b[0] = 0x65)],
      ['version 0', (b) => (b[0] = 0x05)],
      ['IHL 4', (b) => (b[0] = 0x44)],
      ['IHL 0', (b) => (b[0] = 0x40)],
      ['IHL 15 past Total Length', (b) => (b[0] = 0x4f)],
      ['Total Length 19', (b) => ((b[2] = 0), (b[3] = 19))],
      ['Total Length 37', (b) => ((b[2] = 0), (b[3] = 37))],
      ['Total Length 65535', (b) => ((b[2] = 0xff), (b[3] = 0xff))],
    ];
    for (const [name, change] of variants) {
      const b = PING.slice();
      change(b);
      expect(decodeIpv4(resealIpv4(b)), name).toEqual({ ok: false, reason: 'bad-header' });
    }
  });

  it('refuses a header whose checksum does not verify, whichever header bit is wrong', () => {
    // Bits of the version nibble and the length fields fail the structure checks first.
    for (let byte = 0; byte < IPV4_HEADER_BYTES; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const b = PING.slice();
        b[byte] = b[byte]! ^ (1 << bit);
        const r = decodeIpv4(b);
        expect(r.ok, `byte ${byte} bit ${bit}`).toBe(false);
        if (byte >= 4) expect(r, `byte ${byte} bit ${bit}`).toEqual({ ok: false, reason: 'bad-checksum' });
      }
    }
    // The payload is not covered by the header checksum.
    const b = PING.slice();
    b[30] = b[30]! ^ 1;
    expect(decodeIpv4(b).ok).toBe(true);
  });

  it('refuses fragments: MF set, or any offset, and accepts DF', () => {
    const withFrag = (word: number): Uint8Array => {
      const b = PING.slice();
      b[6] = word >> 8;
      b[7] = word & 0xff;
      return resealIpv4(b);
    };
    expect(decodeIpv4(withFrag(0x2000))).toEqual({ ok: false, reason: 'fragment' }); // first fragment
    expect(decodeIpv4(withFrag(0x2001))).toEqual({ ok: false, reason: 'fragment' }); // middle
    expect(decodeIpv4(withFrag(0x0001))).toEqual({ ok: false, reason: 'fragment' }); // last
    expect(decodeIpv4(withFrag(0x1fff))).toEqual({ ok: false, reason: 'fragment' });
    expect(decodeOk(withFrag(0x0000)).dontFragment).toBe(false);
    expect(decodeOk(withFrag(0x4000)).dontFragment).toBe(true);
    // The reserved bit is ignored.
    expect(decodeIpv4(withFrag(0x8000)).ok).toBe(true);
  });

  it('skips options by IHL', () => {
    // IHL 6: four NOP options (RFC 791 3.1, option type 1) before the ICMP message.
    const b = new Uint8Array(PING.length + 4);
    b.set(PING.subarray(0, 20));
    b.set([1, 1, 1, 1], 20);
    b.set(PING.subarray(20), 24);
    b[0] = 0x46;
    b[3] = 40;
    const p = decodeOk(resealIpv4(b));
    expect(p.headerLength).toBe(24);
    expect(toHex(p.payload)).toBe(toHex(PING.subarray(20)));
  });

  it('never throws on a non-Uint8Array', () => {
    expect(decodeIpv4(undefined as unknown as Uint8Array)).toEqual({ ok: false, reason: 'bad-header' });
    expect(decodeIpv4([0x45] as unknown as Uint8Array)).toEqual({ ok: false, reason: 'bad-header' });
  });
});

describe('allocIpv4 / encodeIpv4', () => {
  it('golden: rebuilds the ping header byte for byte', () => {
    const b = encodeIpv4({ src: CLIENT, dst: HOST, protocol: IpProtocol.ICMP, id: 0x1c46 }, PING.subarray(20));
    expect(toHex(b)).toBe(toHex(PING));
  });

  it('round trip: decode(encode(fields)) gives the fields back, checksum equal to the reference', () => {
    const fields = { src: 0x0a000001, dst: 0xc0000201, protocol: 253, id: 0xfffe, ttl: 1, tos: 0xb8, dontFragment: false };
    const payload = h('00112233445566');
    const b = encodeIpv4(fields, payload);
    expect(u16(b, 10)).toBe(refChecksum(new Uint8Array([...b.subarray(0, 10), 0, 0, ...b.subarray(12, 20)])));
    const p = decodeOk(b);
    expect(p).toMatchObject({ ...fields, headerLength: 20, totalLength: 27 });
    expect(toHex(p.payload)).toBe('00112233445566');
    expect(toHex(encodeIpv4(p, p.payload))).toBe(toHex(b));
  });

  it('builds the largest datagram, and leaves the payload to the caller', () => {
    const b = allocIpv4({ src: HOST, dst: CLIENT, protocol: 17, id: 1 }, 65515);
    expect(b).toHaveLength(65535);
    expect(u16(b, 2)).toBe(65535);
    expect(decodeOk(b).payload).toHaveLength(65515);
  });

  it('throws INVALID_ARGUMENT naming the field on a bad local value', () => {
    const ok = { src: HOST, dst: CLIENT, protocol: 1, id: 0 };
    expect(() => allocIpv4(ok, 65516)).toThrow(/payloadLength/);
    expect(() => allocIpv4(ok, -1)).toThrow(/payloadLength/);
    expect(() => allocIpv4({ ...ok, id: 0x10000 }, 0)).toThrow(/IPv4 id/);
    expect(() => allocIpv4({ ...ok, src: -1 }, 0)).toThrow(/IPv4 src/);
    expect(() => allocIpv4({ ...ok, ttl: 256 }, 0)).toThrow(/IPv4 ttl/);
    expect(() => allocIpv4({ ...ok, protocol: 1.5 }, 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
