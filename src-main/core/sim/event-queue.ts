/**
 * The simulator's virtual clock: a binary min-heap of timed callbacks. Ties are broken by
 * insertion order, so a run is deterministic. Time jumps from one event to the next.
 */
export interface Timer {
  readonly t: number;
  cancelled: boolean;
}

interface Entry extends Timer {
  seq: number;
  fn: () => void;
}

/** More events than this at one instant means a model is looping. */
const STALL_LIMIT = 100_000;

export class EventQueue {
  now = 0;
  private heap: Entry[] = [];
  private seq = 0;
  /** Events run so far (cancelled ones excluded). */
  processed = 0;

  constructor(startS = 0) {
    this.now = startS;
  }

  /** Runs fn at time t (never earlier than now). */
  at(t: number, fn: () => void): Timer {
    const e: Entry = { t: t < this.now ? this.now : t, seq: this.seq++, fn, cancelled: false };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
    return e;
  }

  cancel(timer: Timer | null | undefined): void {
    if (timer) timer.cancelled = true;
  }

  /**
   * Runs events in time order up to and including time `until`; leaves `now` at `until`.
   * A model bug that reschedules itself at the same instant forever is stopped with an error.
   */
  runUntil(until: number, onEach?: () => void): void {
    let same = 0;
    for (;;) {
      const top = this.heap[0];
      if (!top || top.t > until) break;
      this.pop();
      if (top.cancelled) continue;
      same = top.t === this.now ? same + 1 : 0;
      if (same > STALL_LIMIT) throw new Error(`simulator stalled: more than ${STALL_LIMIT} events at t = ${this.now} s`);
      this.now = top.t;
      this.processed++;
      top.fn();
      onEach?.();
    }
    this.now = until;
  }

  get size(): number {
    return this.heap.length;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
