/**
 * ICMP Echo and Echo Reply, RFC 792 (pages 14-15), as a host answers them (RFC 1122 3.2.2.6):
 *
 *   Type (1: 8 Echo, 0 Echo Reply) | Code (1: 0) | Checksum (2)
 *   Identifier (2) | Sequence Number (2) | Data (any length)
 *
 * The checksum is RFC 1071 over the whole ICMP message, Type onwards (RFC 792). A reply swaps the
 * addresses (its source is the request's specific destination, RFC 1122 3.2.2.6), echoes
 * Identifier, Sequence Number and every Data byte, and carries a recomputed checksum. Other ICMP
 * types are silently discarded (RFC 1122 3.2.2). The request's IP options are not returned:
 * Record Route and Timestamp SHOULD be updated and returned (RFC 1122 3.2.2.6), but this host
 * sends no options at all.
 */
import { checksumOf, sumWords, verifies } from './checksum.ts';
import { innerDrop, type InnerDrop } from './drop.ts';
import { allocIpv4, IPV4_HEADER_BYTES, IpProtocol } from './ipv4-packet.ts';

/** RFC 792: the Type field of the two messages this host knows. */
export const IcmpType = {
  ECHO_REPLY: 0,
  ECHO_REQUEST: 8,
} as const;

/** RFC 792: Type, Code, Checksum, Identifier, Sequence Number. */
export const ICMP_ECHO_HEADER_BYTES = 8;

export interface IcmpEcho {
  readonly ok: true;
  readonly type: number;
  readonly code: number;
  readonly identifier: number;
  readonly sequence: number;
  /** A view into the input, not a copy. */
  readonly data: Uint8Array;
}

export type IcmpDrop = InnerDrop & { readonly reason: 'bad-header' | 'bad-checksum' | 'unsupported-icmp' };

/** Parses an ICMP message that should be an Echo Request (network input: never throws). */
export function decodeEchoRequest(msg: Uint8Array): IcmpEcho | IcmpDrop {
  if (msg.length < ICMP_ECHO_HEADER_BYTES) return innerDrop('bad-header');
  if (!verifies(sumWords(msg, 0, msg.length))) return innerDrop('bad-checksum');
  // RFC 792 gives Echo only Code 0; like common hosts, any Code is answered (with Code 0).
  if (msg[0] !== IcmpType.ECHO_REQUEST) return innerDrop('unsupported-icmp');
  return {
    ok: true,
    type: msg[0],
    code: msg[1]!,
    identifier: (msg[4]! << 8) | msg[5]!,
    sequence: (msg[6]! << 8) | msg[7]!,
    data: msg.subarray(ICMP_ECHO_HEADER_BYTES),
  };
}

/** What an echo reply needs from the request's IPv4 header. */
export interface EchoRequestIp {
  readonly src: number;
  readonly dst: number;
  readonly tos: number;
}

/**
 * The IPv4 datagram answering an Echo Request whose ICMP message is `msg` (checked already), with
 * IP Identification `id`. One allocation and one copy of the message.
 */
export function encodeEchoReply(ip: EchoRequestIp, msg: Uint8Array, id: number): Uint8Array {
  // DSCP kept, ECN cleared: this reply is not an ECN-capable transport (RFC 3168 5).
  const b = allocIpv4({ src: ip.dst, dst: ip.src, protocol: IpProtocol.ICMP, id, tos: ip.tos & 0xfc }, msg.length);
  b.set(msg, IPV4_HEADER_BYTES);
  b[IPV4_HEADER_BYTES] = IcmpType.ECHO_REPLY;
  b[IPV4_HEADER_BYTES + 1] = 0;
  sealIcmp(b);
  return b;
}

/** An ICMP Echo or Echo Reply message alone (for tests and tools), checksum computed. */
export function encodeIcmpEcho(type: number, identifier: number, sequence: number, data: Uint8Array, code = 0): Uint8Array {
  const m = new Uint8Array(ICMP_ECHO_HEADER_BYTES + data.length);
  m[0] = type;
  m[1] = code;
  m[4] = identifier >>> 8;
  m[5] = identifier & 0xff;
  m[6] = sequence >>> 8;
  m[7] = sequence & 0xff;
  m.set(data, ICMP_ECHO_HEADER_BYTES);
  const sum = checksumOf(sumWords(m, 0, m.length));
  m[2] = sum >>> 8;
  m[3] = sum & 0xff;
  return m;
}

/** Computes the ICMP checksum of the message that follows a 20-byte IPv4 header. */
function sealIcmp(b: Uint8Array): void {
  const at = IPV4_HEADER_BYTES + 2;
  b[at] = 0;
  b[at + 1] = 0;
  const sum = checksumOf(sumWords(b, IPV4_HEADER_BYTES, b.length));
  b[at] = sum >>> 8;
  b[at + 1] = sum & 0xff;
}
