/**
 * The selector fields of an inner IPv4 datagram (RFC 4301 4.4.1.1: addresses, Next Layer Protocol,
 * ports, or ICMP type and code), read on the per-packet path into a caller-owned scratch object:
 * no allocation per packet.
 *
 * Well-formed means what RFC 791 3.1 and core/inner/ipv4-packet.ts decodeIpv4 check: at least 20
 * octets, Version 4, IHL at least 5, IHL * 4 <= Total Length <= the octets present, and the header
 * checksum (RFC 1071). Unlike decodeIpv4, fragments are well-formed here: tunnel mode carries them
 * (whether the virtual host takes them is its business). Octets past Total Length are TFC padding
 * (RFC 4303 2.7) and are not part of the datagram.
 *
 * Ports (RFC 4301 4.4.1.1, "Local Port, Remote Port"): the first four octets of TCP, UDP, SCTP,
 * DCCP and UDP-Lite. For ICMP the 16-bit selector value is type << 8 | code (RFC 4301 4.4.1.1,
 * RFC 7296 3.13.1), given here as both source and destination "port". A non-initial fragment, a
 * truncated transport header, or another protocol has no ports: -1, which only selectors with
 * ANY or OPAQUE ports match (RFC 4301 4.4.1.1, OPAQUE; see selectors.ts).
 */
import { sumWords, verifies } from '../inner/checksum.ts';

/** The fields a selector looks at; written by readInnerFlow. */
export interface InnerFlow {
  /** Unsigned 32-bit addresses, as in core/net/ipv4.ts. */
  src: number;
  dst: number;
  protocol: number;
  /** -1 when not available (see the module header). */
  srcPort: number;
  dstPort: number;
  /** IPv4 Total Length: the datagram's octets; any further octets are TFC padding. */
  totalLength: number;
}

export function newInnerFlow(): InnerFlow {
  return { src: 0, dst: 0, protocol: 0, srcPort: -1, dstPort: -1, totalLength: 0 };
}

const IPV4_MIN_HEADER = 20;
const OFFSET_MASK = 0x1fff;
const ICMP = 1;

/** Protocols whose header starts with a 16-bit source port and a 16-bit destination port. */
function hasPorts(protocol: number): boolean {
  // TCP (RFC 9293), UDP (RFC 768), DCCP (RFC 4340), SCTP (RFC 9260), UDP-Lite (RFC 3828)
  return protocol === 6 || protocol === 17 || protocol === 33 || protocol === 132 || protocol === 136;
}

/** Fills `out` and returns true when `b` is a well-formed IPv4 datagram; false (out undefined) otherwise. */
export function readInnerFlow(b: Uint8Array, out: InnerFlow): boolean {
  if (b.length < IPV4_MIN_HEADER) return false;
  const b0 = b[0]!;
  const headerLength = (b0 & 0x0f) * 4;
  const totalLength = (b[2]! << 8) | b[3]!;
  if (b0 >>> 4 !== 4 || headerLength < IPV4_MIN_HEADER || totalLength < headerLength || totalLength > b.length) return false;
  if (!verifies(sumWords(b, 0, headerLength))) return false;
  const protocol = b[9]!;
  out.src = ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
  out.dst = ((b[16]! << 24) | (b[17]! << 16) | (b[18]! << 8) | b[19]!) >>> 0;
  out.protocol = protocol;
  out.totalLength = totalLength;
  out.srcPort = -1;
  out.dstPort = -1;
  // Only the first fragment (offset 0) holds the transport header.
  if ((((b[6]! << 8) | b[7]!) & OFFSET_MASK) === 0) {
    const l4 = headerLength;
    const avail = totalLength - l4;
    if (hasPorts(protocol)) {
      if (avail >= 4) {
        out.srcPort = (b[l4]! << 8) | b[l4 + 1]!;
        out.dstPort = (b[l4 + 2]! << 8) | b[l4 + 3]!;
      }
    } else if (protocol === ICMP && avail >= 2) {
      out.srcPort = out.dstPort = (b[l4]! << 8) | b[l4 + 1]!;
    }
  }
  return true;
}
