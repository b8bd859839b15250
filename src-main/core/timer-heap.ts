/**
 * Deadlines by key in a binary min-heap with lazy invalidation: `touch(key)` pushes an entry at the
 * key's current deadline (asked of `currentOf`), and entries that no longer match it (the key moved
 * on, or is gone: NaN) are discarded when they reach the top. So an engine finds its next deadline
 * and the keys that are due in O(log n), not by scanning thousands of SAs after every datagram.
 * The Responder keeps its IKE SAs' deadlines here; the Gateway its keepalives.
 */
export class TimerHeap<K> {
  private readonly heap: { readonly at: number; readonly key: K }[] = [];

  /** `currentOf(key)`: the key's deadline now; Infinity for none, NaN when the key is gone. */
  constructor(private readonly currentOf: (key: K) => number) {}

  /** Records the key's current deadline (call after anything that may have changed it). */
  touch(key: K): void {
    const at = this.currentOf(key);
    if (Number.isFinite(at)) this.push({ at, key });
  }

  /** The earliest live deadline, Infinity when none. */
  next(): number {
    this.dropStale();
    return this.heap[0]?.at ?? Infinity;
  }

  /** Takes out every key due at `now` (each once). */
  due(now: number): K[] {
    const out = new Set<K>();
    for (;;) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      out.add(top.key);
    }
    return [...out];
  }

  private dropStale(): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || this.currentOf(top.key) === top.at) return;
      this.pop();
    }
  }

  private push(e: { readonly at: number; readonly key: K }): void {
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
