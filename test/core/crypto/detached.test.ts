// encryptDetached / decryptDetached (the per-packet primitives ESP uses): the same bytes as the
// SK payload cipher when nothing follows the ciphertext, the ICV tail for ESN, in-place and
// copying paths agreeing, network failures as null, misuse as throws naming the argument.
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../src-main/core/bytes/hex.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import type { SkCipher, SkKeys } from '../../../src-main/core/crypto/suite.ts';
import { EncrId, IntegId } from '../../../src-main/core/ike/constants.ts';
import { flipBit, seededRandom } from './fixtures.ts';

const suite = createNobleSuite(seededRandom(4303));
const r = (n: number) => suite.randomBytes(n);

const CIPHERS: ReadonlyArray<[string, SkCipher, number, number, number]> = [
  // name, cipher, key material, integrity key, IV
  ['AES-CBC-128 + HMAC-SHA2-256-128', { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 }, 16, 32, 16],
  ['AES-CBC-256 + HMAC-SHA1-96', { encr: EncrId.ENCR_AES_CBC, keyLength: 256, integ: IntegId.AUTH_HMAC_SHA1_96 }, 32, 20, 16],
  ['AES-GCM-8-128', { encr: EncrId.ENCR_AES_GCM_8, keyLength: 128 }, 20, 0, 8],
  ['AES-GCM-16-256', { encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 }, 36, 0, 8],
  ['ChaCha20-Poly1305', { encr: EncrId.ENCR_CHACHA20_POLY1305 }, 36, 0, 8],
];

/** A packet-like buffer: aad | iv | text | icv, with views of each part. */
function layout(aadLen: number, iv: Uint8Array, plaintext: Uint8Array, icvLen: number, offset = 0) {
  const buf = new Uint8Array(offset + aadLen + iv.length + plaintext.length + icvLen);
  const at = offset + aadLen + iv.length;
  buf.set(iv, offset + aadLen);
  buf.set(plaintext, at);
  return { buf, aad: buf.subarray(offset, offset + aadLen), iv: buf.subarray(offset + aadLen, at), text: buf.subarray(at, at + plaintext.length), icv: buf.subarray(at + plaintext.length) };
}

describe.each(CIPHERS)('%s', (_name, alg, encrBytes, integBytes, ivBytes) => {
  const keys: SkKeys = { encr: r(encrBytes), integ: r(integBytes) };
  const icvBytes = suite.encrypt(alg, keys, r(ivBytes), new Uint8Array(16), new Uint8Array(0)).length - 16;
  const aadBytes = r(8);
  const iv = r(ivBytes);
  const plaintext = r(48);

  it('gives encrypt()\'s ciphertext | ICV when there is no ICV tail, and decrypts it back', () => {
    const p = layout(8, iv, plaintext, icvBytes);
    p.aad.set(aadBytes);
    suite.encryptDetached(alg, keys, p.iv, p.text, p.aad, p.icv);
    expect(toHex(concatBytes(p.text, p.icv))).toBe(toHex(suite.encrypt(alg, keys, iv, plaintext, aadBytes)));
    const out = suite.decryptDetached(alg, keys, p.iv, p.text, p.icv, p.aad);
    expect(out && toHex(out)).toBe(toHex(plaintext));
    expect(out!.buffer === p.buf.buffer).toBe(false); // a fresh buffer: the packet stays as received
  });

  it('in place or through copies, adjacent or apart, aligned or not: the same bytes', () => {
    const ref = layout(8, iv, plaintext, icvBytes);
    ref.aad.set(aadBytes);
    suite.encryptDetached(alg, keys, ref.iv, ref.text, ref.aad, ref.icv);
    const odd = layout(8, iv, plaintext, icvBytes, 1); // every view 1 octet off 4-byte alignment
    odd.aad.set(aadBytes);
    suite.encryptDetached(alg, keys, odd.iv, odd.text, odd.aad, odd.icv);
    expect(toHex(odd.buf.subarray(1))).toBe(toHex(ref.buf));
    const text = plaintext.slice();
    const icv = new Uint8Array(icvBytes); // not adjacent to text
    suite.encryptDetached(alg, keys, iv, text, aadBytes, icv);
    expect(toHex(concatBytes(text, icv))).toBe(toHex(concatBytes(ref.text, ref.icv)));
    expect(toHex(suite.decryptDetached(alg, keys, iv, text, icv, aadBytes)!)).toBe(toHex(plaintext));
    expect(toHex(suite.decryptDetached(alg, keys, odd.iv, odd.text, odd.icv, odd.aad)!)).toBe(toHex(plaintext));
  });

  it('refuses a flipped bit anywhere (AAD, IV, ciphertext, ICV) with null', () => {
    const text = plaintext.slice();
    const icv = new Uint8Array(icvBytes);
    suite.encryptDetached(alg, keys, iv, text, aadBytes, icv);
    expect(suite.decryptDetached(alg, keys, iv, text, icv, flipBit(aadBytes, 3))).toBeNull();
    expect(suite.decryptDetached(alg, keys, flipBit(iv, 0), text, icv, aadBytes)).toBeNull();
    expect(suite.decryptDetached(alg, keys, iv, flipBit(text, -1), icv, aadBytes)).toBeNull();
    expect(suite.decryptDetached(alg, keys, iv, text, flipBit(icv, 0), aadBytes)).toBeNull();
  });

  it('returns null for lengths only the network gets wrong', () => {
    const text = plaintext.slice();
    const icv = new Uint8Array(icvBytes);
    suite.encryptDetached(alg, keys, iv, text, aadBytes, icv);
    expect(suite.decryptDetached(alg, keys, iv.subarray(1), text, icv, aadBytes)).toBeNull();
    expect(suite.decryptDetached(alg, keys, iv, text, icv.subarray(1), aadBytes)).toBeNull();
    expect(suite.decryptDetached(alg, keys, iv, text.subarray(0, 47), icv, aadBytes)).toBeNull();
  });

  it('throws on local misuse, naming the argument', () => {
    expect(() => suite.encryptDetached(alg, keys, iv, plaintext.slice(), aadBytes, new Uint8Array(icvBytes + 1))).toThrow(/"icv" expected/);
    expect(() => suite.encryptDetached(alg, keys, r(ivBytes + 1), plaintext.slice(), aadBytes, new Uint8Array(icvBytes))).toThrow(/"iv" expected/);
    expect(() => suite.encryptDetached(alg, keys, iv, 'x' as never, aadBytes, new Uint8Array(icvBytes))).toThrow(/"text" expected Uint8Array/);
    expect(() => suite.decryptDetached(alg, keys, iv, plaintext, new Uint8Array(icvBytes), null as never)).toThrow(/"aad" expected Uint8Array/);
    expect(() => suite.decryptDetached(alg, { encr: r(encrBytes + 1), integ: keys.integ }, iv, plaintext, new Uint8Array(icvBytes), aadBytes)).toThrow(/"keys.encr"/);
  });
});

describe('the ICV tail (ESN high bits under the HMAC, RFC 4303 3.3.2.1)', () => {
  const [, alg, encrBytes, integBytes] = CIPHERS[0]!;
  const keys: SkKeys = { encr: r(encrBytes), integ: r(integBytes) };

  it('AES-CBC + HMAC: ICV = HMAC(aad | iv | ciphertext | tail), checked on decryption', () => {
    const aad = r(8);
    const iv = r(16);
    const tail = Uint8Array.of(0, 0, 0, 1);
    const text = r(32);
    const plaintext = text.slice();
    const icv = new Uint8Array(16);
    suite.encryptDetached(alg, keys, iv, text, aad, icv, tail);
    expect(toHex(icv)).toBe(toHex(suite.sign(alg.integ!, keys.integ!, concatBytes(aad, iv, text, tail))));
    expect(toHex(suite.decryptDetached(alg, keys, iv, text, icv, aad, tail)!)).toBe(toHex(plaintext));
    expect(suite.decryptDetached(alg, keys, iv, text, icv, aad)).toBeNull();
    expect(suite.decryptDetached(alg, keys, iv, text, icv, aad, Uint8Array.of(0, 0, 0, 2))).toBeNull();
  });

  it('is refused with an AEAD cipher (the ESN bits go into its AAD instead, RFC 4106 5)', () => {
    const [, gcm, gcmKey] = CIPHERS[3]!;
    const k = { encr: r(gcmKey) };
    expect(() => suite.encryptDetached(gcm, k, r(8), r(16), r(12), new Uint8Array(16), Uint8Array.of(0, 0, 0, 1))).toThrow(/"icvTail" must be empty with ENCR_AES_GCM_16/);
    expect(() => suite.decryptDetached(gcm, k, r(8), r(16), new Uint8Array(16), r(12), Uint8Array.of(1))).toThrow(/"icvTail"/);
    expect(suite.decryptDetached(gcm, k, r(8), r(16), new Uint8Array(16), r(12), new Uint8Array(0))).toBeNull();
  });

  it('a text that is not whole blocks is a local error when encrypting', () => {
    expect(() => suite.encryptDetached(alg, keys, r(16), r(20), r(8), new Uint8Array(16))).toThrow(/"text" must be a whole number of 16-octet blocks/);
  });
});
