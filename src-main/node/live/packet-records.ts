/**
 * A session's packets waiting for their chunk row (session-writer.ts), as fixed binary records in
 * one growing Buffer, turned into the chunk's JSON (docs/database.md, `session_packet_chunks`)
 * when it is written. Building JSON text per packet on the gateway's hot path cost several
 * microseconds a datagram in a lab of a thousand clients (number formatting, strings, the
 * collector); copying a few numbers and the head into a Buffer does not (BENCHMARKS.md, "The live
 * lab").
 *
 * Record: f64 t | u8 flags | u8 class | u16 bytes | u16 local port | u16 peer port | u32 SPI |
 * u32 message ID | u32 local address | u32 peer address | u32 IKE SA | u8 head length | head.
 * Flags: bit 0 out, bits 1-2 request (0 none, 1 response, 2 request), bit 3 SPI present, bit 4
 * message ID present, bit 5 IKE SA present. Strings are indexes into the chunk's own table.
 */
import { TRAFFIC_CLASSES, type TrafficClass } from '../../core/ike/traffic.ts';
import type { ClientPacket } from '../../core/live/estimator.ts';

/** Octets of a record before its head. */
const FIXED = 37;
const CLASS_CODE = new Map<TrafficClass, number>(TRAFFIC_CLASSES.map((c, i) => [c, i]));

export class PacketRecords {
  private buf = Buffer.allocUnsafe(4096);
  private length = 0;
  private readonly strings: string[] = [];
  /** Packets since the last `clear`, and the first and last one's time. */
  count = 0;
  firstT = 0;
  lastT = 0;

  push(p: ClientPacket): void {
    const x = p.traffic;
    const head = x.head;
    if (this.length + FIXED + head.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.length + FIXED + head.length, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    const b = this.buf;
    const o = this.length;
    const request = x.request === undefined ? 0 : x.request ? 2 : 1;
    const flags = (x.dir === 'out' ? 1 : 0) | (request << 1) | (x.spi !== undefined ? 8 : 0) | (x.messageId !== undefined ? 16 : 0) | (x.sa !== undefined ? 32 : 0);
    b.writeDoubleLE(p.t, o);
    b[o + 8] = flags;
    b[o + 9] = CLASS_CODE.get(x.cls)!;
    b.writeUInt16LE(x.bytes, o + 10);
    b.writeUInt16LE(x.local.port, o + 12);
    b.writeUInt16LE(x.peer.port, o + 14);
    b.writeUInt32LE(x.spi ?? 0, o + 16);
    b.writeUInt32LE(x.messageId ?? 0, o + 20);
    b.writeUInt32LE(this.index(x.local.address), o + 24);
    b.writeUInt32LE(this.index(x.peer.address), o + 28);
    b.writeUInt32LE(x.sa === undefined ? 0 : this.index(x.sa), o + 32);
    b[o + 36] = head.length;
    b.set(head, o + FIXED);
    this.length = o + FIXED + head.length;
    if (this.count === 0) this.firstT = p.t;
    this.lastT = p.t;
    this.count++;
  }

  /** The chunk's `packets` column: one array per packet, as docs/database.md describes. */
  json(): string {
    const b = this.buf;
    // Each string of the table as JSON once, not once a packet.
    const str = this.strings.map((x) => JSON.stringify(x));
    const parts: string[] = [];
    for (let o = 0; o < this.length; ) {
      const flags = b[o + 8]!;
      const request = (flags >> 1) & 3;
      const n = b[o + 36]!;
      parts.push(
        `[${b.readDoubleLE(o)},"${flags & 1 ? 'out' : 'in'}","${TRAFFIC_CLASSES[b[o + 9]!]}",${b.readUInt16LE(o + 10)},${str[b.readUInt32LE(o + 24)]},${b.readUInt16LE(o + 12)},` +
          `${str[b.readUInt32LE(o + 28)]},${b.readUInt16LE(o + 14)},${flags & 32 ? str[b.readUInt32LE(o + 32)] : 'null'},` +
          `${flags & 8 ? b.readUInt32LE(o + 16) : 'null'},${flags & 16 ? b.readUInt32LE(o + 20) : 'null'},${request === 0 ? 'null' : request - 1},"${b.toString('hex', o + FIXED, o + FIXED + n)}"]`,
      );
      o += FIXED + n;
    }
    return `[${parts.join(',')}]`;
  }

  clear(): void {
    this.length = 0;
    this.count = 0;
    this.strings.length = 0;
  }

  /** The string's index in this chunk's table (a chunk sees few: its addresses and IKE SAs). */
  private index(s: string): number {
    const t = this.strings;
    for (let i = t.length - 1; i >= 0; i--) if (t[i] === s) return i;
    t.push(s);
    return t.length - 1;
  }
}
