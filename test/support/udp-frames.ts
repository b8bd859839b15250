// Test helper: the UDP datagrams inside captured frames (Ethernet II with optional 802.1Q tags,
// raw IP, Linux cooked capture; IPv4 and IPv6 without extension headers; IPv4 fragments skipped).
import { LinkType, type CapturedPacket } from '../../src-main/core/trace/capture.ts';

export interface UdpDatagram {
  readonly timeS: number;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const UDP = 17;

function ipStart(p: CapturedPacket): number | undefined {
  const d = p.data;
  switch (p.linkType) {
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return 0;
    case LinkType.LINUX_SLL:
      return 16;
    case LinkType.ETHERNET: {
      let at = 12;
      let etherType = (d[at]! << 8) | d[at + 1]!;
      while (etherType === ETH_VLAN) {
        at += 4;
        etherType = (d[at]! << 8) | d[at + 1]!;
      }
      return etherType === ETH_IPV4 || etherType === ETH_IPV6 ? at + 2 : undefined;
    }
    default:
      return undefined;
  }
}

const u16 = (d: Uint8Array, at: number) => (d[at]! << 8) | d[at + 1]!;

/** The UDP datagram a frame carries, or undefined for anything else. */
export function udpOf(p: CapturedPacket): UdpDatagram | undefined {
  const d = p.data;
  const ip = ipStart(p);
  if (ip === undefined || ip >= d.length) return undefined;
  let udp: number;
  let src: string;
  let dst: string;
  if (d[ip]! >> 4 === 4) {
    const ihl = (d[ip]! & 0x0f) * 4;
    const fragment = u16(d, ip + 6) & 0x3fff;
    if (d[ip + 9] !== UDP || fragment !== 0) return undefined;
    src = Array.from(d.subarray(ip + 12, ip + 16)).join('.');
    dst = Array.from(d.subarray(ip + 16, ip + 20)).join('.');
    udp = ip + ihl;
  } else if (d[ip]! >> 4 === 6) {
    if (d[ip + 6] !== UDP) return undefined;
    const hex = (a: number) => Array.from(d.subarray(a, a + 16), (x) => x.toString(16).padStart(2, '0')).join('');
    src = hex(ip + 8);
    dst = hex(ip + 24);
    udp = ip + 40;
  } else {
    return undefined;
  }
  const length = u16(d, udp + 4);
  return {
    timeS: p.timeS,
    src,
    dst,
    srcPort: u16(d, udp),
    dstPort: u16(d, udp + 2),
    payload: d.subarray(udp + 8, udp + length),
  };
}
