// The Internet checksum (RFC 1071): the fast deferred-carry sum against the RFC's own worked
// example and against a reference written differently (fixtures.ts).
import { describe, expect, it } from 'vitest';
import { checksumOf, fold, sumWords, verifies } from '../../../src-main/core/inner/checksum.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { h, PING, refChecksum } from './fixtures.ts';

describe('Internet checksum', () => {
  it('RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0x2ddf0, folds to 0xddf2', () => {
    const b = h('0001f203f4f5f6f7');
    expect(sumWords(b, 0, b.length)).toBe(0x2ddf0);
    expect(fold(0x2ddf0)).toBe(0xddf2);
    expect(checksumOf(sumWords(b, 0, b.length))).toBe(0x220d);
    expect(refChecksum(b)).toBe(0x220d);
  });

  it('pads an odd last byte with zero on the right', () => {
    expect(sumWords(h('0102 03'), 0, 3)).toBe(0x0102 + 0x0300);
    expect(checksumOf(sumWords(h('ff'), 0, 1))).toBe(0x00ff);
  });

  it('verifies the hand-checked packet: IP header and ICMP message both sum to 0xffff', () => {
    expect(verifies(sumWords(PING, 0, 20))).toBe(true);
    expect(verifies(sumWords(PING, 20, PING.length))).toBe(true);
    expect(verifies(sumWords(PING, 0, 19))).toBe(false);
  });

  it('equals the reference on random data of every small length and a few large ones', () => {
    const rng = new Rng(1071);
    const lengths = [...Array.from({ length: 70 }, (_, i) => i), 1499, 1500, 65515, 65535];
    for (const n of lengths) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = rng.nextU32() & 0xff;
      expect(checksumOf(sumWords(b, 0, n)), `length ${n}`).toBe(refChecksum(b));
    }
    // Near the largest sum a datagram can reach (every word 0xffff, plus a pseudo-header): no overflow.
    const ones = new Uint8Array(65536).fill(0xff);
    expect(sumWords(ones, 0, ones.length, 0xffff * 6)).toBe(32774 * 0xffff);
    expect(checksumOf(sumWords(ones, 0, ones.length, 0xffff * 6))).toBe(0);
    expect(checksumOf(sumWords(ones, 0, 65535))).toBe(0x00ff);
    expect(refChecksum(ones, 0, 65535)).toBe(0x00ff);
  });

  it('chains segments that start on even offsets, with an initial sum', () => {
    const b = h('4500002400004000400100000a0000010a000002');
    const whole = sumWords(b, 0, b.length);
    expect(sumWords(b, 10, b.length, sumWords(b, 0, 10))).toBe(whole);
  });
});
