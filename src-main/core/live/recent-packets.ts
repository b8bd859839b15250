/**
 * A client's latest datagrams for the Live view's timeline (live-timeline.ts), in a fixed ring of
 * typed arrays: a lab of a thousand clients keeps 400 each, and as objects they were 400,000 that
 * the collector traced and a steady stream promoted to its old generation (BENCHMARKS.md, "The
 * live lab").
 */
import { CAUSES, type CauseCode } from '../causes.ts';
import type { TimelinePacket } from '../radio/timeline.ts';

/** A datagram's second number in `entries`: bytes * 256 + flags (bit 7: the uplink; bits 0-6: the cause's code). */
export function packetCode(up: boolean, bytes: number, cause: CauseCode): number {
  return bytes * 256 + ((up ? 0x80 : 0) | cause);
}

export class RecentPackets {
  /**
   * Two numbers an entry, side by side: its time, and bytes * 256 + flags (bit 7: from the client,
   * the uplink; bits 0-6: the cause's code). A push then writes one cache line of one array, not
   * one of each of three (every datagram of a thousand clients pushes here).
   */
  readonly entries: Float64Array;
  /** Index of the oldest entry, and how many there are. */
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.entries = new Float64Array(2 * capacity);
  }

  /** Adds the newest datagram, dropping the oldest when full. Times must not go backwards. */
  push(tS: number, up: boolean, bytes: number, cause: CauseCode): void {
    const i = this.claim();
    this.entries[i] = tS;
    this.entries[i + 1] = packetCode(up, bytes, cause);
  }

  /**
   * Makes room for the newest datagram (dropping the oldest when full) and says where its two
   * numbers go in `entries`: the caller writes them (its time, and its `packetCode`). A double
   * passed to a call V8 does not inline is boxed; an index is not.
   */
  claim(): number {
    let i: number;
    if (this.size < this.capacity) i = (this.head + this.size++) % this.capacity;
    else {
      i = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    return 2 * i;
  }

  /** Where the k-th oldest entry's two numbers start in `entries` (k < size). */
  slot(k: number): number {
    return 2 * ((this.head + k) % this.capacity);
  }

  /** The datagrams with `from <= tS <= to`, oldest first. */
  between(from: number, to: number): TimelinePacket[] {
    const out: TimelinePacket[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) % this.capacity;
      const t = this.entries[2 * i]!;
      if (t < from || t > to) continue;
      const x = this.entries[2 * i + 1]!;
      const f = x % 256;
      out.push({ tS: t, up: (f & 0x80) !== 0, bytes: (x - f) / 256, cause: CAUSES[f & 0x7f]! });
    }
    return out;
  }
}
