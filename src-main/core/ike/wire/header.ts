/**
 * IKE header, RFC 7296 section 3.1 (28 bytes):
 *
 *   IKE SA Initiator's SPI (8) | IKE SA Responder's SPI (8)
 *   Next Payload (1) | MjVer (high 4 bits) MnVer (low 4 bits) (1) | Exchange Type (1) | Flags (1)
 *   Message ID (4) | Length (4: the whole message, this header included)
 *
 * Flags: R (0x20) response, V (0x10) "I can speak a higher major version", I (0x08) sent by the
 * original initiator; the other bits are sent as zero and ignored on receipt.
 * Checks: 28 bytes present, major version 2 (checked first, as a different version may lay the rest
 * out differently), Length equal to the bytes the message carries.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { HeaderFlag, IKE_HEADER_LENGTH, IKE_MAJOR_VERSION, IKE_MINOR_VERSION } from '../constants.ts';
import { checkLength, checkUint, drop, fieldError, ok, type Decoded } from './result.ts';

/** The header fields a sender chooses; Next Payload and Length follow from the payloads. */
export interface HeaderFields {
  /** 8 bytes. */
  readonly spiI: Uint8Array;
  /** 8 bytes; all zero in the first IKE_SA_INIT request. */
  readonly spiR: Uint8Array;
  readonly exchangeType: number;
  /** I flag. */
  readonly initiator: boolean;
  /** R flag. */
  readonly response: boolean;
  /** V flag (never set by this implementation). */
  readonly higherVersion?: boolean;
  readonly messageId: number;
  /** 2 when absent. */
  readonly majorVersion?: number;
  /** 0 when absent (RFC 7296 3.1: sent as zero, accepted as anything). */
  readonly minorVersion?: number;
}

export interface IkeHeader extends Required<HeaderFields> {
  readonly nextPayload: number;
  readonly length: number;
}

/** Reads the header of a message that spans the rest of `r`. */
export function decodeHeader(r: Reader): Decoded<IkeHeader> {
  const total = r.remaining;
  const h = readFields(r);
  if (!r.ok) return drop('truncated', `IKE header: ${total} bytes, needs ${IKE_HEADER_LENGTH}`);
  if (h.majorVersion !== IKE_MAJOR_VERSION) {
    return drop('bad-version', `IKE header: major version ${h.majorVersion}, speaks ${IKE_MAJOR_VERSION}`);
  }
  if (h.length !== total) return drop('bad-length', `IKE header: Length ${h.length}, message carries ${total} bytes`);
  return ok(h);
}

/**
 * The 28 header bytes as fields, unchecked: what a responder needs to answer a message it drops
 * (INVALID_MAJOR_VERSION, RFC 7296 2.5). Undefined when fewer than 28 bytes are present.
 */
export function peekHeader(r: Reader): IkeHeader | undefined {
  const h = readFields(r);
  return r.ok ? h : undefined;
}

function readFields(r: Reader): IkeHeader {
  const spiI = r.bytes(8);
  const spiR = r.bytes(8);
  const nextPayload = r.u8();
  const version = r.u8();
  const exchangeType = r.u8();
  const flags = r.u8();
  const messageId = r.u32();
  const length = r.u32();
  return {
    spiI,
    spiR,
    nextPayload,
    majorVersion: version >> 4,
    minorVersion: version & 0x0f,
    exchangeType,
    initiator: (flags & HeaderFlag.I) !== 0,
    response: (flags & HeaderFlag.R) !== 0,
    higherVersion: (flags & HeaderFlag.V) !== 0,
    messageId,
    length,
  };
}

/** Writes the 28-byte header; `length` may be a placeholder patched later (at offset 24). */
export function encodeHeader(w: Writer, h: HeaderFields, nextPayload: number, length: number): void {
  checkLength('header.spiI', h.spiI, 8, 8);
  checkLength('header.spiR', h.spiR, 8, 8);
  checkUint('header.nextPayload', nextPayload, 8);
  const major = h.majorVersion ?? IKE_MAJOR_VERSION;
  const minor = h.minorVersion ?? IKE_MINOR_VERSION;
  for (const [field, v] of [['header.majorVersion', major], ['header.minorVersion', minor]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 15) fieldError(field, `${v} is not an integer in 0..15`);
  }
  checkUint('header.exchangeType', h.exchangeType, 8);
  checkUint('header.messageId', h.messageId, 32);
  checkUint('header.length', length, 32);
  const flags =
    (h.initiator ? HeaderFlag.I : 0) | (h.response ? HeaderFlag.R : 0) | (h.higherVersion ? HeaderFlag.V : 0);
  w.bytes(h.spiI).bytes(h.spiR).u8(nextPayload).u8((major << 4) | minor).u8(h.exchangeType).u8(flags);
  w.u32(h.messageId).u32(length);
}

export function headerLength(): number {
  return IKE_HEADER_LENGTH;
}
