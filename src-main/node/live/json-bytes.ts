/**
 * JSON text written byte by byte into one growing Buffer, for the chunk rows the session writer
 * builds at every commit (packet-records.ts). A template string per packet, with its numbers,
 * hexadecimal and the join, cost the lab's gateway about 3 % of its CPU (BENCHMARKS.md, "The live
 * lab"). Here a caller reserves room for a whole element once and writes it with the functions
 * below, each taking and returning the write offset; one string is made at the end. The binary
 * records that wait for their JSON (packet-records.ts, wakeup-records.ts) grow in one too.
 */
const HEX = Buffer.from('0123456789abcdef', 'latin1');

export class JsonBytes {
  private buf: Buffer;
  /** Octets written since `reset`. */
  length = 0;

  /** `initial`: the first block's octets (it doubles as needed). */
  constructor(initial = 16384) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Starts over (the block is kept). */
  reset(): void {
    this.length = 0;
  }

  /** The buffer, with room for `more` octets after `length`. */
  reserve(more: number): Buffer {
    if (this.length + more > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.length + more, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    return this.buf;
  }

  /** The block as it is now (a `reserve` may replace it). */
  get block(): Buffer {
    return this.buf;
  }

  /** The text written since `reset` (UTF-8: `raw` may have brought non-ASCII strings). */
  text(): string {
    return this.buf.toString('utf8', 0, this.length);
  }
}

/**
 * Octets already encoded (a JSON token, a quoted string): octet by octet, as they are short (a
 * wakeup's cause and radio state), fewer than `set`'s call costs.
 */
export function raw(b: Buffer, o: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) b[o + i] = bytes[i]!;
  return o + bytes.length;
}

/** "00" to "99": two digits a division. */
const PAIRS = Buffer.from(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''), 'latin1');

/**
 * A non-negative integer below 2^53, in decimal (at most 16 octets). Most are below 2^31 (a chunk's
 * every packet has seven): their digits are counted by comparisons and cut two at a time by 32-bit
 * integer division, which V8 turns into a multiplication; a larger one (an ESP SPI, say) is written
 * as the digits above its last nine, then those nine.
 */
export function uint(b: Buffer, o: number, v: number): number {
  if (v < 10) {
    b[o] = 48 + v;
    return o + 1;
  }
  if (v <= 0x7fffffff) return pairs(b, o + digits31(v), v | 0);
  const high = Math.floor(v / 1e9);
  const low = v - high * 1e9;
  let i = uint(b, o, high);
  const end = i + 9;
  // The last nine digits with their leading zeros.
  const start = low < 10 ? end - 1 : end - digits31(low);
  while (i < start) b[i++] = 48;
  if (low < 10) b[start] = 48 + low;
  else pairs(b, end, low);
  return end;
}

/** Decimal digits of 10 <= v < 2^31. */
function digits31(v: number): number {
  if (v < 1e4) return v < 100 ? 2 : v < 1000 ? 3 : 4;
  if (v < 1e7) return v < 1e5 ? 5 : v < 1e6 ? 6 : 7;
  return v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
}

/** Writes 10 <= v < 2^31 so that its last digit is just before `end`, two digits a step. Returns `end`. */
function pairs(b: Buffer, end: number, v: number): number {
  let i = end;
  while (v >= 100) {
    const q = (v / 100) | 0;
    const r = 2 * (v - 100 * q);
    b[--i] = PAIRS[r + 1]!;
    b[--i] = PAIRS[r]!;
    v = q;
  }
  if (v >= 10) {
    b[--i] = PAIRS[2 * v + 1]!;
    b[--i] = PAIRS[2 * v]!;
  } else b[--i] = 48 + v;
  return end;
}

/** `src[from, to)` in lowercase hexadecimal (2 (to - from) octets), no quotes. */
export function hex(b: Buffer, o: number, src: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const x = src[i]!;
    b[o++] = HEX[x >> 4]!;
    b[o++] = HEX[x & 15]!;
  }
  return o;
}

/** `src[from, to)` as a JSON string of lowercase hexadecimal (2 (to - from) + 2 octets). */
export function hexString(b: Buffer, o: number, src: Uint8Array, from: number, to: number): number {
  b[o] = 0x22;
  o = hex(b, o + 1, src, from, to);
  b[o] = 0x22;
  return o + 1;
}
