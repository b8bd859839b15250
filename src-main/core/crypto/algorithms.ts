/**
 * The algorithm registry: for every IANA transform ID WakeLab implements (RFC 7296 3.3.2, IANA
 * "IKEv2 Parameters"), the sizes the key derivation and the SK payload need. Each row cites the
 * RFC its numbers come from. Lookups throw on an ID that is not here (local misuse: a negotiated
 * proposal can only hold IDs that came from this registry).
 */
import { DhGroup, EncrId, IntegId, PrfId } from '../ike/constants.ts';
import { expectInt, unknownAlgorithm } from './args.ts';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** Transform Type 2. */
export interface PrfInfo {
  readonly id: number;
  readonly name: string;
  readonly hash: HashName;
  /** Output of prf, and so the block of prf+ (RFC 7296 2.13). */
  readonly outputBytes: number;
  /** The PRF's preferred key size: the length of SK_d, SK_pi and SK_pr (RFC 7296 2.14). */
  readonly keyBytes: number;
}

/** Transform Type 3. */
export interface IntegInfo {
  readonly id: number;
  readonly name: string;
  readonly hash: HashName;
  /** Length of SK_ai / SK_ar and of an ESP integrity key. */
  readonly keyBytes: number;
  /** The truncated HMAC sent as the ICV. */
  readonly icvBytes: number;
}

export type CipherKind = 'aes-cbc' | 'aes-gcm' | 'chacha20-poly1305';

/** Transform Type 1. */
export interface EncrInfo {
  readonly id: number;
  readonly name: string;
  readonly cipher: CipherKind;
  /** Combined mode (AEAD): no INTEG transform, the ICV comes from the cipher (RFC 5282 8). */
  readonly aead: boolean;
  /** Allowed Key Length attribute values in bits (RFC 7296 3.3.5); empty: the attribute is not sent. */
  readonly keyLengths: readonly number[];
  /** The cipher key when no Key Length attribute is sent. */
  readonly fixedKeyBits: number;
  /** Salt taken after the key from the key material (RFC 5282 7.1, RFC 7634 2). */
  readonly saltBytes: number;
  /** The IV sent in every SK payload / ESP packet. */
  readonly ivBytes: number;
  /** Plaintext plus padding plus Pad Length must fill whole blocks of this size (RFC 7296 3.14). */
  readonly blockBytes: number;
  /** ICV from the cipher itself (AEAD); 0 when an INTEG transform supplies it. */
  readonly icvBytes: number;
}

export type DhKind = 'modp' | 'ecp' | 'x25519';

/** Transform Type 4. */
export interface DhInfo {
  readonly id: number;
  readonly name: string;
  readonly kind: DhKind;
  /** Key Exchange Data length in the KE payload (RFC 7296 3.4). */
  readonly publicBytes: number;
  /** Length of g^ir. */
  readonly sharedBytes: number;
}

// HMAC PRFs take keys of any length (RFC 2104 3, RFC 4868 2.1.2); the key size used for SK_d,
// SK_pi and SK_pr (RFC 7296 2.14) is the output size, as in the AOSP and libreswan vectors.
const PRFS: readonly PrfInfo[] = [
  { id: PrfId.PRF_HMAC_SHA1, name: 'PRF_HMAC_SHA1', hash: 'sha1', outputBytes: 20, keyBytes: 20 }, // RFC 2104, FIPS 180-4 (SHA-1: 160 bits)
  { id: PrfId.PRF_HMAC_SHA2_256, name: 'PRF_HMAC_SHA2_256', hash: 'sha256', outputBytes: 32, keyBytes: 32 }, // RFC 4868 2.6
  { id: PrfId.PRF_HMAC_SHA2_384, name: 'PRF_HMAC_SHA2_384', hash: 'sha384', outputBytes: 48, keyBytes: 48 }, // RFC 4868 2.6
  { id: PrfId.PRF_HMAC_SHA2_512, name: 'PRF_HMAC_SHA2_512', hash: 'sha512', outputBytes: 64, keyBytes: 64 }, // RFC 4868 2.6
];

const INTEGS: readonly IntegInfo[] = [
  { id: IntegId.AUTH_HMAC_SHA1_96, name: 'AUTH_HMAC_SHA1_96', hash: 'sha1', keyBytes: 20, icvBytes: 12 }, // RFC 2404 2, 3
  { id: IntegId.AUTH_HMAC_SHA2_256_128, name: 'AUTH_HMAC_SHA2_256_128', hash: 'sha256', keyBytes: 32, icvBytes: 16 }, // RFC 4868 2.1.1, 2.3, 2.6
  { id: IntegId.AUTH_HMAC_SHA2_384_192, name: 'AUTH_HMAC_SHA2_384_192', hash: 'sha384', keyBytes: 48, icvBytes: 24 }, // RFC 4868 2.1.1, 2.3, 2.6
  { id: IntegId.AUTH_HMAC_SHA2_512_256, name: 'AUTH_HMAC_SHA2_512_256', hash: 'sha512', keyBytes: 64, icvBytes: 32 }, // RFC 4868 2.1.1, 2.3, 2.6
];

const AES_KEYS = [128, 192, 256] as const;
const gcm = (id: number, name: string, icvBytes: number): EncrInfo =>
  // RFC 5282 3.1 (8-octet IV), 3.2 (ICV 8, 12 or 16 octets), 4 (nonce salt | IV), 7.1 (4-octet salt
  // after the key), 7.3 (Key Length 128, 192 or 256); RFC 4106 8.1 for ESP.
  ({ id, name, cipher: 'aes-gcm', aead: true, keyLengths: AES_KEYS, fixedKeyBits: 0, saltBytes: 4, ivBytes: 8, blockBytes: 1, icvBytes });

const ENCRS: readonly EncrInfo[] = [
  // RFC 3602 2.4, 3 and RFC 7296 3.14: 16-octet random IV, 16-octet blocks, key length attribute required.
  { id: EncrId.ENCR_AES_CBC, name: 'ENCR_AES_CBC', cipher: 'aes-cbc', aead: false, keyLengths: AES_KEYS, fixedKeyBits: 0, saltBytes: 0, ivBytes: 16, blockBytes: 16, icvBytes: 0 },
  gcm(EncrId.ENCR_AES_GCM_8, 'ENCR_AES_GCM_8', 8),
  gcm(EncrId.ENCR_AES_GCM_12, 'ENCR_AES_GCM_12', 12),
  gcm(EncrId.ENCR_AES_GCM_16, 'ENCR_AES_GCM_16', 16),
  // RFC 7634 2 (32-octet key + 4-octet salt, 8-octet IV, 16-octet tag); the key size is fixed, so no
  // Key Length attribute (strongSwan's chacha20poly1305 keyword sends none).
  { id: EncrId.ENCR_CHACHA20_POLY1305, name: 'ENCR_CHACHA20_POLY1305', cipher: 'chacha20-poly1305', aead: true, keyLengths: [], fixedKeyBits: 256, saltBytes: 4, ivBytes: 8, blockBytes: 1, icvBytes: 16 },
];

const DHS: readonly DhInfo[] = [
  { id: DhGroup.MODP_1024, name: 'MODP_1024', kind: 'modp', publicBytes: 128, sharedBytes: 128 }, // RFC 2409 6.2, RFC 7296 3.4
  { id: DhGroup.MODP_2048, name: 'MODP_2048', kind: 'modp', publicBytes: 256, sharedBytes: 256 }, // RFC 3526 3
  { id: DhGroup.MODP_3072, name: 'MODP_3072', kind: 'modp', publicBytes: 384, sharedBytes: 384 }, // RFC 3526 4
  { id: DhGroup.ECP_256, name: 'ECP_256', kind: 'ecp', publicBytes: 64, sharedBytes: 32 }, // RFC 5903 7 (x|y; shared = x)
  { id: DhGroup.ECP_384, name: 'ECP_384', kind: 'ecp', publicBytes: 96, sharedBytes: 48 }, // RFC 5903 7
  { id: DhGroup.CURVE25519, name: 'CURVE25519', kind: 'x25519', publicBytes: 32, sharedBytes: 32 }, // RFC 8031 2
];

function find<T extends { readonly id: number }>(table: readonly T[], id: unknown, arg: string, kind: string): T {
  const row = table.find((r) => r.id === id);
  if (!row) throw unknownAlgorithm(arg, kind, id);
  return row;
}

export const prfInfo = (id: number, arg = 'prf'): PrfInfo => find(PRFS, id, arg, 'PRF');
export const integInfo = (id: number, arg = 'integ'): IntegInfo => find(INTEGS, id, arg, 'INTEG');
export const encrInfo = (id: number, arg = 'encr'): EncrInfo => find(ENCRS, id, arg, 'ENCR');
export const dhInfo = (id: number, arg = 'group'): DhInfo => find(DHS, id, arg, 'Diffie-Hellman group');

export const supportedPrfs = (): readonly PrfInfo[] => PRFS;
export const supportedIntegs = (): readonly IntegInfo[] => INTEGS;
export const supportedEncrs = (): readonly EncrInfo[] => ENCRS;
export const supportedDhGroups = (): readonly DhInfo[] => DHS;

/** The sizes of one ENCR transform with its Key Length attribute (bits; undefined when not sent). */
export interface EncrKeySizes {
  readonly info: EncrInfo;
  /** The cipher key. */
  readonly keyBytes: number;
  /** Key plus salt: the length of SK_ei / SK_er (RFC 7296 2.14) and of an ESP encryption key. */
  readonly keymatBytes: number;
}

export function encrKeySizes(id: number, keyLength: number | undefined, arg = 'encr'): EncrKeySizes {
  const info = encrInfo(id, arg);
  let bits = info.fixedKeyBits;
  if (info.keyLengths.length > 0) {
    expectInt(`${arg}.keyLength`, keyLength, 0, 65535);
    if (!info.keyLengths.includes(keyLength!)) {
      throw new RangeError(`"${arg}.keyLength" must be one of ${info.keyLengths.join(', ')} for ${info.name}, got ${keyLength}`);
    }
    bits = keyLength!;
  } else if (keyLength !== undefined && keyLength !== info.fixedKeyBits) {
    // No Key Length attribute for a fixed-size key; a peer that sends one anyway may only mean that size.
    throw new RangeError(`"${arg}.keyLength" must be absent for ${info.name}, got ${keyLength}`);
  }
  return { info, keyBytes: bits / 8, keymatBytes: bits / 8 + info.saltBytes };
}
