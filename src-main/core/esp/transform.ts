/**
 * What each ESP algorithm adds to the packet and what it authenticates, given one direction of a
 * CHILD_SA as a small state-free description (`EspSa`).
 *
 * Sizes (RFC 4303 2.3, 2.4, 2.8):
 * - ENCR_AES_CBC (RFC 3602 2.4, 3): 16-octet IV, 16-octet blocks; ICV from the INTEG transform,
 *   e.g. AUTH_HMAC_SHA2_256_128: 16 octets (RFC 4868 2.3).
 * - ENCR_AES_GCM_16 (RFC 4106 3.1, 6): 8-octet IV, 16-octet ICV; GCM_8 / GCM_12 cut it to 8 / 12.
 * - ENCR_CHACHA20_POLY1305 (RFC 7634 2): 8-octet IV, 16-octet ICV.
 * The text (payload, padding, trailer) fills whole cipher blocks and ends on a 4-octet boundary
 * (RFC 4303 2.4): 16 for CBC, 4 for the AEADs (block size 1, RFC 4106 3.2, RFC 7634 2).
 *
 * What is authenticated (`authData`):
 * - AEAD (RFC 4106 5, RFC 7634 2.1): AAD = SPI | Sequence Number (8 octets), or with ESN
 *   SPI | Seq high | Seq low (12 octets); the high bits are never sent.
 * - AES-CBC + HMAC (RFC 4303 3.3.2.1, 2.2.1): ICV over SPI | Seq | IV | ciphertext, and with ESN
 *   the high-order 32 bits appended after the ciphertext for the ICV computation only.
 *
 * Keys: `EspSa.keys` is one half of what keymat.ts `deriveChildSaKeys` returns: `encr` = cipher
 * key then, for AEAD, the 4-octet salt (RFC 4106 8.1, RFC 7634 2); `integ` = the HMAC key (empty
 * or absent for AEAD).
 */
import { encrKeySizes, integInfo } from '../crypto/algorithms.ts';
import { expectInt } from '../crypto/args.ts';
import type { SkCipher, SkKeys } from '../crypto/suite.ts';
import { ESP_ALIGN, ESP_HEADER_BYTES, ESP_TRAILER_BYTES, padLengthFor, writeU32 } from './packet.ts';

/** One direction of a CHILD_SA, as the data path needs it. */
export interface EspSa {
  /** The SPI the receiving side chose (RFC 4303 2.1), 1 to 2^32 - 1. */
  readonly spi: number;
  /** ENCR (and INTEG unless AEAD) as negotiated (src-main/core/ike/constants.ts EncrId, IntegId). */
  readonly cipher: SkCipher;
  /** This direction's keys, as keymat.ts derives them. */
  readonly keys: SkKeys;
}

/**
 * A full sequence number: a JS number up to 2^53 - 1 (the per-packet path), or a bigint for the
 * whole 64-bit ESN range (RFC 4303 2.2.1). Without ESN it must be below 2^32.
 */
export type EspSeq = number | bigint;

/** The per-packet sizes of one cipher. */
export interface EspLayout {
  readonly aead: boolean;
  readonly ivBytes: number;
  readonly icvBytes: number;
  /** The text (payload, padding, trailer) is a multiple of this: lcm(cipher block, 4). */
  readonly align: number;
  /** The shortest text a receiver can decrypt: the trailer, rounded up to the cipher's block. */
  readonly minText: number;
  /** The cipher's block: the received text must be a whole number of them. */
  readonly block: number;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

const layouts = new WeakMap<SkCipher, EspLayout>();

/** The sizes for `cipher`; throws naming the argument for an unknown or incomplete cipher. */
export function espLayout(cipher: SkCipher, arg = 'sa.cipher'): EspLayout {
  const cached = layouts.get(cipher);
  if (cached) return cached;
  if (typeof cipher !== 'object' || cipher === null) throw new TypeError(`"${arg}" expected { encr, keyLength?, integ? }, got ${String(cipher)}`);
  const { info } = encrKeySizes(cipher.encr, cipher.keyLength, `${arg}.encr`);
  let icvBytes = info.icvBytes;
  if (!info.aead) {
    // RFC 4303 3.2 allows confidentiality without integrity; WakeLab never negotiates it
    // (ike/proposal-syntax.ts), so an ESP cipher without INTEG is a local error.
    if (cipher.integ === undefined || cipher.integ === 0) throw new RangeError(`"${arg}.integ" is required with ${info.name}: WakeLab does no encryption-only ESP`);
    icvBytes = integInfo(cipher.integ, `${arg}.integ`).icvBytes;
  }
  const block = info.blockBytes;
  const align = (block * ESP_ALIGN) / gcd(block, ESP_ALIGN); // lcm: 16 for AES-CBC, 4 for the AEADs
  const minText = Math.ceil(ESP_TRAILER_BYTES / block) * block;
  const layout: EspLayout = { aead: info.aead, ivBytes: info.ivBytes, icvBytes, align, minText, block };
  layouts.set(cipher, layout);
  return layout;
}

/** The ESP packet length (SPI through ICV) for an inner packet of `innerLength` octets. */
export function espPacketLength(cipher: SkCipher, innerLength: number): number {
  const l = espLayout(cipher, 'cipher');
  expectInt('innerLength', innerLength, 0, 0xffff);
  return ESP_HEADER_BYTES + l.ivBytes + innerLength + padLengthFor(innerLength, l.align) + ESP_TRAILER_BYTES + l.icvBytes;
}

const TWO_32 = 0x1_0000_0000;

/**
 * [high, low] 32-bit halves of a sequence number; throws (local misuse) unless it is a whole
 * number in range: below 2^64 with ESN, below 2^32 without (RFC 4303 2.2, 2.2.1).
 */
export function splitSeq(seq: EspSeq, esn: boolean, arg = 'seq'): [high: number, low: number] {
  let high: number;
  let low: number;
  if (typeof seq === 'number') {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`"${arg}" expected a whole number from 0 to 2^53 - 1 (a bigint above), got ${seq}`);
    high = Math.floor(seq / TWO_32);
    low = seq >>> 0;
  } else if (typeof seq === 'bigint') {
    if (seq < 0n || seq >= 1n << 64n) throw new RangeError(`"${arg}" expected a 64-bit sequence number, got ${seq}`);
    high = Number(seq >> 32n);
    low = Number(seq & 0xffff_ffffn);
  } else {
    throw new TypeError(`"${arg}" expected a number or bigint, got ${typeof seq}`);
  }
  if (typeof esn !== 'boolean') throw new TypeError(`"esn" expected a boolean, got ${typeof esn}`);
  if (!esn && high !== 0) throw new RangeError(`"${arg}" must be below 2^32 without ESN (RFC 4303 2.2), got ${seq}`);
  return [high, low];
}

const NO_TAIL = new Uint8Array(0);

/** What the cipher authenticates besides IV and ciphertext, for `packet` (whose header is written). */
export interface EspAuthData {
  readonly aad: Uint8Array;
  readonly icvTail: Uint8Array;
}

/**
 * RFC 4106 5 / RFC 7634 2.1 (AEAD) and RFC 4303 3.3.2.1 (separate ICV): the AAD and ICV tail
 * for a packet whose first 8 octets are SPI | Seq low, with `seqHigh` the implicit ESN bits.
 * Without ESN the AAD is a view of the packet, no copy.
 */
export function authData(layout: EspLayout, packet: Uint8Array, seqHigh: number, esn: boolean): EspAuthData {
  const header = packet.subarray(0, ESP_HEADER_BYTES);
  if (!esn) return { aad: header, icvTail: NO_TAIL };
  if (layout.aead) {
    const aad = new Uint8Array(12);
    aad.set(header.subarray(0, 4), 0);
    writeU32(aad, 4, seqHigh);
    aad.set(header.subarray(4, 8), 8);
    return { aad, icvTail: NO_TAIL };
  }
  const icvTail = new Uint8Array(4);
  writeU32(icvTail, 0, seqHigh);
  return { aad: header, icvTail };
}

/**
 * Throws unless `sa` is an object with a 32-bit SPI; returns its layout. Sending needs SPI 1 or
 * more: 0 is reserved and never sent (RFC 4303 2.1), and inside UDP it would read as the non-ESP
 * marker (RFC 3948 2.2). Receiving takes any value: the SPI only has to match the packet.
 */
export function checkSa(sa: EspSa, sending: boolean): EspLayout {
  if (typeof sa !== 'object' || sa === null) throw new TypeError(`"sa" expected { spi, cipher, keys }, got ${String(sa)}`);
  expectInt('sa.spi', sa.spi, sending ? 1 : 0, 0xffff_ffff);
  return espLayout(sa.cipher);
}
