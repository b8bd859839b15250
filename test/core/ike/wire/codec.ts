// Shared checks for the IKEv2 codec tests (docs/architecture.md habit 4): a golden fixture written
// by hand from the RFC layout, encode/decode/encode identity, every strict prefix rejected cleanly.
import { expect } from 'vitest';
import { Reader } from '../../../../src-main/core/bytes/cursor.ts';
import { fromHex, toHex } from '../../../../src-main/core/bytes/hex.ts';
import { decodePayloads, type PayloadList } from '../../../../src-main/core/ike/wire/payload-chain.ts';
import { bodyLength, type Payload } from '../../../../src-main/core/ike/wire/payloads.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import type { Decoded } from '../../../../src-main/core/ike/wire/result.ts';

/** Hex with `// comments` to the end of each line. */
export function fixture(text: string): Uint8Array {
  return fromHex(text.replace(/\/\/[^\n]*/g, ''));
}

export function decodeOne(bytes: Uint8Array, type: number): Decoded<PayloadList> {
  return decodePayloads(new Reader(bytes), type);
}

/** The one payload a fixture holds; fails the test on a drop. */
export function payloadOf(bytes: Uint8Array, type: number): Payload {
  const d = decodeOne(bytes, type);
  if (!d.ok) throw new Error(`expected a payload, got ${d.reason}: ${d.detail}`);
  expect(d.value.payloads).toHaveLength(1);
  return d.value.payloads[0]!;
}

/** Every strict prefix of `bytes` decodes to a failure, never a throw. */
export function expectEveryPrefixRejected(bytes: Uint8Array, decode: (b: Uint8Array) => { ok: boolean }): void {
  for (let n = 0; n < bytes.length; n++) {
    let result: { ok: boolean } | undefined;
    expect(() => (result = decode(bytes.subarray(0, n))), `prefix of ${n} bytes threw`).not.toThrow();
    expect(result!.ok, `prefix of ${n} of ${bytes.length} bytes was accepted`).toBe(false);
  }
}

/**
 * The golden payload (generic header with Next Payload NONE, then the body) against its value:
 * encode gives the fixture, decode gives the value, encode(decode) gives the fixture again, the
 * length function agrees, and every strict prefix is rejected.
 */
export function expectCodec(golden: Uint8Array, value: Payload): void {
  expect(toHex(encodeInnerPayloads([value]))).toBe(toHex(golden));
  expect(bodyLength(value)).toBe(golden.length - 4);
  const decoded = payloadOf(golden, value.type);
  expect(decoded).toEqual(value);
  expect(toHex(encodeInnerPayloads([decoded]))).toBe(toHex(golden));
  expectEveryPrefixRejected(golden, (b) => decodeOne(b, value.type));
}

/** Every strict prefix of a payload body, with a generic header that agrees with it, is rejected. */
export function expectEveryBodyPrefixRejected(golden: Uint8Array, type: number): void {
  const body = golden.subarray(4);
  expectEveryPrefixRejected(body, (b) => {
    const framed = new Uint8Array(4 + b.length);
    framed.set([0, 0, (4 + b.length) >> 8, (4 + b.length) & 0xff]);
    framed.set(b, 4);
    return decodeOne(framed, type);
  });
}

/** A payload with this body behind a generic header (Next Payload NONE, length filled in). */
export function withBody(bodyHex: string): Uint8Array {
  const body = fixture(bodyHex);
  const out = new Uint8Array(4 + body.length);
  out.set([0, 0, (4 + body.length) >> 8, (4 + body.length) & 0xff]);
  out.set(body, 4);
  return out;
}

export function expectMalformed(bytes: Uint8Array, type: number, detail: RegExp): void {
  const d = decodeOne(bytes, type);
  expect(d.ok).toBe(false);
  if (d.ok) return;
  expect(d.reason).toBe('malformed-payload');
  expect(d.payloadType).toBe(type);
  expect(d.detail).toMatch(detail);
}
