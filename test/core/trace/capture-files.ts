// Builds small pcap and pcapng files by hand (either byte order) for the reader tests.

export class Bytes {
  private readonly parts: number[] = [];
  constructor(private readonly little: boolean) {}
  u8(...v: number[]): this {
    this.parts.push(...v);
    return this;
  }
  u16(v: number): this {
    return this.little ? this.u8(v & 0xff, v >> 8) : this.u8(v >> 8, v & 0xff);
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    return this.u8(...(this.little ? b.reverse() : b));
  }
  bytes(b: Uint8Array | number[]): this {
    return this.u8(...b);
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  finish(): Uint8Array {
    return new Uint8Array(this.parts);
  }
}

/** A pcapng block: type, total length, body (padded), total length. */
export function block(little: boolean, type: number, body: (b: Bytes) => void): Uint8Array {
  const inner = new Bytes(little);
  body(inner);
  inner.pad4();
  const total = inner.length + 12;
  return new Bytes(little).u32(type).u32(total).bytes(inner.finish()).u32(total).finish();
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => [...p]));
}
