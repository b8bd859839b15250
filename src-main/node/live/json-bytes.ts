/**
 * JSON text written byte by byte into one growing Buffer, for the chunk rows the session writer
 * builds at every commit (packet-records.ts). A template string per packet, with its numbers,
 * hexadecimal and the join, cost the lab's gateway about 3 % of its CPU (BENCHMARKS.md, "The live
 * lab"). Here a caller reserves room for a whole element once and writes it with the functions
 * below, each taking and returning the write offset; one string is made at the end.
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

  /** The text written since `reset` (UTF-8: `raw` may have brought non-ASCII strings). */
  text(): string {
    return this.buf.toString('utf8', 0, this.length);
  }
}

/** Octets already encoded (a JSON token, a quoted string). */
export function raw(b: Buffer, o: number, bytes: Uint8Array): number {
  b.set(bytes, o);
  return o + bytes.length;
}

/** A non-negative integer below 2^53, in decimal (at most 16 octets). */
export function uint(b: Buffer, o: number, v: number): number {
  if (v < 10) {
    b[o] = 48 + v;
    return o + 1;
  }
  let digits = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
  const end = o + digits;
  let i = end;
  for (let x = v; x > 0; x = Math.floor(x / 10)) b[--i] = 48 + (x % 10);
  return end;
}

/** Any finite number as JSON writes it (ECMA-262 Number::toString; at most 25 octets). */
export function number(b: Buffer, o: number, v: number): number {
  if (Number.isSafeInteger(v) && v >= 0) return uint(b, o, v);
  const s = String(v);
  for (let i = 0; i < s.length; i++) b[o + i] = s.charCodeAt(i);
  return o + s.length;
}

/** `src[from, to)` as a JSON string of lowercase hexadecimal (2 (to - from) + 2 octets). */
export function hexString(b: Buffer, o: number, src: Uint8Array, from: number, to: number): number {
  b[o++] = 0x22;
  for (let i = from; i < to; i++) {
    const x = src[i]!;
    b[o++] = HEX[x >> 4]!;
    b[o++] = HEX[x & 15]!;
  }
  b[o++] = 0x22;
  return o;
}

/**
 * `us` microseconds (an integer) as seconds, with at most six decimals and no trailing zeros: the
 * text `String(us / 1e6)` gives, without the general number-to-text conversion, which was the
 * largest item of a chunk's JSON (up to 31 years of lab time; beyond, by that conversion; at most
 * 25 octets).
 */
export function micros(b: Buffer, o: number, us: number): number {
  // Below 1e9 s a double's spacing is far under a microsecond, so these digits are the shortest.
  if (!(us >= 0 && us < 1e15)) return number(b, o, us / 1e6);
  const whole = Math.floor(us / 1e6);
  let frac = us - whole * 1e6;
  o = uint(b, o, whole);
  if (frac === 0) return o;
  b[o++] = 0x2e;
  let digits = 6;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  for (let i = digits - 1; i >= 0; i--) {
    b[o + i] = 48 + (frac % 10);
    frac = Math.floor(frac / 10);
  }
  return o + digits;
}
