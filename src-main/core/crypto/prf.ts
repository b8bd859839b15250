/**
 * prf and prf+ (RFC 7296 2.13). Every PRF here is an HMAC, so keys of any length are used whole
 * (RFC 4868 2.1.2; RFC 7296 2.14 halves the nonces only for fixed-key PRFs such as AES-XCBC).
 *
 *   prf+ (K,S) = T1 | T2 | T3 | T4 | ...
 *   T1 = prf (K, S | 0x01)
 *   T2 = prf (K, T1 | S | 0x02)
 *   Tn = prf (K, Tn-1 | S | n), n at most 255.
 */
import { prfInfo } from './algorithms.ts';
import { expectBytes, expectInt } from './args.ts';
import { hmacOf } from './hmac.ts';

export function prf(alg: number, key: Uint8Array, data: Uint8Array): Uint8Array {
  const info = prfInfo(alg, 'alg');
  expectBytes('key', key);
  expectBytes('data', data);
  return hmacOf(info.hash, key, data);
}

/** RFC 7296 2.13: "this construction ... MUST NOT be used to produce more than 255 times the output". */
export function prfPlus(alg: number, key: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const info = prfInfo(alg, 'alg');
  expectBytes('key', key);
  expectBytes('seed', seed);
  expectInt('length', length, 0, 255 * info.outputBytes);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  // Buffer for Tn-1 | S | n, reused each round.
  const input = new Uint8Array(info.outputBytes + seed.length + 1);
  for (let n = 1, at = 0; at < length; n++) {
    input.set(t, 0);
    input.set(seed, t.length);
    input[t.length + seed.length] = n;
    t = hmacOf(info.hash, key, input.subarray(0, t.length + seed.length + 1));
    out.set(t.subarray(0, Math.min(t.length, length - at)), at);
    at += t.length;
  }
  return out;
}
