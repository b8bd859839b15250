/**
 * When each IKE SA next needs the clock, in a binary min-heap with lazy invalidation: an SA's entry
 * is pushed again whenever something happened to it, and entries that no longer match the SA's
 * deadline are discarded when they reach the top. So the engine finds its next deadline and the
 * SAs that are due in O(log n), not by scanning every SA after every datagram.
 */
import type { IkeSa } from './ike-sa.ts';

interface Entry {
  readonly at: number;
  readonly sa: IkeSa;
}

export class DeadlineHeap {
  private readonly heap: Entry[] = [];

  /** Records the SA's current deadline (call after anything that may have changed it). */
  touch(sa: IkeSa): void {
    const at = sa.deadline();
    if (Number.isFinite(at)) this.push({ at, sa });
  }

  /** The earliest live deadline, Infinity when none. */
  next(): number {
    this.dropStale();
    return this.heap[0]?.at ?? Infinity;
  }

  /** Takes out every SA due at `now` (each once). */
  due(now: number): IkeSa[] {
    const out = new Set<IkeSa>();
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      out.add(top.sa);
    }
    return [...out];
  }

  /** An entry is stale when its SA is gone or now wants another time. */
  private dropStale(): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || (top.sa.state !== 'dead' && top.sa.deadline() === top.at)) return;
      this.pop();
    }
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= e.at) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.at < h[l]!.at ? r : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
