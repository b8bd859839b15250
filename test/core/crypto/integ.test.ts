// Integrity transforms: RFC 4868 2.7.2 authenticator vectors (AUTH256/384/512-1..4), each checked
// as the full HMAC and as the truncated ICV. Two misprints of the source are handled in the JSON
// (test/vectors/README.md): AUTH512-4's key is the 64-byte 0102..40, AUTH384-1's ICV is 192 bits.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { IntegId, PrfId } from '../../../src-main/core/ike/constants.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { flipBit, h, seededRandom, vectors } from './fixtures.ts';

const suite = createNobleSuite(seededRandom(2));
const INTEG = { sha256: IntegId.AUTH_HMAC_SHA2_256_128, sha384: IntegId.AUTH_HMAC_SHA2_384_192, sha512: IntegId.AUTH_HMAC_SHA2_512_256 } as const;
const PRF = { sha256: PrfId.PRF_HMAC_SHA2_256, sha384: PrfId.PRF_HMAC_SHA2_384, sha512: PrfId.PRF_HMAC_SHA2_512 } as const;

describe('sign / verify: RFC 4868 2.7.2 authenticator vectors', () => {
  for (const v of vectors.rfc4868_hmac_sha2.auth) {
    const hash = v.hash as keyof typeof INTEG;
    it(`${v.name}: ICV is the first ${v.truncated_bytes} octets of the HMAC`, () => {
      expect(toHex(suite.prf(PRF[hash], h(v.key), h(v.data)))).toBe(v.prf_output);
      const icv = suite.sign(INTEG[hash], h(v.key), h(v.data));
      expect(icv).toHaveLength(v.truncated_bytes);
      expect(toHex(icv)).toBe(v.truncated_icv);
      expect(suite.verify(INTEG[hash], h(v.key), h(v.data), h(v.truncated_icv))).toBe(true);
    });
    it(`${v.name}: verify refuses a flipped ICV, flipped data and a short ICV`, () => {
      expect(suite.verify(INTEG[hash], h(v.key), h(v.data), flipBit(h(v.truncated_icv), -1))).toBe(false);
      expect(suite.verify(INTEG[hash], h(v.key), flipBit(h(v.data), 0), h(v.truncated_icv))).toBe(false);
      expect(suite.verify(INTEG[hash], h(v.key), h(v.data), h(v.truncated_icv).subarray(1))).toBe(false);
    });
  }
});

describe('AUTH_HMAC_SHA1_96 (RFC 2404)', () => {
  // The AOSP session's IKE_AUTH request: HMAC-SHA1-96 with SK_ai over the message up to the ICV.
  const v = vectors.android_ike_library_unit_tests.vectors.sha1_aescbc128_modp1024_chain;
  it('gives the traced ICV', () => {
    const msg = h(v.ike_auth_request);
    const icv = suite.sign(IntegId.AUTH_HMAC_SHA1_96, h(v.keys.SK_ai), msg.subarray(0, msg.length - 12));
    expect(toHex(icv)).toBe(v.ike_auth_request_icv_hmac_sha1_96);
  });
});

describe('local misuse throws, naming the argument', () => {
  it('a key of the wrong length (RFC 4868 2.1.1: key length = output length)', () => {
    expect(() => suite.sign(IntegId.AUTH_HMAC_SHA2_256_128, new Uint8Array(20), new Uint8Array(4))).toThrow(/"key" expected 32 bytes for AUTH_HMAC_SHA2_256_128, got 20/);
  });
  it('an unknown or NONE integrity transform', () => {
    expect(() => suite.sign(IntegId.NONE, new Uint8Array(20), new Uint8Array(4))).toThrow(/"alg" is not a supported INTEG transform ID: 0/);
    expect(() => suite.verify(5, new Uint8Array(20), new Uint8Array(4), new Uint8Array(12))).toThrow(/"alg"/);
  });
});
