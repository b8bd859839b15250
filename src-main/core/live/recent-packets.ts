/**
 * A client's latest datagrams for the Live view's timeline (live-timeline.ts), in a fixed ring of
 * typed arrays: a lab of a thousand clients keeps 400 each, and as objects they were 400,000 that
 * the collector traced and a steady stream promoted to its old generation (BENCHMARKS.md, "The
 * live lab").
 */
import { CAUSES, type CauseCode } from '../causes.ts';
import type { TimelinePacket } from '../radio/timeline.ts';

export class RecentPackets {
  private readonly tS: Float64Array;
  private readonly bytes: Uint32Array;
  /** Bit 7: from the client (uplink); bits 0-6: the cause's code. */
  private readonly flags: Uint8Array;
  /** Index of the oldest entry, and how many there are. */
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.tS = new Float64Array(capacity);
    this.bytes = new Uint32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** Adds the newest datagram, dropping the oldest when full. Times must not go backwards. */
  push(tS: number, up: boolean, bytes: number, cause: CauseCode): void {
    let i: number;
    if (this.size < this.capacity) i = (this.head + this.size++) % this.capacity;
    else {
      i = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    this.tS[i] = tS;
    this.bytes[i] = bytes;
    this.flags[i] = (up ? 0x80 : 0) | cause;
  }

  /** The datagrams with `from <= tS <= to`, oldest first. */
  between(from: number, to: number): TimelinePacket[] {
    const out: TimelinePacket[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) % this.capacity;
      const t = this.tS[i]!;
      if (t < from || t > to) continue;
      const f = this.flags[i]!;
      out.push({ tS: t, up: (f & 0x80) !== 0, bytes: this.bytes[i]!, cause: CAUSES[f & 0x7f]! });
    }
    return out;
  }
}
