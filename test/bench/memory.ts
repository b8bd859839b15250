/**
 * Memory probes: a forced GC (when V8 lets us enable it at run time) and a count of the garbage
 * collections that ran inside a time window, so "allocates nothing per packet" can be checked.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | null | undefined;

/** A function that forces a full GC, or null when this V8 will not expose one. */
export function forceGc(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (gcFn = g);
  try {
    setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as unknown;
    gcFn = typeof f === 'function' ? (f as () => void) : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

export interface MemSample {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
}

export function memSample(): MemSample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

/** Records every GC's start time; count() tells how many started inside a window. */
export class GcCounter {
  private readonly starts: number[] = [];
  private readonly obs: PerformanceObserver;

  constructor() {
    this.obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.starts.push(e.startTime);
    });
    this.obs.observe({ entryTypes: ['gc'] });
  }

  /** GC entries are delivered asynchronously: call after yielding to the event loop. */
  count(fromMs: number, toMs: number): number {
    return this.starts.filter((s) => s >= fromMs && s <= toMs).length;
  }

  async flush(): Promise<void> {
    await new Promise((r) => setTimeout(r, 50));
  }

  stop(): void {
    this.obs.disconnect();
  }
}
