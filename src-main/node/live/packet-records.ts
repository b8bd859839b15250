/**
 * The packets of a group of sessions waiting for their chunk rows (session-writer.ts), as fixed
 * binary records in one growing Buffer, in the order they came; each session's are packed into
 * its chunk's JSON (node/store/packet-chunk.ts, schema version 4) when the group is written.
 * Building JSON text per packet on the gateway's hot path cost several microseconds a datagram in
 * a lab of a thousand clients (number formatting, strings, the collector); copying a few numbers
 * and the head into a Buffer does not, and one buffer for many sessions keeps the copying in a few
 * warm cache lines (BENCHMARKS.md, "The live lab").
 *
 * Record: f64 t (integer microseconds) | u8 flags | u8 class | u16 bytes | u16 local port |
 * u16 peer port | u32 SPI | u32 message ID | u32 strings | u8 head length | u32 session |
 * head.
 * Flags: bit 0 out, bits 1-2 request (0 none, 1 response, 2 request), bit 3 SPI present, bit 4
 * message ID present, bit 5 IKE SA present. Strings: where the record's three are in `strings`.
 */
import type { ClientPacket } from '../../core/live/estimator.ts';
import { classCode, CODE, HEAD_ESP, HEAD_IKE } from '../store/packet-chunk.ts';
import { hex, hexString, JsonBytes, uint } from './json-bytes.ts';
import { getF64, getU16, getU32, getU32BE, putF64, putU16, putU32 } from './record-octets.ts';

/** Octets of a record before its head. */
const FIXED = 33;
/** Where a record's head length and session are. */
const HEAD_LENGTH = 28;
const SESSION = 29;
/** An IKE head: the IKE header and the first payload's generic header (wire-head.ts). */
const IKE_HEAD = 32;
const IKE_SA_NAME = /^([0-9a-f]{16})_([0-9a-f]{16})$/;

/** A chunk's three JSON columns (packet-chunk.ts), and its packets' count and first and last time. */
export interface PackedChunk {
  readonly packets: string;
  readonly ends: string;
  readonly ikeSas: string;
  readonly count: number;
  readonly firstT: number;
  readonly lastT: number;
}

/**
 * Whether `b` holds `a`'s octets from `at` on: a loop, not `Buffer.compare`, whose call into C++
 * cost more than the 16 octets it compares (pack runs it for nearly every IKE datagram).
 */
function sameOctets(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[at + i]) return false;
  return true;
}

export class PacketRecords {
  private readonly records = new JsonBytes(4096);
  /**
   * Each record's strings, three a record: local address, peer address, IKE SA (or ''); the first
   * `stringCount` are this batch's. `clear` keeps the array as long as it is, and the next batch
   * writes over it. Emptied, V8 dropped its storage and regrew it through a dozen sizes every
   * hold, each copy kept for seconds and so moved to the old generation: a fifth of what the lab
   * added there in the lab bench (a sampling heap profile of what outlived young collections,
   * BENCHMARKS.md), the concurrent marking's work. Past the count it keeps some strings alive a while.
   */
  private readonly strings: string[] = [];
  private stringCount = 0;
  /**
   * One string per peer address: a received datagram's address is a new string each time, and
   * kept here for seconds each would be promoted out of V8's young generation (BENCHMARKS.md).
   */
  private readonly addresses = new Map<string, string>();
  private lastAddress = '';
  /** Packets since the last `clear`. */
  count = 0;

  /** Queues a packet of session `session` (a number the caller chooses). */
  push(p: ClientPacket, session = 0): void {
    const x = p.traffic;
    const head = x.head;
    const b = this.records.reserve(FIXED + head.length);
    const o = this.records.length;
    const request = x.request === undefined ? 0 : x.request ? 2 : 1;
    const flags = (x.dir === 'out' ? 1 : 0) | (request << 1) | (x.spi !== undefined ? 8 : 0) | (x.messageId !== undefined ? 16 : 0) | (x.sa !== undefined ? 32 : 0);
    // Lab time to the microsecond (docs/database.md), kept as an integer.
    putF64(b, o, Math.round(p.t * 1e6));
    b[o + 8] = flags;
    b[o + 9] = classCode(x.cls);
    // The fields' own types bound them: 16-bit lengths and ports (record-octets.ts).
    putU16(b, o + 10, x.bytes);
    putU16(b, o + 12, x.local.port);
    putU16(b, o + 14, x.peer.port);
    putU32(b, o + 16, x.spi ?? 0);
    putU32(b, o + 20, x.messageId ?? 0);
    // The strings by reference (the local address and the SA name live on in the gateway anyway).
    const at = this.stringCount;
    putU32(b, o + 24, at);
    const strings = this.strings;
    strings[at] = x.local.address;
    strings[at + 1] = this.address(x.peer.address);
    strings[at + 2] = x.sa ?? '';
    this.stringCount = at + 3;
    b[o + HEAD_LENGTH] = head.length;
    putU32(b, o + SESSION, session);
    // Octet by octet: a head is 1 to 36 octets, and the builtin's call costs more than the copy.
    for (let i = 0, h = o + FIXED; i < head.length; i++) b[h + i] = head[i]!;
    this.records.length = o + FIXED + head.length;
    this.count++;
  }

  /**
   * Appends the record that starts at `r` in `from`, its strings with it, and says where the next
   * one starts (the session writer deals its journal's records to its groups this way, from 0 to
   * `end`: session-writer.ts).
   */
  copy(from: PacketRecords, r: number): number {
    const src = from.records.block;
    const size = FIXED + src[r + HEAD_LENGTH]!;
    const b = this.records.reserve(size);
    const o = this.records.length;
    for (let i = 0; i < size; i++) b[o + i] = src[r + i]!;
    const was = getU32(src, r + 24);
    const at = this.stringCount;
    putU32(b, o + 24, at);
    const strings = this.strings;
    strings[at] = from.strings[was]!;
    strings[at + 1] = this.address(from.strings[was + 1]!);
    strings[at + 2] = from.strings[was + 2]!;
    this.stringCount = at + 3;
    this.records.length = o + size;
    this.count++;
    return r + size;
  }

  /** Where the records end (the first starts at 0). */
  get end(): number {
    return this.records.length;
  }

  /** The session of the record that starts at `r` (`push`). */
  sessionOf(r: number): number {
    return getU32(this.records.block, r + SESSION);
  }

  /** Where each session's records start, by session, in order. */
  bySession(): Map<number, number[]> {
    const of = new Map<number, number[]>();
    for (const r of this.offsets()) {
      const s = getU32(this.records.block, r + SESSION);
      const list = of.get(s);
      if (list) list.push(r);
      else of.set(s, [r]);
    }
    return of;
  }

  /** Where every record starts, in order. */
  private offsets(): number[] {
    const out: number[] = [];
    const b = this.records.block;
    for (let r = 0; r < this.records.length; r += FIXED + b[r + HEAD_LENGTH]!) out.push(r);
    return out;
  }

  /**
   * A chunk's columns for the records that start at `records` (bySession; default all), its
   * packets written in `out` (packet-chunk.ts).
   */
  pack(out: JsonBytes, records: readonly number[] = this.offsets()): PackedChunk {
    const b = this.records.block;
    const strings = this.strings;
    const ends: [string, number, string, number][] = [];
    const sas: string[] = [];
    /** Each IKE SA's SPIs as octets, when its name is the usual "SPIi_SPIr" (for HEAD_IKE). */
    const spis: (Buffer | null)[] = [];
    let lastEnd = -1;
    let lastSa = -1;
    out.reset();
    out.reserve(1)[out.length++] = 0x5b;
    const firstUs = records.length > 0 ? getF64(b, records[0]!) : 0;
    for (let k = 0; k < records.length; k++) {
      const r = records[k]!;
      const flags = b[r + 8]!;
      const bytes = getU16(b, r + 10);
      const spi = getU32(b, r + 16);
      const mid = getU32(b, r + 20);
      const n = b[r + HEAD_LENGTH]!;
      const h = r + FIXED;
      // The endpoint: most chunks have one, so the last one found is tried first.
      const at = getU32(b, r + 24);
      const la = strings[at]!;
      const lp = getU16(b, r + 12);
      const pa = strings[at + 1]!;
      const pp = getU16(b, r + 14);
      let end = lastEnd;
      const e = ends[end];
      if (e === undefined || e[0] !== la || e[1] !== lp || e[2] !== pa || e[3] !== pp) {
        end = ends.findIndex((x) => x[0] === la && x[1] === lp && x[2] === pa && x[3] === pp);
        if (end < 0) end = ends.push([la, lp, pa, pp]) - 1;
        lastEnd = end;
      }
      let code = (flags & 1) | (flags & 6) | (b[r + 9]! << CODE.CLASS_SHIFT) | (flags & 8 ? CODE.HAS_SPI : 0) | (flags & 16 ? CODE.HAS_MESSAGE_ID : 0);
      let sa = 0;
      let form = 0;
      if (flags & 32) {
        code |= CODE.HAS_IKE_SA;
        const name = strings[at + 2]!;
        // Most chunks have one IKE SA: the last one found is tried first (one string, compared by
        // identity), the builtin's search only on a change.
        sa = lastSa >= 0 && name === sas[lastSa] ? lastSa : sas.lastIndexOf(name);
        lastSa = sa;
        if (sa < 0) {
          sa = lastSa = sas.push(name) - 1;
          const m = IKE_SA_NAME.exec(name);
          spis.push(m ? Buffer.from(m[1]! + m[2]!, 'hex') : null);
        }
        // An IKE head whose SPIs, message ID and length the other fields hold (RFC 7296 3.1).
        const marker = n - IKE_HEAD;
        const ike = h + marker;
        const ours = spis[sa];
        if (flags & 16 && ours && (marker === 0 || (marker === 4 && b[h] === 0 && b[h + 1] === 0 && b[h + 2] === 0 && b[h + 3] === 0)) && getU32BE(b, ike + 20) === mid && getU32BE(b, ike + 24) === bytes - marker && sameOctets(ours, b, ike)) {
          form = HEAD_IKE;
          if (marker) code |= CODE.MARKER;
        }
      }
      // An ESP head whose SPI the `spi` field holds (RFC 4303 2.1).
      if (form === 0 && flags & 8 && n === 8 && getU32BE(b, h) === spi) form = HEAD_ESP;
      code |= form << CODE.FORM_SHIFT;
      // Brackets and commas, seven integers, the head.
      const w = out.reserve(10 + 7 * 16 + 2 * n + 2);
      let o = out.length;
      if (k > 0) w[o++] = 0x2c;
      w[o++] = 0x5b;
      // A handshake's datagrams are queued when its client is known (estimator.ts), after later
      // ones of the same client: an offset can be negative.
      const dt = getF64(b, r) - firstUs;
      if (dt < 0) w[o++] = 0x2d;
      o = uint(w, o, Math.abs(dt));
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
      if (form === HEAD_ESP) o = uint(w, o, getU32BE(b, h + 4));
      else if (form === HEAD_IKE) {
        const ike = h + n - IKE_HEAD;
        w[o++] = 0x22;
        o = hex(w, o, b, ike + 16, ike + 20);
        o = hex(w, o, b, ike + 28, ike + 32);
        w[o++] = 0x22;
      } else o = hexString(w, o, b, h, h + n);
      w[o++] = 0x5d;
      out.length = o;
    }
    out.reserve(1)[out.length++] = 0x5d;
    const lastUs = records.length > 0 ? getF64(b, records.at(-1)!) : 0;
    return { packets: out.text(), ends: JSON.stringify(ends), ikeSas: JSON.stringify(sas), count: records.length, firstT: firstUs / 1e6, lastT: lastUs / 1e6 };
  }

  clear(): void {
    this.records.reset();
    this.count = 0;
    this.stringCount = 0;
    this.addresses.clear();
    this.lastAddress = '';
  }

  /** The group's own copy of an address (equal strings compare by content: the last one first). */
  private address(a: string): string {
    if (a === this.lastAddress) return this.lastAddress;
    let kept = this.addresses.get(a);
    if (kept === undefined) this.addresses.set(a, (kept = a));
    this.lastAddress = kept;
    return kept;
  }
}
