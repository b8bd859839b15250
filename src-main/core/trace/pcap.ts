/**
 * Classic libpcap files (https://www.tcpdump.org/manpages/pcap-savefile.5.txt and
 * draft-ietf-opsawg-pcap): a 24-byte global header, then records.
 *
 *   Global: magic (4: a1b2c3d4 microseconds, a1b23c4d nanoseconds, in the writer's byte order)
 *           version major (2) | minor (2) | thiszone (4) | sigfigs (4) | snaplen (4) | LinkType (4)
 *   Record: ts seconds (4) | ts micro- or nanoseconds (4) | captured length (4) | original length (4)
 *           | captured bytes
 */
import { Bytes, badFile, type CapturedPacket } from './capture.ts';

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const FORMAT = 'pcap';

/** True if the bytes start with a pcap magic number in either byte order. */
export function isPcap(data: Uint8Array): boolean {
  if (data.length < 4) return false;
  const b = new Bytes(data, FORMAT);
  return [MAGIC_US, MAGIC_NS].some((m) => b.u32(0, false) === m || b.u32(0, true) === m);
}

export function readPcap(data: Uint8Array): CapturedPacket[] {
  const b = new Bytes(data, FORMAT);
  b.need(0, 24, 'the global header');
  let little: boolean;
  let nanos: boolean;
  if (b.u32(0, false) === MAGIC_US || b.u32(0, false) === MAGIC_NS) {
    little = false;
    nanos = b.u32(0, false) === MAGIC_NS;
  } else if (b.u32(0, true) === MAGIC_US || b.u32(0, true) === MAGIC_NS) {
    little = true;
    nanos = b.u32(0, true) === MAGIC_NS;
  } else {
    return badFile(FORMAT, 0, 'not a pcap magic number');
  }
  const major = b.u16(4, little);
  if (major !== 2) badFile(FORMAT, 4, `version ${major}, reads version 2`);
  // The link type's low 16 bits; the upper bits carry FCS information (draft-ietf-opsawg-pcap 4).
  const linkType = b.u32(20, little) & 0xffff;
  const packets: CapturedPacket[] = [];
  for (let at = 24; at < data.length; ) {
    b.need(at, 16, 'a record header');
    const sec = b.u32(at, little);
    const frac = b.u32(at + 4, little);
    const captured = b.u32(at + 8, little);
    const originalLength = b.u32(at + 12, little);
    const bytes = b.slice(at + 16, captured, `a ${captured}-byte packet`);
    packets.push({ timeS: sec + frac / (nanos ? 1e9 : 1e6), linkType, data: bytes, originalLength });
    at += 16 + captured;
  }
  return packets;
}
