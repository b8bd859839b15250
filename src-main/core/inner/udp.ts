/**
 * UDP, RFC 768:
 *
 *   Source Port (2) | Destination Port (2) | Length (2: header and data) | Checksum (2) | data
 *
 * The checksum is RFC 1071 over a pseudo-header, the UDP header and the data (RFC 768, "Fields"):
 *
 *   Source Address (4) | Destination Address (4) | zero (1) | Protocol 17 (1) | UDP Length (2)
 *
 * Input: a zero Checksum means the sender computed none (RFC 768) and is accepted; any other value
 * must verify. Length must be at least 8 and at most the IP payload; IP payload bytes past Length
 * are ignored. Output: the checksum is always computed, and a computed zero is sent as 0xffff
 * (RFC 768: "If the computed checksum is zero, it is transmitted as all ones").
 */
import { checksumOf, sumWords, verifies } from './checksum.ts';
import { innerDrop, type InnerDrop } from './drop.ts';
import { allocIpv4, IPV4_HEADER_BYTES, IPV4_MAX_PAYLOAD, IpProtocol, type Ipv4Fields } from './ipv4-packet.ts';
import { WakeLabError } from '../errors.ts';

/** RFC 768: four 16-bit fields. */
export const UDP_HEADER_BYTES = 8;
/** 65535 - 20 (IPv4 header without options) - 8 (UDP header) = 65507. */
export const UDP_MAX_PAYLOAD = IPV4_MAX_PAYLOAD - UDP_HEADER_BYTES;
/** Where a UDP datagram's data starts in an IPv4 datagram this module built. */
export const UDP_PAYLOAD_OFFSET = IPV4_HEADER_BYTES + UDP_HEADER_BYTES;

export interface UdpDatagram {
  readonly ok: true;
  readonly srcPort: number;
  readonly dstPort: number;
  /** The Length field. */
  readonly length: number;
  /** As received; 0 when the sender computed none. */
  readonly checksum: number;
  /** A view into the input, not a copy. */
  readonly payload: Uint8Array;
}

export type UdpDrop = InnerDrop & { readonly reason: 'bad-header' | 'bad-checksum' };

/** Parses the UDP datagram an IPv4 datagram from `src` to `dst` carries (never throws). */
export function decodeUdp(src: number, dst: number, segment: Uint8Array): UdpDatagram | UdpDrop {
  if (segment.length < UDP_HEADER_BYTES) return innerDrop('bad-header');
  const length = (segment[4]! << 8) | segment[5]!;
  if (length < UDP_HEADER_BYTES || length > segment.length) return innerDrop('bad-header');
  const checksum = (segment[6]! << 8) | segment[7]!;
  if (checksum !== 0 && !verifies(sumWords(segment, 0, length, pseudoHeaderSum(src, dst, length)))) {
    return innerDrop('bad-checksum');
  }
  return {
    ok: true,
    srcPort: (segment[0]! << 8) | segment[1]!,
    dstPort: (segment[2]! << 8) | segment[3]!,
    length,
    checksum,
    payload: segment.subarray(UDP_HEADER_BYTES, length),
  };
}

/**
 * A new IPv4 datagram carrying a UDP header and `payloadLength` zero bytes of data at
 * UDP_PAYLOAD_OFFSET. Fill the data, then call `sealUdp`. Throws INVALID_ARGUMENT on a bad local value.
 */
export function allocUdp(ip: Omit<Ipv4Fields, 'protocol'>, srcPort: number, dstPort: number, payloadLength: number): Uint8Array {
  checkPort('srcPort', srcPort);
  checkPort('dstPort', dstPort);
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > UDP_MAX_PAYLOAD) {
    throw new WakeLabError('INVALID_ARGUMENT', `UDP payloadLength: ${String(payloadLength)} is not an integer in 0..${UDP_MAX_PAYLOAD}`);
  }
  const length = UDP_HEADER_BYTES + payloadLength;
  const b = allocIpv4({ ...ip, protocol: IpProtocol.UDP }, length);
  const at = IPV4_HEADER_BYTES;
  b[at] = srcPort >>> 8;
  b[at + 1] = srcPort & 0xff;
  b[at + 2] = dstPort >>> 8;
  b[at + 3] = dstPort & 0xff;
  b[at + 4] = length >>> 8;
  b[at + 5] = length & 0xff;
  return b;
}

/** Writes the UDP checksum of a datagram made by `allocUdp` once its data is in place. */
export function sealUdp(b: Uint8Array): void {
  const at = IPV4_HEADER_BYTES;
  const src = ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
  const dst = ((b[16]! << 24) | (b[17]! << 16) | (b[18]! << 8) | b[19]!) >>> 0;
  const length = b.length - at;
  b[at + 6] = 0;
  b[at + 7] = 0;
  const sum = checksumOf(sumWords(b, at, b.length, pseudoHeaderSum(src, dst, length))) || 0xffff;
  b[at + 6] = sum >>> 8;
  b[at + 7] = sum & 0xff;
}

/** A UDP datagram in a new IPv4 datagram, carrying a copy of `payload`, checksum computed. */
export function encodeUdp(ip: Omit<Ipv4Fields, 'protocol'>, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const b = allocUdp(ip, srcPort, dstPort, payload.length);
  b.set(payload, UDP_PAYLOAD_OFFSET);
  sealUdp(b);
  return b;
}

/** RFC 768 pseudo-header as an unfolded sum of its 16-bit words. */
function pseudoHeaderSum(src: number, dst: number, udpLength: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + IpProtocol.UDP + udpLength;
}

function checkPort(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
    throw new WakeLabError('INVALID_ARGUMENT', `UDP ${field}: ${String(v)} is not an integer in 0..65535`);
  }
}
