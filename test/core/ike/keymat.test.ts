// IKEv2 key derivation (RFC 7296 2.13-2.18) and the PSK AUTH value (2.15), proven with public
// vectors: the libreswan ACVP IKEv2 KDF case and an AOSP-traced PSK session (test/vectors/README.md).
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../src-main/core/bytes/hex.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { unpadSkPlaintext } from '../../../src-main/core/crypto/sk-padding.ts';
import type { SkCipher } from '../../../src-main/core/crypto/suite.ts';
import { EncrId, IntegId, PrfId } from '../../../src-main/core/ike/constants.ts';
import {
  childKeymat,
  deriveChildSaKeys,
  deriveIkeSaKeys,
  ikeSaKeyLengths,
  KEY_PAD_FOR_IKEV2,
  macedId,
  pskAuth,
  rekeySkeyseed,
  signedOctets,
  skeyseed,
  skKeys,
  type IkeSaTransforms,
} from '../../../src-main/core/ike/keymat.ts';
import { flipBit, h, seededRandom, vectors } from '../crypto/fixtures.ts';

const suite = createNobleSuite(seededRandom(9));
const SHA1 = PrfId.PRF_HMAC_SHA1;
// PRF_HMAC_SHA1, ENCR_AES_CBC-128, AUTH_HMAC_SHA1_96: SK_* total 20+20+20+16+16+20+20 = 132 octets.
const AES128_SHA1: IkeSaTransforms = { prf: SHA1, encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA1_96 };

describe('libreswan ACVP IKEv2 KDF vector (SHA-1; SP 800-135 field names)', () => {
  const v = vectors.ikev2_kdf_sp800_135_format.vector;
  const Ni = h(v.Ni);
  const Nr = h(v.Nr);
  const SK_d = h(v.DKM).subarray(0, 20);

  it('SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 2.14)', () => {
    expect(toHex(skeyseed(suite, SHA1, Ni, Nr, h(v['g^ir'])))).toBe(v.SKEYSEED);
  });

  it('DKM = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), split into the seven SK_* (2.14)', () => {
    expect(v.DKM_length_bits).toBe(132 * 8);
    const seed = concatBytes(Ni, Nr, h(v.SPIi), h(v.SPIr));
    expect(toHex(suite.prfPlus(SHA1, h(v.SKEYSEED), seed, 132))).toBe(v.DKM);
    const keys = deriveIkeSaKeys(suite, AES128_SHA1, h(v.SKEYSEED), Ni, Nr, h(v.SPIi), h(v.SPIr));
    const order = [keys.SK_d, keys.SK_ai, keys.SK_ar, keys.SK_ei, keys.SK_er, keys.SK_pi, keys.SK_pr];
    expect(toHex(concatBytes(...order))).toBe(v.DKM);
  });

  it('CHILD_SA KEYMAT without PFS = prf+(SK_d, Ni | Nr) (2.17)', () => {
    expect(toHex(childKeymat(suite, SHA1, SK_d, Ni, Nr, 132))).toBe(v.DKM_child_sa);
  });

  it('CHILD_SA KEYMAT with PFS = prf+(SK_d, g^ir (new) | Ni | Nr) (2.17)', () => {
    expect(toHex(childKeymat(suite, SHA1, SK_d, Ni, Nr, 132, h(v['g^ir_new'])))).toBe(v.DKM_child_sa_dh);
  });

  it('rekeyed IKE SA: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) (2.18)', () => {
    expect(toHex(rekeySkeyseed(suite, SHA1, SK_d, h(v['g^ir_new']), Ni, Nr))).toBe(v.SKEYSEED_rekey);
  });
});

describe('AOSP traced PSK session: HMAC-SHA1, AES-CBC-128, MODP-1024', () => {
  const v = vectors.android_ike_library_unit_tests.vectors.sha1_aescbc128_modp1024_chain;
  const Ni = h(v.Ni);
  const Nr = h(v.Nr);
  const keys = deriveIkeSaKeys(suite, AES128_SHA1, skeyseed(suite, SHA1, Ni, Nr, h(v.g_ir)), Ni, Nr, h(v.ispi), h(v.rspi));
  const cipher: SkCipher = AES128_SHA1;

  it('SKEYSEED from Ni, Nr and the 128-octet g^ir', () => {
    expect(toHex(skeyseed(suite, SHA1, Ni, Nr, h(v.g_ir)))).toBe(v.SKEYSEED);
  });

  it.each(['SK_d', 'SK_ai', 'SK_ar', 'SK_ei', 'SK_er', 'SK_pi', 'SK_pr'] as const)('%s', (name) => {
    expect(toHex(keys[name])).toBe(v.keys[name]);
  });

  it('the IKE_SA_INIT request carries these SPIs and nonce Ni', () => {
    const init = toHex(h(v.ike_sa_init_request));
    expect(init.startsWith(v.ispi + '0'.repeat(16))).toBe(true);
    expect(init).toContain(v.Ni);
  });

  it('PSK AUTH with "juniper123" (2.15): prf(prf(secret, "Key Pad for IKEv2"), IKE_SA_INIT request | Nr | prf(SK_pi, IDi\'))', () => {
    expect(toHex(KEY_PAD_FOR_IKEV2)).toBe(toHex(new TextEncoder().encode('Key Pad for IKEv2')));
    expect(KEY_PAD_FOR_IKEV2).toHaveLength(17);
    const maced = macedId(suite, SHA1, keys.SK_pi, h(v.IDi_payload_body));
    expect(toHex(maced)).toBe(v.prf_SK_pi_IDi);
    const octets = signedOctets(h(v.ike_sa_init_request), Nr, maced);
    expect(toHex(pskAuth(suite, SHA1, new TextEncoder().encode(v.psk_ascii), octets))).toBe(v.AUTH_psk);
    expect(toHex(pskAuth(suite, SHA1, new TextEncoder().encode('juniper124'), octets))).not.toBe(v.AUTH_psk);
  });

  // IKE_AUTH request: IKE header (28) | SK payload header (4) | IV (16) | ciphertext | ICV (12).
  const msg = h(v.ike_auth_request);
  const aad = msg.subarray(0, 32);
  const iv = msg.subarray(32, 48);
  const body = msg.subarray(48);

  it('decrypts the encrypted IKE_AUTH request with SK_ei after checking its HMAC-SHA1-96 ICV with SK_ai (RFC 7296 3.14)', () => {
    expect(toHex(iv)).toBe(v.ike_auth_request_sk_iv);
    expect(toHex(body.subarray(body.length - 12))).toBe(v.ike_auth_request_icv_hmac_sha1_96);
    const pt = suite.decrypt(cipher, skKeys(keys, 'initiator'), iv, body, aad);
    expect(pt && toHex(pt)).toBe(v.ike_auth_request_plaintext_with_padding);
    // Inside: IDi (its body is the IDi' that MACedIDForI covered) and AUTH carrying AUTH_psk.
    const inner = toHex(unpadSkPlaintext(pt!)!);
    expect(inner.startsWith(`2400000c${v.IDi_payload_body}`)).toBe(true);
    expect(inner).toContain(`2100001c02000000${v.AUTH_psk}`);
  });

  it('re-encrypting that plaintext with the same IV gives the traced message bytes', () => {
    const out = suite.encrypt(cipher, skKeys(keys, 'initiator'), iv, h(v.ike_auth_request_plaintext_with_padding), aad);
    expect(toHex(concatBytes(aad, iv, out))).toBe(v.ike_auth_request);
  });

  it.each([
    ['ciphertext', () => suite.decrypt(cipher, skKeys(keys, 'initiator'), iv, flipBit(body, 5), aad)],
    ['ICV', () => suite.decrypt(cipher, skKeys(keys, 'initiator'), iv, flipBit(body, -1), aad)],
    ['AAD (Message ID)', () => suite.decrypt(cipher, skKeys(keys, 'initiator'), iv, body, flipBit(aad, 23))],
    ['keys (the responder\'s)', () => suite.decrypt(cipher, skKeys(keys, 'responder'), iv, body, aad)],
  ])('a flipped bit in the %s: null', (_what, call) => {
    expect(call()).toBeNull();
  });

  it('first CHILD_SA KEYMAT = prf+(SK_d, Ni | Nr): encr_i | integ_i | encr_r | integ_r (2.17)', () => {
    const c = v.first_child_keymat;
    const child = deriveChildSaKeys(suite, SHA1, keys.SK_d, cipher, Ni, Nr);
    expect(toHex(child.i.encr)).toBe(c.encr_i);
    expect(toHex(child.i.integ!)).toBe(c.integ_i);
    expect(toHex(child.r.encr)).toBe(c.encr_r);
    expect(toHex(child.r.integ!)).toBe(c.integ_r);
  });
});

describe('AOSP SaRecordTest: HMAC-SHA-256 SKEYSEED from a 66-octet g^ir', () => {
  const v = vectors.android_ike_library_unit_tests.vectors.sha256_skeyseed;
  it('SKEYSEED = prf(Ni | Nr, g^ir)', () => {
    expect(h(v.g_ir)).toHaveLength(v.g_ir_length);
    expect(toHex(skeyseed(suite, PrfId.PRF_HMAC_SHA2_256, h(v.Ni), h(v.Nr), h(v.g_ir)))).toBe(v.SKEYSEED);
  });
  it('AOSP IkeMacPrfTest: PRF_HMAC_SHA2_256 over an IDi body', () => {
    const p = vectors.android_ike_library_unit_tests.vectors.prf_hmac_sha256_sign;
    expect(toHex(suite.prf(PrfId.PRF_HMAC_SHA2_256, h(p.key), h(p.data)))).toBe(p.output);
  });
});

describe('key lengths (RFC 7296 2.14, RFC 5282 7.1)', () => {
  it('AEAD: SK_ai / SK_ar are 0 octets, SK_ei / SK_er carry the 4-octet salt', () => {
    expect(ikeSaKeyLengths({ prf: PrfId.PRF_HMAC_SHA2_256, encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 })).toEqual({ SK_d: 32, SK_ai: 0, SK_ar: 0, SK_ei: 36, SK_er: 36, SK_pi: 32, SK_pr: 32 });
    expect(ikeSaKeyLengths({ prf: PrfId.PRF_HMAC_SHA2_384, encr: EncrId.ENCR_CHACHA20_POLY1305 })).toMatchObject({ SK_d: 48, SK_ai: 0, SK_ei: 36 });
  });

  it('an AEAD CHILD_SA takes key | salt per direction and no integrity key', () => {
    const SK_d = suite.randomBytes(32);
    const Ni = suite.randomBytes(32);
    const Nr = suite.randomBytes(32);
    const child = deriveChildSaKeys(suite, PrfId.PRF_HMAC_SHA2_256, SK_d, { encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 }, Ni, Nr);
    const keymat = childKeymat(suite, PrfId.PRF_HMAC_SHA2_256, SK_d, Ni, Nr, 40);
    expect(toHex(concatBytes(child.i.encr, child.r.encr))).toBe(toHex(keymat));
    expect(child.i.integ).toHaveLength(0);
  });

  it('refuses SPIs that are not 8 octets and a classic cipher without INTEG, naming the argument', () => {
    const n = new Uint8Array(16);
    expect(() => deriveIkeSaKeys(suite, AES128_SHA1, n, n, n, new Uint8Array(4), new Uint8Array(8))).toThrow(/"SPIi" expected 8 bytes/);
    expect(() => ikeSaKeyLengths({ prf: SHA1, encr: EncrId.ENCR_AES_CBC, keyLength: 128 })).toThrow(/"t.integ" is required/);
  });
});
