// What a session recording keeps of each datagram: only the octets readable on the wire.
import { describe, expect, it } from 'vitest';
import { wireHead, wireHeadLength, wireHeadOf } from '../../../src-main/core/session/wire-head.ts';

const filled = (n: number, at = 0, v = 0xab) => {
  const b = new Uint8Array(n).fill(v);
  b.fill(0, 0, at);
  return b;
};

describe('wire heads', () => {
  it('keeps the SPI and sequence number of ESP on the NAT-T port, nothing of its ciphertext', () => {
    const esp = filled(1436);
    expect(wireHeadLength(esp, true)).toBe(8);
    expect([...wireHead(esp, true)]).toEqual([...esp.subarray(0, 8)]);
  });

  it('keeps the non-ESP marker, the IKE header and the first payload header on the NAT-T port', () => {
    const ike = filled(300, 4); // 4 zero octets: the non-ESP marker (RFC 3948 2.2)
    expect(wireHeadLength(ike, true)).toBe(4 + 28 + 4);
  });

  it('keeps the IKE header and the first payload header on port 500', () => {
    expect(wireHeadLength(filled(300), false)).toBe(32);
    expect(wireHeadLength(filled(30), false)).toBe(30);
  });

  it('keeps a NAT-T keepalive whole and at most 8 octets of anything else', () => {
    expect(wireHeadLength(Uint8Array.of(0xff), true)).toBe(1);
    expect(wireHeadLength(filled(20), false)).toBe(8);
    expect(wireHeadLength(filled(3), true)).toBe(3);
    expect(wireHeadLength(new Uint8Array(0), true)).toBe(0);
  });

  it('copies, so a recycled datagram buffer cannot change the record', () => {
    const b = filled(100);
    const h = wireHead(b, true);
    b.fill(0);
    expect(h[0]).toBe(0xab);
  });

  it('gives the same octets as a view of a payload that stays, one shared array for keepalives', () => {
    const cases: [Uint8Array, boolean][] = [[filled(1436), true], [filled(300, 4), true], [filled(300), false], [filled(30), false], [filled(20), false], [filled(3), true], [Uint8Array.of(0xff), true], [filled(65), true]];
    for (const [payload, natt] of cases) expect([...wireHeadOf(payload, natt)]).toEqual([...wireHead(payload, natt)]);
    // A view of a large payload: the same memory, no copy.
    const big = filled(300);
    const h = wireHeadOf(big, false);
    expect([h.buffer === big.buffer, h.byteOffset, h.length]).toEqual([true, 0, 32]);
    // A small one (inside V8's heap) is copied; keepalives share one array.
    const small = filled(30);
    expect(wireHeadOf(small, false).buffer === small.buffer).toBe(false);
    expect(wireHeadOf(Uint8Array.of(0xff), true)).toBe(wireHeadOf(Uint8Array.of(0xff), false));
  });
});
