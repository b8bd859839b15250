/**
 * IPv4 header, RFC 791 section 3.1 (20 bytes plus options):
 *
 *   Version (4 bits) | IHL (4 bits, in 32-bit words) | Type of Service (1) | Total Length (2)
 *   Identification (2) | Flags (3 bits: reserved, DF, MF) | Fragment Offset (13 bits, 8-byte units)
 *   Time to Live (1) | Protocol (1) | Header Checksum (2, RFC 1071 over the header only)
 *   Source Address (4) | Destination Address (4) | Options (IHL*4 - 20 bytes)
 *
 * Input checks, each a drop reason, never an exception: at least 20 bytes, Version 4, IHL at least
 * 5, IHL*4 <= Total Length <= the bytes present, the header checksum, and no fragment (MF or a
 * non-zero offset: the host does not reassemble). Bytes past Total Length are ignored: ESP may
 * carry TFC padding after the inner datagram (RFC 4303 2.4), whose length the IP header tells.
 * Options are skipped by IHL and not interpreted; the reserved flag is ignored.
 * Output: a 20-byte header without options, checksum computed, DF set (an atomic datagram,
 * RFC 6864 4.1), Identification chosen by the caller.
 */
import { WakeLabError } from '../errors.ts';
import { checksumOf, sumWords, verifies } from './checksum.ts';
import { innerDrop, type InnerDrop } from './drop.ts';

export const IPV4_VERSION = 4;
/** RFC 791 3.1: IHL is at least 5 words, a header without options. */
export const IPV4_HEADER_BYTES = 20;
/** RFC 791 3.1: Total Length is 16 bits, header included. */
export const IPV4_MAX_TOTAL_LENGTH = 0xffff;
/** The largest payload of a datagram sent with a 20-byte header. */
export const IPV4_MAX_PAYLOAD = IPV4_MAX_TOTAL_LENGTH - IPV4_HEADER_BYTES;
/**
 * Default Time to Live: 64, RFC 1700 ("IP TTL 64"; the list now lives in the IANA IP Parameters
 * registry, RFC 3232), as Linux, BSD and macOS hosts send it. RFC 1122 3.2.1.7 only asks for a fixed
 * value large enough for the Internet diameter.
 */
export const DEFAULT_TTL = 64;

/** Assigned Internet Protocol Numbers (IANA; RFC 790): the Protocol field. */
export const IpProtocol = {
  /** RFC 792 */
  ICMP: 1,
  /** RFC 9293 */
  TCP: 6,
  /** RFC 768 */
  UDP: 17,
} as const;

/** RFC 791 3.1, the 16-bit word of Flags and Fragment Offset. */
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const OFFSET_MASK = 0x1fff;

/** A datagram that passed every input check. */
export interface Ipv4Packet {
  readonly ok: true;
  /** IHL * 4: 20 and up when options are present. */
  readonly headerLength: number;
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  readonly dontFragment: boolean;
  readonly ttl: number;
  readonly protocol: number;
  /** Unsigned 32-bit addresses, as in net/ipv4.ts. */
  readonly src: number;
  readonly dst: number;
  /** The bytes from the end of the header to Total Length: a view into the input, not a copy. */
  readonly payload: Uint8Array;
}

export type Ipv4Drop = InnerDrop & { readonly reason: 'bad-header' | 'bad-checksum' | 'fragment' };

/** Parses an inner datagram (network input: returns a drop, never throws). */
export function decodeIpv4(b: Uint8Array): Ipv4Packet | Ipv4Drop {
  if (!(b instanceof Uint8Array) || b.length < IPV4_HEADER_BYTES) return innerDrop('bad-header');
  const version = b[0]! >>> 4;
  const headerLength = (b[0]! & 0x0f) * 4;
  const totalLength = (b[2]! << 8) | b[3]!;
  if (version !== IPV4_VERSION || headerLength < IPV4_HEADER_BYTES) return innerDrop('bad-header');
  if (totalLength < headerLength || totalLength > b.length) return innerDrop('bad-header');
  if (!verifies(sumWords(b, 0, headerLength))) return innerDrop('bad-checksum');
  const frag = (b[6]! << 8) | b[7]!;
  if ((frag & FLAG_MF) !== 0 || (frag & OFFSET_MASK) !== 0) return innerDrop('fragment');
  return {
    ok: true,
    headerLength,
    tos: b[1]!,
    totalLength,
    id: (b[4]! << 8) | b[5]!,
    dontFragment: (frag & FLAG_DF) !== 0,
    ttl: b[8]!,
    protocol: b[9]!,
    src: u32(b, 12),
    dst: u32(b, 16),
    payload: b.subarray(headerLength, totalLength),
  };
}

/** The header fields a sender chooses; the lengths and the checksum follow. */
export interface Ipv4Fields {
  readonly src: number;
  readonly dst: number;
  readonly protocol: number;
  /** Identification (16 bits). */
  readonly id: number;
  /** DEFAULT_TTL when absent. */
  readonly ttl?: number;
  /** 0 when absent. */
  readonly tos?: number;
  /** True when absent. */
  readonly dontFragment?: boolean;
}

/**
 * A new datagram of IPV4_HEADER_BYTES + payloadLength bytes with its header written; the payload
 * (zeros) is for the caller to fill at IPV4_HEADER_BYTES. The header checksum covers the header only,
 * so it is final already. Throws INVALID_ARGUMENT naming the field on a bad local value.
 */
export function allocIpv4(f: Ipv4Fields, payloadLength: number): Uint8Array {
  checkUint('payloadLength', payloadLength, IPV4_MAX_PAYLOAD);
  checkUint('src', f.src, 0xffffffff);
  checkUint('dst', f.dst, 0xffffffff);
  checkUint('protocol', f.protocol, 0xff);
  checkUint('id', f.id, 0xffff);
  const ttl = f.ttl ?? DEFAULT_TTL;
  const tos = f.tos ?? 0;
  checkUint('ttl', ttl, 0xff);
  checkUint('tos', tos, 0xff);
  const total = IPV4_HEADER_BYTES + payloadLength;
  const b = new Uint8Array(total);
  b[0] = (IPV4_VERSION << 4) | (IPV4_HEADER_BYTES / 4);
  b[1] = tos;
  b[2] = total >>> 8;
  b[3] = total & 0xff;
  b[4] = f.id >>> 8;
  b[5] = f.id & 0xff;
  b[6] = (f.dontFragment ?? true) ? FLAG_DF >>> 8 : 0;
  b[8] = ttl;
  b[9] = f.protocol;
  putU32(b, 12, f.src);
  putU32(b, 16, f.dst);
  const sum = checksumOf(sumWords(b, 0, IPV4_HEADER_BYTES));
  b[10] = sum >>> 8;
  b[11] = sum & 0xff;
  return b;
}

/** A datagram carrying a copy of `payload`. */
export function encodeIpv4(f: Ipv4Fields, payload: Uint8Array): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new WakeLabError('INVALID_ARGUMENT', 'IPv4 payload: must be a Uint8Array');
  const b = allocIpv4(f, payload.length);
  b.set(payload, IPV4_HEADER_BYTES);
  return b;
}

function checkUint(field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new WakeLabError('INVALID_ARGUMENT', `IPv4 ${field}: ${String(v)} is not an integer in 0..${max}`);
  }
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
