/**
 * `wakelab lab`: the responder (run-responder.ts) with the live estimator (core/live) on every
 * datagram, and the session recording committed to SQLite (session-writer.ts) every
 * `commitEveryS`. Lab time is seconds since the lab started, on the same monotonic clock the UDP
 * host gives the engine.
 */
import type Database from 'better-sqlite3';
import type { IkeEvent } from '../../core/ike/io.ts';
import type { MeterTotals } from '../../core/live/client-meter.ts';
import { LiveEstimator, type LiveOutput } from '../../core/live/estimator.ts';
import { radioOf, redactedLabConfig, type LabConfig } from '../../core/live/lab-config.ts';
import type { RadioProfile } from '../../core/radio/profile.ts';
import { runResponder, type RunningResponder } from '../ike/run-responder.ts';
import { VERSION } from '../version.ts';
import { SessionWriter, type CommitCounts } from './session-writer.ts';

export interface LabRadio {
  readonly profile: RadioProfile;
  /** The definition as stored with each session. */
  readonly json: string;
}

export interface LabRunOptions {
  readonly db: Database.Database;
  /** Radio profiles by id (checked for every id the configuration names before the lab starts). */
  readonly radio: (id: string) => LabRadio;
  /** Each responder event with the lab time and what the estimator made of it. */
  readonly onEvent?: (e: IkeEvent, t: number, out: LiveOutput) => void;
  readonly onCommit?: (c: CommitCounts, t: number) => void;
  /** A commit failed (the queue is kept for the next one). */
  readonly onCommitError?: (e: unknown) => void;
  /** Seconds on a monotonic clock (default: the UDP host's). */
  readonly clock?: () => number;
}

export interface RunningLab {
  readonly labId: number;
  readonly responder: RunningResponder;
  readonly estimator: LiveEstimator;
  /** Lab time now, s. */
  now(): number;
  /** Every client's running totals. */
  totals(): MeterTotals[];
  /** Commits what is queued now (the timer does this every `commitEveryS`). */
  commit(): CommitCounts;
  /**
   * Closes the sockets, cuts every running radio tail at this moment, commits the rest and marks
   * the lab stopped.
   */
  stop(): Promise<CommitCounts>;
}

const monotonic = (): number => performance.now() / 1000;

export async function runLab(cfg: LabConfig, o: LabRunOptions): Promise<RunningLab> {
  const radios = new Map<string, LabRadio>();
  const radioFor = (client: string): LabRadio => {
    const id = radioOf(cfg, client);
    let r = radios.get(id);
    if (!r) radios.set(id, (r = o.radio(id)));
    return r;
  };
  for (const id of new Set([cfg.radio, ...Object.values(cfg.clients).map((c) => c.radio)])) radios.set(id, o.radio(id));

  const scale = cfg.timeScale;
  const clock = o.clock ?? (() => monotonic() * scale);
  const labId = Number(
    o.db
      .prepare('INSERT INTO labs (started_at, stopped_at, config_json, wakelab_version) VALUES (?, NULL, ?, ?)')
      .run(new Date().toISOString(), JSON.stringify(redactedLabConfig(cfg)), VERSION).lastInsertRowid,
  );
  const t0 = clock();
  const estimator = new LiveEstimator({ profileFor: (c) => radioFor(c).profile });
  const writer = new SessionWriter(o.db, labId, (c) => ({ id: radioOf(cfg, c), json: radioFor(c).json }));
  let responder: RunningResponder;
  try {
    responder = await runResponder(cfg.responder, {
      traffic: true,
      clock,
      timeScale: scale,
      onEvent: (e, t) => {
        const out = estimator.onEvent(t - t0, e);
        writer.add(out);
        o.onEvent?.(e, t - t0, out);
      },
    });
  } catch (e) {
    o.db.prepare('UPDATE labs SET stopped_at = ? WHERE id = ?').run(new Date().toISOString(), labId);
    throw e;
  }
  const now = (): number => clock() - t0;
  const commit = (last = false): CommitCounts => {
    const t = now();
    writer.addClosed(last ? estimator.finish(t) : estimator.closedWakeups(t));
    for (const total of estimator.totals(t)) writer.setTotals(total);
    const c = writer.commit();
    o.onCommit?.(c, t);
    return c;
  };
  const timer = setInterval(() => {
    try {
      commit();
    } catch (e) {
      o.onCommitError?.(e);
    }
  }, cfg.commitEveryS * 1000); // real seconds: a disk's pace, whatever the time scale
  return {
    labId,
    responder,
    estimator,
    now,
    totals: () => estimator.totals(now()),
    commit: () => commit(),
    stop: async () => {
      clearInterval(timer);
      await responder.close();
      const c = commit(true);
      o.db.prepare('UPDATE labs SET stopped_at = ? WHERE id = ?').run(new Date().toISOString(), labId);
      return c;
    },
  };
}
