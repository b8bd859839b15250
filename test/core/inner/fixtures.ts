// Packets for the inner-host tests, built by hand from RFC 791/792/768 layouts. Their checksums
// were computed independently (Python struct + a plain word sum) and checked by hand; the word sums
// are shown next to each so a reader can redo them. `refChecksum` is a second, deliberately
// different computation (sum modulo 0xffff) that the fast code in src-main is compared against.
import { fromHex } from '../../../src-main/core/bytes/hex.ts';
import { parseIpv4 } from '../../../src-main/core/net/ipv4.ts';

export const h = fromHex;
export const HOST = parseIpv4('198.18.100.1')!;
export const CLIENT = parseIpv4('198.18.200.2')!;

/**
 * ping 198.18.100.1 from 198.18.200.2: IPv4 (IHL 5, Total Length 36, ID 0x1c46, DF, TTL 64, ICMP)
 * carrying Echo Request identifier 0x0a0b, sequence 1, data "WakeLab!".
 *   IP words 4500+0024+1c46+4000+4001+0000+c612+c802+c612+6401 = 0x39992 -> fold 0x9995 -> ~ 0x666a
 *   ICMP words 0800+0000+0a0b+0001+5761+6b65+4c61+6221 = 0x18354 -> fold 0x8355 -> ~ 0x7caa
 */
export const PING = h('4500 0024 1c46 4000 4001 666a c612c802 c6126401' + '0800 7caa 0a0b 0001 57616b654c616221');

/**
 * The host's answer with its first IP ID (0): addresses swapped, Type 0, the rest echoed.
 *   IP words 4500+0024+0000+4000+4001+c612+6401+c612+c802 = 0x37d4c -> fold 0x7d4f -> ~ 0x82b0
 *   ICMP: Type 8 -> 0 lowers the sum by 0x0800, so the checksum rises by 0x0800: 0x84aa
 */
export const PING_REPLY = h('4500 0024 0000 4000 4001 82b0 c6126401 c612c802' + '0000 84aa 0a0b 0001 57616b654c616221');

/**
 * UDP "ping" from 198.18.200.2:40000 to the echo port 7 (ID 0x1c47).
 *   pseudo-header c612+c802+c612+6401+0011+000c, UDP 9c40+0007+000c+0000, data 7069+6e67
 *   = 0x43367 -> fold 0x336b -> ~ 0xcc94 (IP header checksum 0x665d)
 */
export const UDP_ECHO = h('4500 0020 1c47 4000 4011 665d c612c802 c6126401' + '9c40 0007 000c cc94 70696e67');

/** The echo: ports and addresses swapped (the same words, so the same UDP checksum), IP ID 0. */
export const UDP_ECHO_REPLY = h('4500 0020 0000 4000 4011 82a4 c6126401 c612c802' + '0007 9c40 000c cc94 70696e67');

/** RFC 1071 by its definition, written differently from src-main: the one's complement sum is the sum mod 0xffff. */
export function refChecksum(b: Uint8Array, start = 0, end = b.length): number {
  let total = 0;
  for (let i = start; i < end; i += 2) total += b[i]! * 256 + (i + 1 < end ? b[i + 1]! : 0);
  let ones = total % 0xffff;
  if (ones === 0 && total !== 0) ones = 0xffff;
  return 0xffff - ones;
}

/** A copy with the IPv4 header checksum made right again (after a test changed header bytes). */
export function resealIpv4(b: Uint8Array): Uint8Array {
  const out = b.slice();
  const ihl = (out[0]! & 0x0f) * 4;
  out[10] = 0;
  out[11] = 0;
  const c = refChecksum(out, 0, ihl);
  out[10] = c >> 8;
  out[11] = c & 0xff;
  return out;
}

/** 16-bit big-endian field at `at`. */
export function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}
