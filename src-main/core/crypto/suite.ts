/**
 * The CryptoSuite: every cryptographic operation the IKE and ESP code needs, behind one small
 * interface, so the protocol code stays sans-IO. Randomness comes in here too (`randomBytes`),
 * never from the environment. createNobleSuite (noble-suite.ts) is the implementation; the node
 * layer passes it crypto.randomBytes, tests pass a seeded generator.
 *
 * Algorithms are named by IANA transform IDs (RFC 7296 3.3.2; src-main/core/ike/constants.ts).
 * Two kinds of failure, kept apart on purpose:
 * - local misuse (an unknown transform ID, a key of the wrong length) throws, naming the argument;
 * - bad input from the network (a forged ICV, a truncated packet, an invalid public value) never
 *   throws: `decrypt` and `computeShared` return null and `verify` returns false.
 */

/** An SK payload / ESP cipher: one ENCR transform and, unless it is AEAD, one INTEG transform. */
export interface SkCipher {
  /** ENCR Transform ID (EncrId). */
  readonly encr: number;
  /** The Key Length attribute in bits (RFC 7296 3.3.5); absent for ENCR_CHACHA20_POLY1305. */
  readonly keyLength?: number;
  /** INTEG Transform ID (IntegId); absent or NONE (0) with an AEAD cipher (RFC 5282 8). */
  readonly integ?: number;
}

/** The keys of one direction: SK_ei with SK_ai, or SK_er with SK_ar (RFC 7296 2.14). */
export interface SkKeys {
  /** Encryption key material: the cipher key, then for AEAD the 4-octet salt (RFC 5282 7.1). */
  readonly encr: Uint8Array;
  /** Integrity key (SK_a); empty or absent with an AEAD cipher (RFC 5282 7.1). */
  readonly integ?: Uint8Array;
}

/** One side of a Diffie-Hellman exchange (RFC 7296 1.2, 3.4). */
export interface DhExchange {
  /** Transform Type 4 ID (DhGroup). */
  readonly group: number;
  /** Key Exchange Data for the KE payload, in the group's wire format. */
  readonly publicValue: Uint8Array;
  /**
   * g^ir from the peer's Key Exchange Data, in the group's format (MODP: left-padded to the
   * prime's length; ECP: the x coordinate; Curve25519: 32 octets). Null when the peer's value is
   * invalid: wrong length, not on the curve, 0, 1 or p-1 for MODP, or an all-zero X25519 result.
   */
  computeShared(peerPublic: Uint8Array): Uint8Array | null;
}

export interface CryptoSuite {
  /** n bytes from the injected random source. */
  randomBytes(n: number): Uint8Array;

  /** prf(key, data) (RFC 7296 2.13): the untruncated HMAC of the PRF transform. */
  prf(alg: number, key: Uint8Array, data: Uint8Array): Uint8Array;

  /** prf+(key, seed) cut to `length` octets (RFC 7296 2.13); at most 255 prf outputs. */
  prfPlus(alg: number, key: Uint8Array, seed: Uint8Array, length: number): Uint8Array;

  /** The ICV of `data`: the HMAC truncated as the INTEG transform says (RFC 2404, RFC 4868 2.3). */
  sign(alg: number, key: Uint8Array, data: Uint8Array): Uint8Array;

  /** Whether `icv` is the ICV of `data`, compared in constant time. */
  verify(alg: number, key: Uint8Array, data: Uint8Array, icv: Uint8Array): boolean;

  /**
   * Encrypts the SK payload's plaintext (payloads, Padding and Pad Length, already padded to the
   * cipher's block; see sk-padding.ts) and returns Encrypted Payloads || Integrity Checksum Data.
   * `aad` is the message from the first octet of the IKE header through the SK payload header
   * (RFC 5282 5.1). Non-AEAD: the ICV covers aad | IV | ciphertext (RFC 7296 3.14); AEAD: nonce
   * salt | IV (RFC 5282 4, RFC 7634 2).
   */
  encrypt(alg: SkCipher, keys: SkKeys, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;

  /** The inverse of encrypt: the padded plaintext, or null when authentication fails. */
  decrypt(alg: SkCipher, keys: SkKeys, iv: Uint8Array, ciphertextAndIcv: Uint8Array, aad: Uint8Array): Uint8Array | null;

  /**
   * Per-packet encryption with the ICV kept apart, for ESP (RFC 4303 2, 3.3.2; core/esp): encrypts
   * `text` (payload, padding, trailer, already a whole number of the cipher's blocks) IN PLACE and
   * writes the ICV into `icv`, which must be exactly the ICV length. No allocation of the packet:
   * the caller lays it out and passes views of it.
   * - Non-AEAD (AES-CBC + INTEG): ICV = INTEG(aad | iv | ciphertext | icvTail), truncated
   *   (RFC 4303 3.3.2.1; ESP passes aad = SPI | Sequence Number and, with ESN, icvTail = the
   *   high-order 32 bits of the sequence number, RFC 4303 2.2.1).
   * - AEAD: nonce salt | iv, additional data `aad`, ICV = the tag (RFC 4106 3-5, RFC 7634 2);
   *   `icvTail` must be absent or empty (ESN goes into the AAD instead, RFC 4106 5).
   * Throws only on local misuse (lengths of iv, icv, text; keys), naming the argument.
   */
  encryptDetached(alg: SkCipher, keys: SkKeys, iv: Uint8Array, text: Uint8Array, aad: Uint8Array, icv: Uint8Array, icvTail?: Uint8Array): void;

  /**
   * The inverse of encryptDetached: checks `icv` over the same input (before decrypting, for the
   * non-AEAD ciphers, RFC 4303 3.4.4.1) and returns the plaintext in a fresh buffer, leaving
   * `ciphertext` untouched. Null when the ICV does not verify or the lengths of iv, icv or
   * ciphertext cannot be right (network input); never throws for those.
   */
  decryptDetached(alg: SkCipher, keys: SkKeys, iv: Uint8Array, ciphertext: Uint8Array, icv: Uint8Array, aad: Uint8Array, icvTail?: Uint8Array): Uint8Array | null;

  /** A fresh ephemeral key pair in the group, drawn from randomBytes. */
  dh(group: number): DhExchange;

  /**
   * A plain hash (FIPS 180-4): SHA-1 for the NAT_DETECTION_* notifies (RFC 7296 2.23), SHA-256
   * for stateless cookies (2.6). Any other name throws (local misuse).
   */
  hash(alg: PlainHash, data: Uint8Array): Uint8Array;
}

/** The hashes `CryptoSuite.hash` offers. */
export type PlainHash = 'sha1' | 'sha256';
