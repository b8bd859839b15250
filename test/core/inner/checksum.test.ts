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
    expect(fold(sumWords(ones, 0, ones.length, 0xffff * 6))).toBe(fold(32774 * 0xffff));
    expect(checksumOf(sumWords(ones, 0, ones.length, 0xffff * 6))).toBe(0);
    expect(checksumOf(sumWords(ones, 0, 65535))).toBe(0x00ff);
    expect(refChecksum(ones, 0, 65535)).toBe(0x00ff);
  });

  it('chains segments that start on even offsets, with an initial sum', () => {
    const b = h('4500002400004000400100000a0000010a000002');
    const whole = sumWords(b, 0, b.length);
    expect(sumWords(b, 10, b.length, sumWords(b, 0, 10))).toBe(whole);
  });

  it('the 32-bit path (long runs) equals the byte loop at every alignment, length and initial sum', () => {
    // sumWords returns a sum congruent to the byte loop's mod 0xffff (and zero only when it is):
    // fold() of both must agree, for views starting at each offset of a buffer.
    const rng = new Rng(2071);
    const backing = new Uint8Array(1600);
    for (let i = 0; i < backing.length; i++) backing[i] = rng.nextU32() & 0xff;
    const pairs = (b: Uint8Array, start: number, end: number, initial: number): number => {
      let s = initial;
      for (let i = start; i < end; i += 2) s += (b[i]! << 8) | (i + 1 < end ? b[i + 1]! : 0);
      return s;
    };
    for (const viewAt of [0, 1, 2, 3, 4, 6]) {
      const view = backing.subarray(viewAt);
      for (const start of [0, 2, 20]) {
        for (const length of [127, 128, 129, 130, 131, 1380, 1381, 1402]) {
          for (const initial of [0, 0x1234, 0xffff * 3]) {
            const where = `view at ${viewAt}, start ${start}, length ${length}, initial ${initial}`;
            expect(fold(sumWords(view, start, start + length, initial)), where).toBe(fold(pairs(view, start, start + length, initial)));
          }
        }
      }
    }
    expect(sumWords(new Uint8Array(256), 0, 256)).toBe(0); // all zero words: zero, not 0xffff
    expect(verifies(sumWords(new Uint8Array(256).fill(0xff), 0, 256))).toBe(true);
  });
});
