/**
 * Encryption of the IKEv2 Encrypted (SK) payload, one interface for classic and combined-mode
 * ciphers. The output is always Encrypted Payloads || Integrity Checksum Data.
 *
 * - ENCR_AES_CBC + INTEG (RFC 3602, RFC 7296 3.14): encrypt, then the ICV over the message from
 *   the IKE header through the ciphertext, i.e. aad | IV | ciphertext. The receiver checks the
 *   ICV before it decrypts anything.
 * - ENCR_AES_GCM_8/12/16 (RFC 5282; RFC 4106 for ESP): nonce = salt | IV (RFC 5282 4), key
 *   material = key | salt (7.1), ICV = the GCM tag cut to 8, 12 or 16 octets (3.2).
 * - ENCR_CHACHA20_POLY1305 (RFC 7634 2, 3): nonce = salt | IV, key material = 32-octet key |
 *   4-octet salt, 16-octet tag.
 */
import { cbc, ctr, gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes, constantTimeEqual } from '../bytes/hex.ts';
import { encrKeySizes, integInfo, type EncrInfo, type IntegInfo } from './algorithms.ts';
import { expectBytes } from './args.ts';
import { integSign, integVerify } from './integ.ts';
import type { SkCipher, SkKeys } from './suite.ts';

/** An SK payload / ESP cipher with its keys checked and split (key, salt, integrity key). */
export interface Resolved {
  readonly info: EncrInfo;
  readonly key: Uint8Array;
  readonly salt: Uint8Array;
  readonly integ?: IntegInfo;
  readonly integKey: Uint8Array;
}

interface CacheEntry {
  readonly alg: SkCipher;
  readonly encrId: number;
  readonly keyLength: number | undefined;
  readonly integId: number | undefined;
  readonly encrKey: Uint8Array;
  readonly integKey: Uint8Array | undefined;
  readonly r: Resolved;
}

// ESP resolves the same SA's cipher and keys for every packet: remember the last check per keys
// object, valid while the algorithm and the key arrays are the very same (the bytes are not copied).
const resolved = new WeakMap<SkKeys, CacheEntry>();

/** Checks the local arguments (algorithm, key lengths); throws naming the one that is wrong. */
export function resolve(alg: SkCipher, keys: SkKeys): Resolved {
  if (typeof alg !== 'object' || alg === null) throw new TypeError(`"alg" expected { encr, keyLength?, integ? }, got ${String(alg)}`);
  if (typeof keys !== 'object' || keys === null) throw new TypeError(`"keys" expected { encr, integ? }, got ${String(keys)}`);
  const hit = resolved.get(keys);
  if (
    hit &&
    hit.alg === alg &&
    hit.encrId === alg.encr &&
    hit.keyLength === alg.keyLength &&
    hit.integId === alg.integ &&
    hit.encrKey === keys.encr &&
    hit.integKey === keys.integ
  ) {
    return hit.r;
  }
  const r = check(alg, keys);
  resolved.set(keys, { alg, encrId: alg.encr, keyLength: alg.keyLength, integId: alg.integ, encrKey: keys.encr, integKey: keys.integ, r });
  return r;
}

function check(alg: SkCipher, keys: SkKeys): Resolved {
  const sizes = encrKeySizes(alg.encr, alg.keyLength, 'alg.encr');
  const { info } = sizes;
  expectBytes('keys.encr', keys.encr, sizes.keymatBytes, `${info.name} with ${sizes.keyBytes * 8}-bit keys`);
  const key = keys.encr.subarray(0, sizes.keyBytes);
  const salt = keys.encr.subarray(sizes.keyBytes);
  if (info.aead) {
    // RFC 5282 8: no integrity algorithm with an AEAD cipher; 7.1: SK_ai / SK_ar are 0 octets.
    if (alg.integ !== undefined && alg.integ !== 0) throw new RangeError(`"alg.integ" must be absent or NONE with ${info.name}, got ${alg.integ}`);
    if (keys.integ !== undefined && expectBytes('keys.integ', keys.integ).length !== 0) {
      throw new RangeError(`"keys.integ" must be empty with ${info.name}, got ${keys.integ.length} bytes`);
    }
    return { info, key, salt, integKey: new Uint8Array(0) };
  }
  if (alg.integ === undefined || alg.integ === 0) throw new RangeError(`"alg.integ" is required with ${info.name} (RFC 7296 3.3.3)`);
  const integ = integInfo(alg.integ, 'alg.integ');
  const integKey = expectBytes('keys.integ', keys.integ, integ.keyBytes, integ.name);
  return { info, key, salt, integ, integKey };
}

/** The ICV length: the truncated HMAC of the INTEG transform, or the AEAD tag. */
export function icvLength(r: Resolved): number {
  return r.integ ? r.integ.icvBytes : r.info.icvBytes;
}

/** GCM's first counter block for the plaintext: inc32(J0) = nonce | 00000002 (NIST SP 800-38D 7.1). */
function gcmCounter(nonce: Uint8Array): Uint8Array {
  const block = new Uint8Array(16);
  block.set(nonce);
  block[15] = 2;
  return block;
}

export function encryptSk(alg: SkCipher, keys: SkKeys, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const r = resolve(alg, keys);
  expectBytes('iv', iv, r.info.ivBytes, r.info.name);
  expectBytes('plaintext', plaintext);
  expectBytes('aad', aad);
  if (plaintext.length % r.info.blockBytes !== 0) {
    throw new RangeError(`"plaintext" must be padded to ${r.info.blockBytes}-octet blocks for ${r.info.name} (RFC 7296 3.14), got ${plaintext.length}`);
  }
  const nonce = concatBytes(r.salt, iv);
  switch (r.info.cipher) {
    case 'aes-cbc': {
      const ct = cbc(r.key, iv, { disablePadding: true }).encrypt(plaintext);
      return concatBytes(ct, integSign(r.integ!.id, r.integKey, concatBytes(aad, iv, ct)));
    }
    case 'aes-gcm':
      return gcm(r.key, nonce, aad).encrypt(plaintext).subarray(0, plaintext.length + r.info.icvBytes);
    case 'chacha20-poly1305':
      return chacha20poly1305(r.key, nonce, aad).encrypt(plaintext);
  }
}

/** Null for anything the network can get wrong: IV or ciphertext length, a bad ICV or tag. */
export function decryptSk(alg: SkCipher, keys: SkKeys, iv: Uint8Array, ciphertextAndIcv: Uint8Array, aad: Uint8Array): Uint8Array | null {
  const r = resolve(alg, keys);
  expectBytes('iv', iv);
  expectBytes('ciphertextAndIcv', ciphertextAndIcv);
  expectBytes('aad', aad);
  const icvBytes = icvLength(r);
  if (iv.length !== r.info.ivBytes || ciphertextAndIcv.length < icvBytes) return null;
  const ct = ciphertextAndIcv.subarray(0, ciphertextAndIcv.length - icvBytes);
  const icv = ciphertextAndIcv.subarray(ciphertextAndIcv.length - icvBytes);
  if (ct.length % r.info.blockBytes !== 0) return null;
  const nonce = concatBytes(r.salt, iv);
  try {
    switch (r.info.cipher) {
      case 'aes-cbc':
        if (!integVerify(r.integ!.id, r.integKey, concatBytes(aad, iv, ct), icv)) return null;
        return cbc(r.key, iv, { disablePadding: true }).decrypt(ct);
      case 'aes-gcm':
      case 'chacha20-poly1305':
        return aeadDecrypt(r, nonce, ciphertextAndIcv, aad);
    }
  } catch {
    // noble throws on a tag mismatch; that is an authentication failure, not a local fault.
    return null;
  }
}

/**
 * AEAD decryption of ciphertext || tag (the tag `icvLength(r)` octets) with nonce salt | IV: the
 * plaintext, or null when the tag does not verify. Never throws on a bad tag.
 */
export function aeadDecrypt(r: Resolved, nonce: Uint8Array, ciphertextAndIcv: Uint8Array, aad: Uint8Array): Uint8Array | null {
  const icvBytes = icvLength(r);
  try {
    if (r.info.cipher === 'chacha20-poly1305') return chacha20poly1305(r.key, nonce, aad).decrypt(ciphertextAndIcv);
    if (icvBytes === 16) return gcm(r.key, nonce, aad).decrypt(ciphertextAndIcv);
    // A truncated tag (RFC 5282 3.2): recover the plaintext with the GCM keystream, recompute
    // the full tag and compare its first octets; the plaintext is only returned when they match.
    const ct = ciphertextAndIcv.subarray(0, ciphertextAndIcv.length - icvBytes);
    const pt = ctr(r.key, gcmCounter(nonce)).decrypt(ct);
    const full = gcm(r.key, nonce, aad).encrypt(pt);
    return constantTimeEqual(full.subarray(ct.length, ct.length + icvBytes), ciphertextAndIcv.subarray(ct.length)) ? pt : null;
  } catch {
    return null;
  }
}
