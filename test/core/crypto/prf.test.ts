// prf and prf+ (RFC 7296 2.13), checked against RFC 4868 2.7.1 (PRF-1..6, which are the RFC 4231
// HMAC cases) and against a slow reference written from the 2.13 text.
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../src-main/core/bytes/hex.ts';
import { PrfId } from '../../../src-main/core/ike/constants.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { h, seededRandom, vectors } from './fixtures.ts';

const suite = createNobleSuite(seededRandom(1));

describe('prf: RFC 4868 2.7.1 PRF test vectors', () => {
  const algs = [
    ['PRF_HMAC_SHA2_256', PrfId.PRF_HMAC_SHA2_256, 'hmac_sha256_prf'],
    ['PRF_HMAC_SHA2_384', PrfId.PRF_HMAC_SHA2_384, 'hmac_sha384_prf'],
    ['PRF_HMAC_SHA2_512', PrfId.PRF_HMAC_SHA2_512, 'hmac_sha512_prf'],
  ] as const;
  for (const v of vectors.rfc4868_hmac_sha2.prf) {
    it.each(algs)(`${v.name} %s`, (_name, alg, field) => {
      expect(toHex(suite.prf(alg, h(v.key), h(v.data)))).toBe(v[field]);
    });
  }
});

/** prf+ as RFC 7296 2.13 writes it, one T at a time. */
function prfPlusReference(alg: number, key: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  let out: Uint8Array = new Uint8Array(0);
  let t: Uint8Array = new Uint8Array(0);
  for (let n = 1; out.length < length; n++) {
    t = suite.prf(alg, key, concatBytes(t, seed, new Uint8Array([n])));
    out = concatBytes(out, t);
  }
  return out.slice(0, length);
}

describe('prf+ (RFC 7296 2.13)', () => {
  const key = h('000102030405060708090a0b0c0d0e0f');
  const seed = h('a0a1a2a3a4a5a6a7a8a9');

  it.each([PrfId.PRF_HMAC_SHA1, PrfId.PRF_HMAC_SHA2_256, PrfId.PRF_HMAC_SHA2_384, PrfId.PRF_HMAC_SHA2_512])('equals the reference for alg %i at every length up to 3 blocks', (alg) => {
    for (const length of [0, 1, 19, 20, 21, 32, 33, 64, 65, 131, 192]) {
      expect(toHex(suite.prfPlus(alg, key, seed, length)), `length ${length}`).toBe(toHex(prfPlusReference(alg, key, seed, length)));
    }
  });

  it('T1 = prf(K, S | 0x01)', () => {
    const t1 = suite.prf(PrfId.PRF_HMAC_SHA2_256, key, concatBytes(seed, new Uint8Array([1])));
    expect(toHex(suite.prfPlus(PrfId.PRF_HMAC_SHA2_256, key, seed, 32))).toBe(toHex(t1));
  });

  it('stops at 255 prf outputs', () => {
    expect(suite.prfPlus(PrfId.PRF_HMAC_SHA1, key, seed, 255 * 20)).toHaveLength(5100);
    expect(() => suite.prfPlus(PrfId.PRF_HMAC_SHA1, key, seed, 255 * 20 + 1)).toThrow(/"length" expected a whole number from 0 to 5100/);
  });

  it('refuses an unknown PRF and non-byte arguments, naming the argument', () => {
    expect(() => suite.prf(99, key, seed)).toThrow(/"alg" is not a supported PRF transform ID: 99/);
    expect(() => suite.prfPlus(PrfId.PRF_HMAC_SHA1, 'key' as unknown as Uint8Array, seed, 20)).toThrow(/"key" expected Uint8Array/);
    expect(() => suite.prf(PrfId.PRF_HMAC_SHA1, key, [1, 2] as unknown as Uint8Array)).toThrow(/"data" expected Uint8Array/);
  });
});
