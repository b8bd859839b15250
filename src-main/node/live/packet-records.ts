/**
 * A session's packets waiting for their chunk row (session-writer.ts), as fixed binary records in
 * one growing Buffer, turned into the chunk's JSON (docs/database.md, `session_packet_chunks`)
 * when it is written. Building JSON text per packet on the gateway's hot path cost several
 * microseconds a datagram in a lab of a thousand clients (number formatting, strings, the
 * collector); copying a few numbers and the head into a Buffer does not (BENCHMARKS.md, "The live
 * lab").
 *
 * Record: f64 t (integer microseconds) | u8 flags | u8 class | u16 bytes | u16 local port |
 * u16 peer port | u32 SPI | u32 message ID | u32 local address | u32 peer address | u32 IKE SA |
 * u8 head length | head.
 * Flags: bit 0 out, bits 1-2 request (0 none, 1 response, 2 request), bit 3 SPI present, bit 4
 * message ID present, bit 5 IKE SA present. Strings are indexes into the chunk's own table.
 */
import { TRAFFIC_CLASSES, type TrafficClass } from '../../core/ike/traffic.ts';
import type { ClientPacket } from '../../core/live/estimator.ts';
import { hexString, micros, raw, uint, type JsonBytes } from './json-bytes.ts';

/** Octets of a record before its head. */
const FIXED = 37;
const CLASS_CODE = new Map<TrafficClass, number>(TRAFFIC_CLASSES.map((c, i) => [c, i]));
/** `,"in","dpd",` and the like, by direction bit and class code. */
const DIR_CLASS = [0, 1].map((out) => TRAFFIC_CLASSES.map((c) => Buffer.from(`,"${out ? 'out' : 'in'}","${c}",`, 'latin1')));
const NULL = Buffer.from('null', 'latin1');

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
    // Lab time to the microsecond (docs/database.md), kept as an integer so its text is cheap.
    const us = Math.round(p.t * 1e6);
    b.writeDoubleLE(us, o);
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
    const t = us / 1e6;
    if (this.count === 0) this.firstT = t;
    this.lastT = t;
    this.count++;
  }

  /** The chunk's `packets` column, written in `out`: one array per packet (docs/database.md). */
  json(out: JsonBytes): string {
    const b = this.buf;
    out.reset();
    // Each string of the table as JSON once, not once a packet.
    const str = this.strings.map((x) => Buffer.from(JSON.stringify(x), 'utf8'));
    const longest = str.reduce((m, x) => Math.max(m, x.length), 4);
    out.reserve(1)[out.length++] = 0x5b;
    for (let r = 0; r < this.length; ) {
      const flags = b[r + 8]!;
      const request = (flags >> 1) & 3;
      const n = b[r + 36]!;
      // Brackets, commas and the fixed tokens, three strings, a number, six integers, the head.
      const w = out.reserve(48 + 3 * longest + 25 + 6 * 16 + 2 * n + 2);
      let o = out.length;
      if (r > 0) w[o++] = 0x2c;
      w[o++] = 0x5b;
      o = micros(w, o, b.readDoubleLE(r));
      o = raw(w, o, DIR_CLASS[flags & 1]![b[r + 9]!]!);
      o = uint(w, o, b.readUInt16LE(r + 10));
      w[o++] = 0x2c;
      o = raw(w, o, str[b.readUInt32LE(r + 24)]!);
      w[o++] = 0x2c;
      o = uint(w, o, b.readUInt16LE(r + 12));
      w[o++] = 0x2c;
      o = raw(w, o, str[b.readUInt32LE(r + 28)]!);
      w[o++] = 0x2c;
      o = uint(w, o, b.readUInt16LE(r + 14));
      w[o++] = 0x2c;
      o = raw(w, o, flags & 32 ? str[b.readUInt32LE(r + 32)]! : NULL);
      w[o++] = 0x2c;
      o = flags & 8 ? uint(w, o, b.readUInt32LE(r + 16)) : raw(w, o, NULL);
      w[o++] = 0x2c;
      o = flags & 16 ? uint(w, o, b.readUInt32LE(r + 20)) : raw(w, o, NULL);
      w[o++] = 0x2c;
      o = request === 0 ? raw(w, o, NULL) : uint(w, o, request - 1);
      w[o++] = 0x2c;
      o = hexString(w, o, b, r + FIXED, r + FIXED + n);
      w[o++] = 0x5d;
      out.length = o;
      r += FIXED + n;
    }
    out.reserve(1)[out.length++] = 0x5d;
    return out.text();
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
