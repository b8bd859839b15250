/**
 * pcapng files (draft-ietf-opsawg-pcapng): a sequence of blocks, each
 *   Block Type (4) | Block Total Length (4) | body | Block Total Length (4), padded to 32 bits.
 * Read here:
 *   Section Header (0x0A0D0D0A): Byte-Order Magic 0x1A2B3C4D (sets the section's byte order),
 *     Major (2) | Minor (2) | Section Length (8) | options. Each section numbers interfaces anew.
 *   Interface Description (1): LinkType (2) | reserved (2) | SnapLen (4) | options; the option
 *     if_tsresol (9) sets the timestamp unit (10^-n, or 2^-n when its top bit is set; default 10^-6).
 *   Enhanced Packet (6): Interface ID (4) | Timestamp high (4) | low (4) | Captured Length (4) |
 *     Original Length (4) | data (padded) | options.
 *   Simple Packet (3): Original Length (4) | data (captured length = block length - 16, at most
 *     the original), interface 0, no timestamp.
 * Other blocks (name resolution, statistics, custom) are skipped.
 */
import { Bytes, badFile, type CapturedPacket } from './capture.ts';

// Block types and option codes (shared with pcapng-writer.ts).
export const SHB = 0x0a0d0d0a;
export const IDB = 1;
const SPB = 3;
export const EPB = 6;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const OPT_END = 0;
export const OPT_TSRESOL = 9;
const FORMAT = 'pcapng';
/** Bytes of fixed fields each block type needs in its body. */
const FIXED_BODY: Readonly<Record<number, number>> = { [SHB]: 16, [IDB]: 8, [SPB]: 4, [EPB]: 20 };

interface Iface {
  readonly linkType: number;
  /** Timestamp units per second. */
  readonly unitsPerS: number;
}

export function isPcapng(data: Uint8Array): boolean {
  return data.length >= 4 && new Bytes(data, FORMAT).u32(0, false) === SHB;
}

export function readPcapng(data: Uint8Array): CapturedPacket[] {
  const b = new Bytes(data, FORMAT);
  const packets: CapturedPacket[] = [];
  let little = true;
  let ifaces: Iface[] = [];
  let seenSection = false;
  for (let at = 0; at < data.length; ) {
    b.need(at, 12, 'a block header');
    const type = b.u32(at, little);
    if (type === SHB) {
      // The byte order is unknown until the magic is read; SHB's type reads the same either way.
      const magic = b.u32(at + 8, false);
      if (magic === BYTE_ORDER_MAGIC) little = false;
      else if (b.u32(at + 8, true) === BYTE_ORDER_MAGIC) little = true;
      else badFile(FORMAT, at + 8, 'bad byte-order magic');
      ifaces = [];
      seenSection = true;
    } else if (!seenSection) {
      badFile(FORMAT, at, 'the file does not start with a Section Header Block');
    }
    const total = b.u32(at + 4, little);
    if (total < 12 || total % 4 !== 0) badFile(FORMAT, at + 4, `Block Total Length ${total}`);
    b.need(at, total, `a ${total}-byte block`);
    if (b.u32(at + total - 4, little) !== total) badFile(FORMAT, at + total - 4, 'trailing Block Total Length differs');
    const body = at + 8;
    const bodyEnd = at + total - 4;
    const fixed = FIXED_BODY[type] ?? 0;
    if (bodyEnd - body < fixed) badFile(FORMAT, at, `block type ${type} of ${total} bytes is too short`);
    if (type === IDB) {
      ifaces.push({ linkType: b.u16(body, little), unitsPerS: tsResolution(b, body + 8, bodyEnd, little) });
    } else if (type === EPB) {
      const iface = ifaces[b.u32(body, little)] ?? badFile(FORMAT, body, 'packet names an undescribed interface');
      const ts = b.u32(body + 4, little) * 2 ** 32 + b.u32(body + 8, little);
      const captured = b.u32(body + 12, little);
      if (body + 20 + captured > bodyEnd) badFile(FORMAT, body + 12, `Captured Length ${captured} exceeds its block`);
      packets.push({
        timeS: ts / iface.unitsPerS,
        linkType: iface.linkType,
        data: b.slice(body + 20, captured, 'packet data'),
        originalLength: b.u32(body + 16, little),
      });
    } else if (type === SPB) {
      const iface = ifaces[0] ?? badFile(FORMAT, body, 'simple packet without an interface');
      const originalLength = b.u32(body, little);
      const captured = Math.min(originalLength, bodyEnd - body - 4);
      packets.push({ timeS: 0, linkType: iface.linkType, data: b.slice(body + 4, captured, 'packet data'), originalLength });
    }
    at += total;
  }
  return packets;
}

/** Reads if_tsresol from an IDB's options; units per second. */
function tsResolution(b: Bytes, at: number, end: number, little: boolean): number {
  while (at + 4 <= end) {
    const code = b.u16(at, little);
    const length = b.u16(at + 2, little);
    if (code === OPT_END) break;
    if (code === OPT_TSRESOL && length >= 1) {
      const v = b.slice(at + 4, 1, 'if_tsresol')[0]!;
      return v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
    }
    at += 4 + Math.ceil(length / 4) * 4;
  }
  return 1e6;
}
