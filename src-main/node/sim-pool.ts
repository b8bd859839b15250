/**
 * A small pool of worker threads that run simulations, so a sweep of many policies uses every
 * core. Each worker runs the same core simulator; jobs and results are structured-cloned.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WakeLabError, type ErrorCode } from '../core/errors.ts';
import type { Metrics } from '../core/sim/metrics.ts';
import type { WakeupLog } from '../core/radio/radio-model.ts';
import type { RadioTimeline } from '../core/radio/timeline.ts';
import type { SimJob } from './sim-worker.ts';

export interface SimJobResult {
  metrics: Metrics;
  wakeups: WakeupLog | null;
  timeline?: RadioTimeline | null;
}

type Reply = { id: number; ok: true; result: SimJobResult } | { id: number; ok: false; error: { message: string; code?: string } };

export class SimPool {
  private readonly workers: Worker[] = [];

  static defaultSize(): number {
    return Math.max(1, availableParallelism());
  }

  /**
   * @param workerUrl the worker script: by default sim-worker-boot.js next to this file, which
   *   loads the TypeScript worker through tsx; the Electron build passes its bundled sim-worker.js.
   */
  constructor(size: number, workerUrl?: URL) {
    const url = workerUrl ?? new URL('./sim-worker-boot.js', import.meta.url);
    for (let i = 0; i < size; i++) this.workers.push(new Worker(url));
  }

  /** Runs every job, in order of completion on free workers; results come back in job order. */
  runAll(jobs: readonly SimJob[], onProgress?: (done: number, total: number) => void): Promise<SimJobResult[]> {
    const results = new Array<SimJobResult>(jobs.length);
    let next = 0;
    let done = 0;
    return new Promise((resolve, reject) => {
      let failed = false;
      const feed = (w: Worker): void => {
        if (failed) return;
        if (next >= jobs.length) {
          if (done === jobs.length) resolve(results);
          return;
        }
        const id = next++;
        w.postMessage({ id, job: jobs[id] });
      };
      for (const w of this.workers) {
        w.removeAllListeners('message');
        w.removeAllListeners('error');
        w.on('message', (m: Reply) => {
          if (!m.ok) {
            failed = true;
            reject(m.error.code ? new WakeLabError(m.error.code as ErrorCode, m.error.message) : new Error(m.error.message));
            return;
          }
          results[m.id] = m.result;
          done++;
          onProgress?.(done, jobs.length);
          if (done === jobs.length) resolve(results);
          else feed(w);
        });
        w.on('error', (e) => {
          failed = true;
          reject(e);
        });
        feed(w);
      }
      if (jobs.length === 0) resolve(results);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
