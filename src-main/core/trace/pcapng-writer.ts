/**
 * A pcapng writer (draft-ietf-opsawg-pcapng: the format Wireshark reads natively; pcapng.ts reads
 * it), for exporting what crossed the gateway as a capture any Wireshark opens. Sans-IO: it builds
 * bytes; the caller writes them. Only the blocks a capture of outer IPv4 packets needs:
 *
 * - Section Header Block (SHB, type 0x0A0D0D0A, 4.1): byte-order magic 0x1A2B3C4D, version 1.0,
 *   section length -1 (not given);
 * - Interface Description Block (IDB, type 1, 4.2): LinkType 101 (LINKTYPE_RAW: each packet starts
 *   with its IPv4 header), a snap length, options if_name (2) and if_tsresol (9; 6 = microseconds,
 *   the default);
 * - Enhanced Packet Block (EPB, type 6, 4.3): interface 0, a 64-bit timestamp in microseconds split
 *   in two 32-bit words, the captured length (at most the snap length) and the original length.
 *
 * Every block is padded to 32 bits and carries its total length at both ends. Little-endian, as the
 * SHB's magic says.
 */
import { LinkType } from './capture.ts';
import { BYTE_ORDER_MAGIC, EPB, IDB, OPT_END, OPT_TSRESOL, SHB } from './pcapng.ts';

const OPT_IF_NAME = 2;

const pad4 = (n: number): number => (n + 3) & ~3;

/** One option: code, length, value padded to 32 bits. */
function option(code: number, value: Uint8Array): Uint8Array {
  const b = new Uint8Array(4 + pad4(value.length));
  const v = new DataView(b.buffer);
  v.setUint16(0, code, true);
  v.setUint16(2, value.length, true);
  b.set(value, 4);
  return b;
}

function block(type: number, body: Uint8Array): Uint8Array {
  const total = 12 + pad4(body.length);
  const b = new Uint8Array(total);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  b.set(body, 8);
  v.setUint32(total - 4, total, true);
  return b;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The SHB and one raw-IPv4 interface: what a capture file starts with. */
export function pcapngHeader(o: { interfaceName: string; snapLength: number }): Uint8Array {
  if (!Number.isInteger(o.snapLength) || o.snapLength < 1 || o.snapLength > 0x40000) throw new RangeError(`"snapLength" expected a whole number from 1 to 262144, got ${o.snapLength}`);
  const shb = new Uint8Array(16);
  const s = new DataView(shb.buffer);
  s.setUint32(0, BYTE_ORDER_MAGIC, true);
  s.setUint16(4, 1, true); // major version
  s.setUint16(6, 0, true); // minor version
  s.setBigInt64(8, -1n, true); // section length: not given
  const idbFixed = new Uint8Array(8);
  const d = new DataView(idbFixed.buffer);
  d.setUint16(0, LinkType.RAW, true);
  d.setUint32(4, o.snapLength, true);
  const idb = concat([idbFixed, option(OPT_IF_NAME, new TextEncoder().encode(o.interfaceName)), option(OPT_TSRESOL, Uint8Array.of(6)), option(OPT_END, new Uint8Array(0))]);
  return concat([block(SHB, shb), block(IDB, idb)]);
}

/**
 * One packet: `packet` as captured (cut to `snapLength` by the caller or here), `originalLength`
 * its length on the wire, `timeUs` microseconds since the Unix epoch.
 */
export function pcapngPacket(timeUs: number, packet: Uint8Array, originalLength = packet.length, snapLength = 0x40000): Uint8Array {
  if (!Number.isSafeInteger(timeUs) || timeUs < 0) throw new RangeError(`"timeUs" expected microseconds since 1970 as a whole number, got ${timeUs}`);
  const captured = packet.length > snapLength ? packet.subarray(0, snapLength) : packet;
  if (originalLength < captured.length) throw new RangeError(`"originalLength" ${originalLength} is below the captured ${captured.length} octets`);
  const body = new Uint8Array(20 + captured.length);
  const v = new DataView(body.buffer);
  v.setUint32(0, 0, true); // interface 0
  v.setUint32(4, Math.floor(timeUs / 2 ** 32), true);
  v.setUint32(8, timeUs % 2 ** 32, true);
  v.setUint32(12, captured.length, true);
  v.setUint32(16, originalLength, true);
  body.set(captured, 20);
  return block(EPB, body);
}
