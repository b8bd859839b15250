/**
 * A recorded session as a pcapng capture of its outer packets (pcapng-writer.ts), for any
 * Wireshark: each datagram becomes an IPv4 (RFC 791) + UDP (RFC 768) packet with its real
 * addresses, ports and lengths, followed by the wire-visible octets the recording kept
 * (wire-head.ts). The rest of the payload was never stored, so each packet is "cut at capture":
 * captured length below original length, exactly as a capture with a small snap length. The UDP
 * checksum is 0 ("not computed", allowed for IPv4 by RFC 768) since the payload is incomplete.
 */
import { allocUdp } from '../inner/udp.ts';
import { parseIpv4 } from '../net/ipv4.ts';
import { pcapngHeader, pcapngPacket } from '../trace/pcapng-writer.ts';

const IP_UDP_HEADERS = 28;
/** The largest record: headers plus the longest head wire-head.ts keeps (36). */
const SNAP_LENGTH = 128;

export interface PcapngPacketInput {
  readonly tS: number;
  readonly dir: 'in' | 'out';
  readonly bytes: number;
  readonly local: { readonly address: string; readonly port: number };
  readonly peer: { readonly address: string; readonly port: number };
  readonly head: Uint8Array;
}

export function sessionPcapngHeader(interfaceName: string): Uint8Array {
  return pcapngHeader({ interfaceName, snapLength: SNAP_LENGTH });
}

/** One packet block; `startUs` is the lab's start in microseconds since 1970, `id` the IPv4 identification. */
export function sessionPcapngPacket(p: PcapngPacketInput, startUs: number, id: number): Uint8Array {
  const local = parseIpv4(p.local.address) ?? 0;
  const peer = parseIpv4(p.peer.address) ?? 0;
  const [src, dst, srcPort, dstPort] = p.dir === 'in' ? [peer, local, p.peer.port, p.local.port] : [local, peer, p.local.port, p.peer.port];
  const full = allocUdp({ src, dst, id: id & 0xffff }, srcPort, dstPort, p.bytes);
  full.set(p.head.subarray(0, Math.min(p.head.length, p.bytes)), IP_UDP_HEADERS);
  const captured = full.subarray(0, IP_UDP_HEADERS + Math.min(p.head.length, p.bytes));
  return pcapngPacket(startUs + Math.round(p.tS * 1e6), captured, full.length, SNAP_LENGTH);
}
