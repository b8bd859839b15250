// createNobleSuite: the injected random source is the only randomness, and a broken one is refused.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { supportedDhGroups, supportedEncrs, supportedIntegs, supportedPrfs, encrKeySizes } from '../../../src-main/core/crypto/algorithms.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { DhGroup, EncrId, IntegId, PrfId } from '../../../src-main/core/ike/constants.ts';
import { seededRandom } from './fixtures.ts';

describe('createNobleSuite', () => {
  it('draws randomness only from the injected source', () => {
    const a = createNobleSuite(seededRandom(42));
    const b = createNobleSuite(seededRandom(42));
    expect(toHex(a.randomBytes(24))).toBe(toHex(b.randomBytes(24)));
    expect(a.randomBytes(0)).toHaveLength(0);
  });

  it('returns a plain Uint8Array copy of what the source gives', () => {
    const buf = Buffer.from('0102030405', 'hex');
    const out = createNobleSuite(() => buf).randomBytes(5);
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    out[0] = 9;
    expect(buf[0]).toBe(1);
  });

  it('refuses a source that returns too few bytes or no bytes, and a bad n', () => {
    expect(() => createNobleSuite(() => new Uint8Array(3)).randomBytes(4)).toThrow(/"randomBytes" returned 3 bytes, expected 4 bytes/);
    expect(() => createNobleSuite((() => 'xx') as unknown as (n: number) => Uint8Array).randomBytes(2)).toThrow(/"randomBytes" returned string/);
    expect(() => createNobleSuite(seededRandom(1)).randomBytes(-1)).toThrow(/"n" expected a whole number/);
    expect(() => createNobleSuite(undefined as unknown as (n: number) => Uint8Array)).toThrow(/"randomBytes" expected a function/);
  });

  it('a DH exchange draws its private value through the suite', () => {
    let drawn = 0;
    const suite = createNobleSuite((n) => {
      drawn += n;
      return seededRandom(5)(n);
    });
    suite.dh(DhGroup.CURVE25519);
    expect(drawn).toBe(32);
  });
});

describe('hash: SHA-1 and SHA-256 (FIPS 180-4; the examples of FIPS 180-2 Appendices A and B)', () => {
  const suite = createNobleSuite(seededRandom(7));
  const ascii = (s: string) => new TextEncoder().encode(s);
  const twoBlocks = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';

  it('one-block message "abc"', () => {
    expect(toHex(suite.hash('sha1', ascii('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toHex(suite.hash('sha256', ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('multi-block message (448 bits)', () => {
    expect(toHex(suite.hash('sha1', ascii(twoBlocks)))).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
    expect(toHex(suite.hash('sha256', ascii(twoBlocks)))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('refuses other names and non-byte data, naming the argument', () => {
    expect(() => suite.hash('md5' as 'sha1', ascii('abc'))).toThrow(/"alg" expected one of sha1, sha256, got md5/);
    expect(() => suite.hash('toString' as 'sha1', ascii('abc'))).toThrow(/"alg"/);
    expect(() => suite.hash('sha256', 'abc' as unknown as Uint8Array)).toThrow(/"data" expected Uint8Array/);
  });
});

describe('the algorithm registry', () => {
  it('lists what WakeLab implements, by IANA ID', () => {
    expect(supportedPrfs().map((p) => p.id)).toEqual([PrfId.PRF_HMAC_SHA1, PrfId.PRF_HMAC_SHA2_256, PrfId.PRF_HMAC_SHA2_384, PrfId.PRF_HMAC_SHA2_512]);
    expect(supportedIntegs().map((p) => [p.id, p.keyBytes, p.icvBytes])).toEqual([
      [IntegId.AUTH_HMAC_SHA1_96, 20, 12],
      [IntegId.AUTH_HMAC_SHA2_256_128, 32, 16],
      [IntegId.AUTH_HMAC_SHA2_384_192, 48, 24],
      [IntegId.AUTH_HMAC_SHA2_512_256, 64, 32],
    ]);
    expect(supportedEncrs().map((e) => e.id)).toEqual([EncrId.ENCR_AES_CBC, EncrId.ENCR_AES_GCM_8, EncrId.ENCR_AES_GCM_12, EncrId.ENCR_AES_GCM_16, EncrId.ENCR_CHACHA20_POLY1305]);
    expect(supportedDhGroups().map((g) => [g.id, g.publicBytes, g.sharedBytes])).toEqual([
      [DhGroup.MODP_1024, 128, 128],
      [DhGroup.MODP_2048, 256, 256],
      [DhGroup.MODP_3072, 384, 384],
      [DhGroup.ECP_256, 64, 32],
      [DhGroup.ECP_384, 96, 48],
      [DhGroup.CURVE25519, 32, 32],
    ]);
  });

  it('key material: AES-CBC key only, AEAD key | 4-octet salt (RFC 5282 7.1, RFC 7634 2)', () => {
    expect(encrKeySizes(EncrId.ENCR_AES_CBC, 192)).toMatchObject({ keyBytes: 24, keymatBytes: 24 });
    expect(encrKeySizes(EncrId.ENCR_AES_GCM_16, 256)).toMatchObject({ keyBytes: 32, keymatBytes: 36 });
    expect(encrKeySizes(EncrId.ENCR_CHACHA20_POLY1305, undefined)).toMatchObject({ keyBytes: 32, keymatBytes: 36 });
  });
});
