/**
 * Packets read from a capture file (pcap.ts, pcapng.ts). Sans-IO: the readers take the file's
 * bytes, the caller reads the file. A malformed file is a local fault: BAD_FILE naming the offset.
 */
import { WakeLabError } from '../errors.ts';

/** tcpdump.org link-layer header types the rest of WakeLab can strip. */
export const LinkType = {
  /** LINKTYPE_NULL: BSD loopback, a 4-byte address family in host order. */
  NULL: 0,
  ETHERNET: 1,
  /** LINKTYPE_RAW: the packet starts with an IPv4 or IPv6 header. */
  RAW: 101,
  /** LINKTYPE_LINUX_SLL: Linux "cooked" capture, a 16-byte header. */
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
} as const;

export interface CapturedPacket {
  /** Seconds since the Unix epoch (microsecond or finer resolution, as the file records). */
  readonly timeS: number;
  readonly linkType: number;
  /** The captured bytes (a view into the file; may be shorter than originalLength). */
  readonly data: Uint8Array;
  readonly originalLength: number;
}

export function badFile(format: string, offset: number, problem: string): never {
  throw new WakeLabError('BAD_FILE', `${format}: ${problem} at byte ${offset}`);
}

/** A bounds-checked view that reads either byte order. */
export class Bytes {
  private readonly view: DataView;
  constructor(
    readonly data: Uint8Array,
    private readonly format: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  need(at: number, n: number, what: string): void {
    if (at < 0 || n < 0 || at + n > this.data.length) badFile(this.format, at, `${what} runs past the end of the file`);
  }

  u16(at: number, little: boolean): number {
    this.need(at, 2, 'a 16-bit field');
    return this.view.getUint16(at, little);
  }

  u32(at: number, little: boolean): number {
    this.need(at, 4, 'a 32-bit field');
    return this.view.getUint32(at, little);
  }

  slice(at: number, n: number, what: string): Uint8Array {
    this.need(at, n, what);
    return this.data.subarray(at, at + n);
  }
}
