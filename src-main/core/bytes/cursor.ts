/**
 * Reader and Writer cursors over Uint8Array, big-endian (network order) as every IKE and ESP
 * field is. The Reader never throws on network input: reads past the end set `ok` to false and
 * return zeros or an empty array, so a decoder checks `ok` once and returns a typed drop reason.
 */

export class Reader {
  private pos = 0;
  /** False once any read went past the end. */
  ok = true;

  constructor(
    private readonly buf: Uint8Array,
    private readonly end: number = buf.length,
    start = 0,
  ) {
    this.pos = start;
    if (end > buf.length || start > end) this.ok = false;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return Math.max(0, this.end - this.pos);
  }

  private take(n: number): number {
    if (n < 0 || this.pos + n > this.end) {
      this.ok = false;
      this.pos = this.end;
      return -1;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    const at = this.take(1);
    return at < 0 ? 0 : this.buf[at]!;
  }

  u16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : (this.buf[at]! << 8) | this.buf[at + 1]!;
  }

  u32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : ((this.buf[at]! << 24) | (this.buf[at + 1]! << 16) | (this.buf[at + 2]! << 8) | this.buf[at + 3]!) >>> 0;
  }

  /** n bytes as a view into the buffer (copy it to keep it). */
  bytes(n: number): Uint8Array {
    const at = this.take(n);
    return at < 0 ? new Uint8Array(0) : this.buf.subarray(at, at + n);
  }

  /** A Reader over the next n bytes (and skips them here). */
  sub(n: number): Reader {
    const at = this.take(n);
    return at < 0 ? new Reader(new Uint8Array(0), 0, 0).fail() : new Reader(this.buf, at + n, at);
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  private fail(): this {
    this.ok = false;
    return this;
  }
}

export class Writer {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  get length(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf[this.len++] = (v >>> 24) & 0xff;
    this.buf[this.len++] = (v >>> 16) & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Overwrites a 16-bit field written earlier (a length known only once the body is written). */
  patchU16(at: number, v: number): this {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
    return this;
  }

  patchU32(at: number, v: number): this {
    this.buf[at] = (v >>> 24) & 0xff;
    this.buf[at + 1] = (v >>> 16) & 0xff;
    this.buf[at + 2] = (v >>> 8) & 0xff;
    this.buf[at + 3] = v & 0xff;
    return this;
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
