/**
 * Integrity transforms (Transform Type 3): HMAC truncated to the ICV length, left-most octets
 * kept (RFC 2404 2, RFC 4868 2.3). The receiver computes the whole HMAC and compares the first
 * octets in constant time.
 */
import { constantTimeEqual } from '../bytes/hex.ts';
import { integInfo } from './algorithms.ts';
import { expectBytes } from './args.ts';
import { hmacOf } from './hmac.ts';

export function integSign(alg: number, key: Uint8Array, data: Uint8Array): Uint8Array {
  const info = integInfo(alg, 'alg');
  // RFC 4868 2.1.1: the key length equals the hash output; RFC 2404 3: 160 bits for SHA-1.
  expectBytes('key', key, info.keyBytes, info.name);
  expectBytes('data', data);
  return hmacOf(info.hash, key, data).subarray(0, info.icvBytes);
}

/** False for an ICV of the wrong length too: the ICV comes from the network. */
export function integVerify(alg: number, key: Uint8Array, data: Uint8Array, icv: Uint8Array): boolean {
  const expected = integSign(alg, key, data);
  expectBytes('icv', icv);
  return constantTimeEqual(expected, icv);
}
