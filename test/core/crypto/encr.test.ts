// SK payload encryption (RFC 7296 3.14, RFC 5282, RFC 7634): published vectors both ways, then
// every cipher against tampering. decrypt never throws on what the network controls.
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../src-main/core/bytes/hex.ts';
import { EncrId, IntegId } from '../../../src-main/core/ike/constants.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { padSkPlaintext, unpadSkPlaintext } from '../../../src-main/core/crypto/sk-padding.ts';
import type { SkCipher, SkKeys } from '../../../src-main/core/crypto/suite.ts';
import { flipBit, h, seededRandom, vectors } from './fixtures.ts';

const suite = createNobleSuite(seededRandom(3));

describe('RFC 7634 Appendix B: IKEv2 INFORMATIONAL with ChaCha20-Poly1305', () => {
  const v = vectors.rfc7634_chacha20_poly1305;
  const ike = v.ikev2_example;
  const alg: SkCipher = { encr: EncrId.ENCR_CHACHA20_POLY1305 };
  const keys: SkKeys = { encr: h(v.keymat) }; // key | salt (RFC 7634 2)

  it('keymat is key | salt', () => {
    expect(v.keymat).toBe(v.key + v.salt);
  });

  it('encrypts the padded plaintext to the published ciphertext and tag', () => {
    const out = suite.encrypt(alg, keys, h(v.iv), h(ike.plaintext_with_zero_pad_length), h(ike.aad_ike_header_plus_sk_header));
    expect(toHex(out)).toBe(ike.ciphertext + ike.tag);
    // The message is AAD | IV | ciphertext | tag (RFC 7634 3, RFC 5282 5.1).
    expect(toHex(concatBytes(h(ike.aad_ike_header_plus_sk_header), h(v.iv), out))).toBe(ike.ike_message);
  });

  it('decrypts it back, and the Pad Length of 0 leaves the Notify payload', () => {
    const pt = suite.decrypt(alg, keys, h(v.iv), h(ike.ciphertext + ike.tag), h(ike.aad_ike_header_plus_sk_header));
    expect(pt && toHex(pt)).toBe(ike.plaintext_with_zero_pad_length);
    expect(toHex(unpadSkPlaintext(pt!)!)).toBe(ike.notify_payload);
  });
});

describe('AOSP IkeCombinedModeCipherTest: an IKE SK payload with AES-GCM-16-256', () => {
  const v = vectors.android_ike_library_unit_tests.vectors.ike_aes_gcm16_256_sk_payload;
  const alg: SkCipher = { encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 };
  const keys: SkKeys = { encr: h(v.sk_e_with_salt) };

  it('encrypts and decrypts both ways', () => {
    expect(toHex(suite.encrypt(alg, keys, h(v.iv), h(v.plaintext_with_pad_length), h(v.aad_ike_hdr_plus_sk_hdr)))).toBe(v.ciphertext_and_icv);
    const pt = suite.decrypt(alg, keys, h(v.iv), h(v.ciphertext_and_icv), h(v.aad_ike_hdr_plus_sk_hdr));
    expect(pt && toHex(pt)).toBe(v.plaintext_with_pad_length);
  });
});

describe('draft-mcgrew-gcm-test-01 4: AES-GCM as RFC 4106 ESP uses it (same nonce and key layout)', () => {
  for (const c of vectors.esp_aes_gcm_gmac_draft_mcgrew_gcm_test_01.cases) {
    it(`case ${c.case} (${c.algorithm}, ${c.key.length * 4}-bit key)`, () => {
      // GMAC (case 15, RFC 4543) is GCM over an empty plaintext with everything in the AAD.
      const alg: SkCipher = { encr: EncrId.ENCR_AES_GCM_16, keyLength: c.key.length * 4 };
      const keys: SkKeys = { encr: h(c.key + c.salt) };
      expect(c.nonce).toBe(c.salt + c.iv);
      expect(toHex(suite.encrypt(alg, keys, h(c.iv), h(c.plaintext), h(c.aad)))).toBe(c.ctext_and_tag);
      expect(toHex(suite.decrypt(alg, keys, h(c.iv), h(c.ctext_and_tag), h(c.aad))!)).toBe(c.plaintext);
    });
  }
});

// Every cipher WakeLab negotiates, with keys drawn from the seeded source.
const CIPHERS: ReadonlyArray<[string, SkCipher, number, number]> = [
  // name, cipher, SK_e length, SK_a length
  ['AES-CBC-128 + HMAC-SHA1-96', { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA1_96 }, 16, 20],
  ['AES-CBC-256 + HMAC-SHA2-256-128', { encr: EncrId.ENCR_AES_CBC, keyLength: 256, integ: IntegId.AUTH_HMAC_SHA2_256_128 }, 32, 32],
  ['AES-CBC-192 + HMAC-SHA2-512-256', { encr: EncrId.ENCR_AES_CBC, keyLength: 192, integ: IntegId.AUTH_HMAC_SHA2_512_256 }, 24, 64],
  ['AES-GCM-8-128', { encr: EncrId.ENCR_AES_GCM_8, keyLength: 128 }, 20, 0],
  ['AES-GCM-12-192', { encr: EncrId.ENCR_AES_GCM_12, keyLength: 192 }, 28, 0],
  ['AES-GCM-16-256', { encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 }, 36, 0],
  ['ChaCha20-Poly1305', { encr: EncrId.ENCR_CHACHA20_POLY1305 }, 36, 0],
];

describe.each(CIPHERS)('%s', (_name, alg, encrBytes, integBytes) => {
  const keys: SkKeys = { encr: suite.randomBytes(encrBytes), integ: suite.randomBytes(integBytes) };
  const iv = suite.randomBytes(alg.encr === EncrId.ENCR_AES_CBC ? 16 : 8);
  const aad = h('c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e20250000000009000000452900002d');
  const plaintext = padSkPlaintext(alg.encr, h('0000000c000040010000000a0000000c00004001000000'));
  const sealed = suite.encrypt(alg, keys, iv, plaintext, aad);

  it('round-trips', () => {
    expect(toHex(suite.decrypt(alg, keys, iv, sealed, aad)!)).toBe(toHex(plaintext));
  });

  it.each([
    ['the first ciphertext octet', (s: Uint8Array) => flipBit(s, 0), aad, iv],
    ['the last ICV octet', (s: Uint8Array) => flipBit(s, -1), aad, iv],
    ['the AAD (IKE header)', (s: Uint8Array) => s, flipBit(aad, 17), iv],
    ['the IV', (s: Uint8Array) => s, aad, flipBit(iv, 0)],
  ])('returns null when a bit of %s flips', (_what, tamper, a, v) => {
    expect(suite.decrypt(alg, keys, v, tamper(sealed), a)).toBeNull();
  });

  it('returns null for what the network can truncate: short input, a wrong-length IV', () => {
    expect(suite.decrypt(alg, keys, iv, sealed.subarray(0, 3), aad)).toBeNull();
    expect(suite.decrypt(alg, keys, iv, new Uint8Array(0), aad)).toBeNull();
    expect(suite.decrypt(alg, keys, iv.subarray(1), sealed, aad)).toBeNull();
    expect(suite.decrypt(alg, keys, iv, sealed.subarray(1), aad)).toBeNull();
  });
});

describe('truncated GCM ICVs (RFC 5282 3.2)', () => {
  it('the 8- and 12-octet ICVs are the first octets of the 16-octet tag', () => {
    const keys: SkKeys = { encr: suite.randomBytes(20) };
    const iv = suite.randomBytes(8);
    const pt = suite.randomBytes(40);
    const aad = suite.randomBytes(32);
    const full = suite.encrypt({ encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 }, keys, iv, pt, aad);
    for (const [encr, icv] of [[EncrId.ENCR_AES_GCM_8, 8], [EncrId.ENCR_AES_GCM_12, 12]] as const) {
      const out = suite.encrypt({ encr, keyLength: 128 }, keys, iv, pt, aad);
      expect(toHex(out)).toBe(toHex(full.subarray(0, 40 + icv)));
    }
  });
});

describe('local misuse throws, naming the argument', () => {
  const cbc: SkCipher = { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA1_96 };
  const keys: SkKeys = { encr: new Uint8Array(16), integ: new Uint8Array(20) };
  const iv = new Uint8Array(16);
  it.each([
    ['a wrong SK_e length', () => suite.encrypt(cbc, { ...keys, encr: new Uint8Array(20) }, iv, new Uint8Array(16), iv), /"keys.encr" expected 16 bytes for ENCR_AES_CBC with 128-bit keys, got 20/],
    ['a wrong SK_a length', () => suite.decrypt(cbc, { ...keys, integ: new Uint8Array(16) }, iv, new Uint8Array(28), iv), /"keys.integ" expected 20 bytes for AUTH_HMAC_SHA1_96, got 16/],
    ['a key length AES does not have', () => suite.encrypt({ ...cbc, keyLength: 512 }, keys, iv, new Uint8Array(16), iv), /"alg.encr.keyLength" must be one of 128, 192, 256/],
    ['AES without a Key Length', () => suite.encrypt({ encr: EncrId.ENCR_AES_GCM_16 }, keys, iv, new Uint8Array(16), iv), /"alg.encr.keyLength" expected a whole number/],
    ['a Key Length for ChaCha20-Poly1305', () => suite.encrypt({ encr: EncrId.ENCR_CHACHA20_POLY1305, keyLength: 128 }, { encr: new Uint8Array(36) }, new Uint8Array(8), new Uint8Array(0), iv), /"alg.encr.keyLength" must be absent/],
    ['an INTEG with AEAD (RFC 5282 8)', () => suite.encrypt({ encr: EncrId.ENCR_AES_GCM_16, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA1_96 }, { encr: new Uint8Array(20) }, new Uint8Array(8), new Uint8Array(0), iv), /"alg.integ" must be absent or NONE/],
    ['no INTEG with AES-CBC', () => suite.encrypt({ encr: EncrId.ENCR_AES_CBC, keyLength: 128 }, keys, iv, new Uint8Array(16), iv), /"alg.integ" is required/],
    ['an unknown ENCR', () => suite.encrypt({ encr: EncrId.ENCR_3DES }, keys, iv, new Uint8Array(16), iv), /"alg.encr" is not a supported ENCR transform ID: 3/],
    ['an unpadded CBC plaintext', () => suite.encrypt(cbc, keys, iv, new Uint8Array(15), iv), /"plaintext" must be padded to 16-octet blocks/],
    ['a wrong-length IV on encrypt', () => suite.encrypt(cbc, keys, new Uint8Array(8), new Uint8Array(16), iv), /"iv" expected 16 bytes for ENCR_AES_CBC, got 8/],
  ])('%s', (_what, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('SK padding (RFC 7296 3.14)', () => {
  it('fills AES-CBC blocks with the fewest octets and ends with the Pad Length', () => {
    for (let n = 0; n < 40; n++) {
      const padded = padSkPlaintext(EncrId.ENCR_AES_CBC, new Uint8Array(n).fill(7));
      expect(padded.length % 16).toBe(0);
      expect(padded.length - n).toBeLessThanOrEqual(16);
      expect(padded[padded.length - 1]).toBe(padded.length - n - 1);
      expect(unpadSkPlaintext(padded)).toEqual(new Uint8Array(n).fill(7));
    }
  });
  it('adds only the Pad Length octet for AEAD ciphers', () => {
    expect(toHex(padSkPlaintext(EncrId.ENCR_AES_GCM_16, h('0a0b0c')))).toBe('0a0b0c00');
  });
  it('refuses a Pad Length longer than the plaintext (up to 255 is fine, RFC 5282 3)', () => {
    expect(unpadSkPlaintext(h('0102'))).toBeNull();
    expect(unpadSkPlaintext(new Uint8Array(0))).toBeNull();
    const big = new Uint8Array(300);
    big[299] = 255;
    expect(unpadSkPlaintext(big)).toHaveLength(44);
  });
});
