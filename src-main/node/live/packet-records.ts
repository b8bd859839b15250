/**
 * A session's packets waiting for their chunk row (session-writer.ts), as fixed binary records in
 * one growing Buffer, packed into the chunk's JSON (node/store/packet-chunk.ts, schema version 4)
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
import type { ClientPacket } from '../../core/live/estimator.ts';
import { CODE, HEAD_ESP, HEAD_IKE, PACKED_CLASSES } from '../store/packet-chunk.ts';
import { hex, hexString, uint, type JsonBytes } from './json-bytes.ts';

/** Octets of a record before its head. */
const FIXED = 37;
const CLASS_CODE = new Map(PACKED_CLASSES.map((c, i) => [c, i]));
/** An IKE head: the IKE header and the first payload's generic header (wire-head.ts). */
const IKE_HEAD = 32;
const IKE_SA_NAME = /^([0-9a-f]{16})_([0-9a-f]{16})$/;

/** A chunk's three JSON columns (packet-chunk.ts). */
export interface PackedChunk {
  readonly packets: string;
  readonly ends: string;
  readonly ikeSas: string;
}

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
    // Lab time to the microsecond (docs/database.md), kept as an integer.
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

  /** The chunk's columns, its packets written in `out` (packet-chunk.ts). */
  pack(out: JsonBytes): PackedChunk {
    const b = this.buf;
    const strings = this.strings;
    // The chunk's endpoints, as string and port numbers, four to an entry; its IKE SAs by string.
    const ends: number[] = [];
    const sasOf = new Int32Array(strings.length).fill(-1);
    const sas: number[] = [];
    /** Each IKE SA's SPIs as octets, when its name is the usual "SPIi_SPIr" (for HEAD_IKE). */
    const spis: (Buffer | null)[] = [];
    let lastEnd = -1;
    out.reset();
    out.reserve(1)[out.length++] = 0x5b;
    const firstUs = this.length > 0 ? b.readDoubleLE(0) : 0;
    for (let r = 0; r < this.length; ) {
      const flags = b[r + 8]!;
      const bytes = b.readUInt16LE(r + 10);
      const spi = b.readUInt32LE(r + 16);
      const mid = b.readUInt32LE(r + 20);
      const n = b[r + 36]!;
      const h = r + FIXED;
      // The endpoint: most chunks have one, so the last one found is tried first.
      const la = b.readUInt32LE(r + 24);
      const lp = b.readUInt16LE(r + 12);
      const pa = b.readUInt32LE(r + 28);
      const pp = b.readUInt16LE(r + 14);
      let end = lastEnd;
      if (end < 0 || ends[4 * end] !== la || ends[4 * end + 1] !== lp || ends[4 * end + 2] !== pa || ends[4 * end + 3] !== pp) {
        for (end = 0; end < ends.length / 4; end++) if (ends[4 * end] === la && ends[4 * end + 1] === lp && ends[4 * end + 2] === pa && ends[4 * end + 3] === pp) break;
        if (end === ends.length / 4) ends.push(la, lp, pa, pp);
        lastEnd = end;
      }
      let code = (flags & 1) | (flags & 6) | (b[r + 9]! << CODE.CLASS_SHIFT) | (flags & 8 ? CODE.HAS_SPI : 0) | (flags & 16 ? CODE.HAS_MESSAGE_ID : 0);
      let sa = 0;
      let form = 0;
      if (flags & 32) {
        code |= CODE.HAS_IKE_SA;
        const s = b.readUInt32LE(r + 32);
        if (sasOf[s]! < 0) {
          sasOf[s] = sas.length;
          sas.push(s);
          const m = IKE_SA_NAME.exec(strings[s]!);
          spis.push(m ? Buffer.from(m[1]! + m[2]!, 'hex') : null);
        }
        sa = sasOf[s]!;
        // An IKE head whose SPIs, message ID and length the other fields hold (RFC 7296 3.1).
        const marker = n - IKE_HEAD;
        const ike = h + marker;
        const ours = spis[sa];
        if (flags & 16 && ours && (marker === 0 || (marker === 4 && b[h] === 0 && b[h + 1] === 0 && b[h + 2] === 0 && b[h + 3] === 0)) && b.readUInt32BE(ike + 20) === mid && b.readUInt32BE(ike + 24) === bytes - marker && ours.compare(b, ike, ike + 16) === 0) {
          form = HEAD_IKE;
          if (marker) code |= CODE.MARKER;
        }
      }
      // An ESP head whose SPI the `spi` field holds (RFC 4303 2.1).
      if (form === 0 && flags & 8 && n === 8 && b.readUInt32BE(h) === spi) form = HEAD_ESP;
      code |= form << CODE.FORM_SHIFT;
      // Brackets and commas, seven integers, the head.
      const w = out.reserve(10 + 7 * 16 + 2 * n + 2);
      let o = out.length;
      if (r > 0) w[o++] = 0x2c;
      w[o++] = 0x5b;
      o = uint(w, o, b.readDoubleLE(r) - firstUs);
      w[o++] = 0x2c;
      o = uint(w, o, code);
      w[o++] = 0x2c;
      o = uint(w, o, bytes);
      w[o++] = 0x2c;
      o = uint(w, o, end);
      w[o++] = 0x2c;
      o = uint(w, o, sa);
      w[o++] = 0x2c;
      o = uint(w, o, flags & 8 ? spi : 0);
      w[o++] = 0x2c;
      o = uint(w, o, flags & 16 ? mid : 0);
      w[o++] = 0x2c;
      if (form === HEAD_ESP) o = uint(w, o, b.readUInt32BE(h + 4));
      else if (form === HEAD_IKE) {
        const ike = h + n - IKE_HEAD;
        w[o++] = 0x22;
        o = hex(w, o, b, ike + 16, ike + 20);
        o = hex(w, o, b, ike + 28, ike + 32);
        w[o++] = 0x22;
      } else o = hexString(w, o, b, h, h + n);
      w[o++] = 0x5d;
      out.length = o;
      r += FIXED + n;
    }
    out.reserve(1)[out.length++] = 0x5d;
    const endList: unknown[] = [];
    for (let i = 0; i < ends.length; i += 4) endList.push([strings[ends[i]!], ends[i + 1], strings[ends[i + 2]!], ends[i + 3]]);
    return { packets: out.text(), ends: JSON.stringify(endList), ikeSas: JSON.stringify(sas.map((s) => strings[s])) };
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
