// UDP (RFC 768): pseudo-header checksum on input and output, "no checksum", the all-ones rule for a
// computed zero, and the Length field's bounds.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { fold, sumWords } from '../../../src-main/core/inner/checksum.ts';
import { decodeUdp, encodeUdp, UDP_MAX_PAYLOAD } from '../../../src-main/core/inner/udp.ts';
import { CLIENT, h, HOST, refChecksum, u16, UDP_ECHO } from './fixtures.ts';

const SEG = UDP_ECHO.subarray(20);

/** RFC 768's checksum by the reference: pseudo-header + segment with the field zeroed. */
function refUdpChecksum(src: number, dst: number, seg: Uint8Array): number {
  const pseudo = [src >>> 24, (src >>> 16) & 255, (src >>> 8) & 255, src & 255, dst >>> 24, (dst >>> 16) & 255, (dst >>> 8) & 255, dst & 255, 0, 17, seg.length >> 8, seg.length & 255];
  const all = new Uint8Array([...pseudo, ...seg.subarray(0, 6), 0, 0, ...seg.subarray(8)]);
  return refChecksum(all) || 0xffff;
}

describe('UDP', () => {
  it('golden: parses the hand-checked datagram', () => {
    const u = decodeUdp(CLIENT, HOST, SEG);
    expect(u).toMatchObject({ ok: true, srcPort: 40000, dstPort: 7, length: 12, checksum: 0xcc94 });
    if (u.ok) expect(toHex(u.payload)).toBe(toHex(h('70696e67')));
  });

  it('golden: builds the same datagram, checksum equal to the reference', () => {
    const b = encodeUdp({ src: CLIENT, dst: HOST, id: 0x1c47 }, 40000, 7, h('70696e67'));
    expect(toHex(b)).toBe(toHex(UDP_ECHO));
    expect(u16(b, 26)).toBe(refUdpChecksum(CLIENT, HOST, b.subarray(20)));
  });

  it('the checksum covers the pseudo-header: another address pair fails', () => {
    expect(decodeUdp(CLIENT, HOST + 1, SEG)).toEqual({ ok: false, reason: 'bad-checksum' });
    expect(decodeUdp(CLIENT - 1, HOST, SEG)).toEqual({ ok: false, reason: 'bad-checksum' });
  });

  it('a zero checksum means none was computed, and is accepted', () => {
    const b = SEG.slice();
    b[6] = 0;
    b[7] = 0;
    b[9] = 0x6f; // the data changed too: nothing checks it
    expect(decodeUdp(CLIENT, HOST, b)).toMatchObject({ ok: true, checksum: 0 });
  });

  it('a computed zero is sent as 0xffff, and verifies', () => {
    // Choose two data bytes that make the one's complement sum 0xffff, so the checksum computes to 0.
    const base = encodeUdp({ src: HOST, dst: CLIENT, id: 0 }, 7, 40000, h('0000'));
    base[26] = 0;
    base[27] = 0;
    const s = fold(sumWords(base, 20, base.length, (HOST >>> 16) + (HOST & 0xffff) + (CLIENT >>> 16) + (CLIENT & 0xffff) + 17 + 10));
    const fill = 0xffff - s;
    const b = encodeUdp({ src: HOST, dst: CLIENT, id: 0 }, 7, 40000, Uint8Array.of(fill >> 8, fill & 0xff));
    expect(refChecksum(new Uint8Array([...h('c6126401c612c8020011000a'), ...b.subarray(20, 26), 0, 0, ...b.subarray(28)]))).toBe(0);
    expect(u16(b, 26)).toBe(0xffff);
    expect(decodeUdp(HOST, CLIENT, b.subarray(20))).toMatchObject({ ok: true, checksum: 0xffff });
  });

  it('random payloads: the checksum always equals the reference and verifies', () => {
    for (let n = 0; n < 40; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const b = encodeUdp({ src: CLIENT, dst: HOST, id: n }, 1000 + n, 9, data);
      expect(u16(b, 26), `length ${n}`).toBe(refUdpChecksum(CLIENT, HOST, b.subarray(20)));
      expect(decodeUdp(CLIENT, HOST, b.subarray(20)).ok).toBe(true);
    }
  });

  it('Length: below 8 or past the IP payload is a bad header; IP bytes past it are ignored', () => {
    for (let n = 0; n < 8; n++) expect(decodeUdp(CLIENT, HOST, SEG.subarray(0, n)), `prefix ${n}`).toEqual({ ok: false, reason: 'bad-header' });
    for (const len of [0, 7, 13, 0xffff]) {
      const b = SEG.slice();
      b[4] = len >> 8;
      b[5] = len & 0xff;
      expect(decodeUdp(CLIENT, HOST, b), `Length ${len}`).toEqual({ ok: false, reason: 'bad-header' });
    }
    const longer = new Uint8Array(SEG.length + 3);
    longer.set(SEG);
    expect(decodeUdp(CLIENT, HOST, longer)).toMatchObject({ ok: true, length: 12 });
  });

  it('damaged bytes fail the checksum', () => {
    for (let i = 0; i < SEG.length; i++) {
      if (i === 4 || i === 5) continue; // Length: checked as structure first
      const b = SEG.slice();
      b[i] = b[i]! ^ 0x01;
      expect(decodeUdp(CLIENT, HOST, b), `byte ${i}`).toEqual({ ok: false, reason: 'bad-checksum' });
    }
  });

  it('refuses bad local values naming the field', () => {
    const ip = { src: HOST, dst: CLIENT, id: 0 };
    expect(() => encodeUdp(ip, 70000, 7, h(''))).toThrow(/srcPort/);
    expect(() => encodeUdp(ip, 7, -1, h(''))).toThrow(/dstPort/);
    expect(() => encodeUdp(ip, 7, 7, new Uint8Array(UDP_MAX_PAYLOAD + 1))).toThrow(/payloadLength/);
    expect(encodeUdp(ip, 7, 7, new Uint8Array(UDP_MAX_PAYLOAD))).toHaveLength(65535);
  });
});
