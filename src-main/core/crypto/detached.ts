/**
 * Per-packet encryption with the ICV kept apart from the ciphertext: ESP's layout (RFC 4303 2,
 * 3.3.2), where the caller builds the packet once and the cipher works on views of it.
 *
 * - ENCR_AES_CBC + INTEG (RFC 3602 2-3; RFC 2404, RFC 4868 2): CBC without padding of its own,
 *   then ICV = INTEG(aad | IV | ciphertext | icvTail) truncated (RFC 4303 3.3.2.1). On receipt the
 *   ICV is checked before anything is decrypted (RFC 4303 3.4.4.1).
 * - ENCR_AES_GCM_8/12/16 (RFC 4106 3-6, 8.1) and ENCR_CHACHA20_POLY1305 (RFC 7634 2): nonce =
 *   salt | IV, the AAD as given, ICV = the tag; `icvTail` must be empty (with ESN the high-order
 *   bits go into the AAD, RFC 4106 5, RFC 7634 2.1).
 *
 * `checkDetachedArgs` is shared with the node:crypto suite so both refuse the same misuse with
 * the same messages.
 */
import { cbc, gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { concatBytes, constantTimeEqual } from '../bytes/hex.ts';
import { expectBytes } from './args.ts';
import { aeadDecrypt, icvLength, resolve, type Resolved } from './encr.ts';
import { hmacOfParts } from './hmac.ts';
import type { SkCipher, SkKeys } from './suite.ts';

const EMPTY = new Uint8Array(0);

/** The tail after the ciphertext in the ICV input (non-AEAD only); throws on misuse. */
function checkTail(r: Resolved, icvTail: Uint8Array | undefined): Uint8Array {
  if (icvTail === undefined) return EMPTY;
  expectBytes('icvTail', icvTail);
  if (icvTail.length > 0 && r.info.aead) throw new RangeError(`"icvTail" must be empty with ${r.info.name}: AEAD ciphers authenticate only the AAD (RFC 4106 5)`);
  return icvTail;
}

/** The arguments of an encryption, checked (all local); throws naming the one that is wrong. */
export function checkDetachedArgs(
  alg: SkCipher,
  keys: SkKeys,
  iv: Uint8Array,
  text: Uint8Array,
  aad: Uint8Array,
  icv: Uint8Array,
  icvTail: Uint8Array | undefined,
): { readonly r: Resolved; readonly tail: Uint8Array } {
  const r = resolve(alg, keys);
  expectBytes('iv', iv, r.info.ivBytes, r.info.name);
  expectBytes('text', text);
  expectBytes('aad', aad);
  expectBytes('icv', icv, icvLength(r), r.integ ? r.integ.name : r.info.name);
  if (text.length % r.info.blockBytes !== 0) {
    throw new RangeError(`"text" must be a whole number of ${r.info.blockBytes}-octet blocks for ${r.info.name} (RFC 4303 2.4), got ${text.length}`);
  }
  return { r, tail: checkTail(r, icvTail) };
}

/**
 * The arguments of a decryption: local misuse (alg, keys, non-byte values, icvTail) throws;
 * lengths that come from the packet give null, for the caller to count as a failed ICV.
 */
export function checkDetachedOpenArgs(
  alg: SkCipher,
  keys: SkKeys,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  icv: Uint8Array,
  aad: Uint8Array,
  icvTail: Uint8Array | undefined,
): { readonly r: Resolved; readonly tail: Uint8Array } | null {
  const r = resolve(alg, keys);
  expectBytes('iv', iv);
  expectBytes('ciphertext', ciphertext);
  expectBytes('icv', icv);
  expectBytes('aad', aad);
  const tail = checkTail(r, icvTail);
  if (iv.length !== r.info.ivBytes || icv.length !== icvLength(r) || ciphertext.length % r.info.blockBytes !== 0) return null;
  return { r, tail };
}

/** Whether `b` starts in the same buffer right where `a` ends (ESP: ciphertext then ICV). */
function adjacent(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset + a.length === b.byteOffset;
}

const aligned = (b: Uint8Array): boolean => b.byteOffset % 4 === 0;

export function encryptDetached(alg: SkCipher, keys: SkKeys, iv: Uint8Array, text: Uint8Array, aad: Uint8Array, icv: Uint8Array, icvTail?: Uint8Array): void {
  const { r, tail } = checkDetachedArgs(alg, keys, iv, text, aad, icv, icvTail);
  switch (r.info.cipher) {
    case 'aes-cbc': {
      const c = cbc(r.key, iv, { disablePadding: true });
      // noble encrypts block by block and may write over its input; its output must be 4-aligned.
      if (aligned(text)) c.encrypt(text, text);
      else text.set(c.encrypt(text));
      icv.set(hmacOfParts(r.integ!.hash, r.integKey, [aad, iv, text, tail]).subarray(0, icv.length));
      return;
    }
    case 'aes-gcm': {
      // noble's GCM has no output argument: one copy back into the packet.
      const out = gcm(r.key, concatBytes(r.salt, iv), aad).encrypt(text);
      text.set(out.subarray(0, text.length));
      icv.set(out.subarray(text.length, text.length + icv.length));
      return;
    }
    case 'chacha20-poly1305': {
      const aead = chacha20poly1305(r.key, concatBytes(r.salt, iv), aad);
      if (adjacent(text, icv)) {
        // In place over ciphertext | tag, the way the packet lays them out.
        aead.encrypt(text, new Uint8Array(text.buffer, text.byteOffset, text.length + icv.length));
      } else {
        const out = aead.encrypt(text);
        text.set(out.subarray(0, text.length));
        icv.set(out.subarray(text.length));
      }
      return;
    }
  }
}

export function decryptDetached(alg: SkCipher, keys: SkKeys, iv: Uint8Array, ciphertext: Uint8Array, icv: Uint8Array, aad: Uint8Array, icvTail?: Uint8Array): Uint8Array | null {
  const checked = checkDetachedOpenArgs(alg, keys, iv, ciphertext, icv, aad, icvTail);
  if (!checked) return null;
  const { r, tail } = checked;
  if (r.info.cipher === 'aes-cbc') {
    const expected = hmacOfParts(r.integ!.hash, r.integKey, [aad, iv, ciphertext, tail]).subarray(0, icv.length);
    if (!constantTimeEqual(expected, icv)) return null;
    return cbc(r.key, iv, { disablePadding: true }).decrypt(ciphertext);
  }
  // The AEADs take ciphertext | tag in one array: the packet already holds them so.
  const joined = adjacent(ciphertext, icv) ? new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length + icv.length) : concatBytes(ciphertext, icv);
  return aeadDecrypt(r, concatBytes(r.salt, iv), joined, aad);
}
