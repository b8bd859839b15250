/**
 * `wakelab lab`: the responder (run-responder.ts) with the live estimator (core/live) on every
 * datagram, and the session recording committed to SQLite (session-writer.ts) every
 * `commitEveryS`. Lab time is seconds since the lab started, on the same monotonic clock the UDP
 * host gives the engine.
 */
import type Database from 'better-sqlite3';
import type { IkeEvent } from '../../core/ike/io.ts';
import type { ClosedWakeup, LiveWakeup, MeterTotals } from '../../core/live/client-meter.ts';
import { LiveEstimator, type LiveOutput } from '../../core/live/estimator.ts';
import { backgroundOf, redactedLabConfig, type LabConfig, type LabPolicyPatch } from '../../core/live/lab-config.ts';
import type { Retransmit } from '../../core/policy/schema.ts';
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
  /** The lab's own connection (its foreign-key checks are turned off: see below). */
  readonly db: Database.Database;
  /** Radio profiles by id (checked for every id the configuration names before the lab starts). */
  readonly radio: (id: string) => LabRadio;
  /**
   * Each responder event with the lab time and what the estimator made of it. `out` is valid
   * during the call only: the estimator refills it for the next datagram (estimator.ts).
   */
  readonly onEvent?: (e: IkeEvent, t: number, out: LiveOutput) => void;
  /**
   * Radio wakeups as they are estimated: the estimator feeds each client's radio a few datagrams
   * at a time (client-meter.ts), and the lab moves every radio on once a second, at a change of
   * radio profile and at the end; each batch in time order.
   */
  readonly onWakeups?: (wakeups: readonly LiveWakeup[]) => void;
  readonly onCommit?: (c: CommitCounts, t: number) => void;
  /** A commit failed (the queue is kept for the next one). */
  readonly onCommitError?: (e: unknown) => void;
  /** Seconds on a monotonic clock (default: the UDP host's). */
  readonly clock?: () => number;
  /** Keep Wireshark's ikev2_decryption_table and esp_sa for the live SAs in this folder (secrets). */
  readonly wiresharkDir?: string;
}

export interface LabPolicy {
  readonly dpd: { readonly delayS: number; readonly retransmit: Retransmit };
  readonly keepaliveS: number;
  readonly radio: string;
  readonly clients: Readonly<Record<string, string>>;
}

export interface RunningLab {
  readonly labId: number;
  readonly responder: RunningResponder;
  readonly estimator: LiveEstimator;
  /** Lab time now, s. */
  now(): number;
  /** Every client's running totals. */
  totals(): MeterTotals[];
  /** The policy the lab runs with now (what the Live view's controls show). */
  policy(): LabPolicy;
  /**
   * Changes the policy while running: DPD and keepalives apply to existing SAs at their next timer,
   * a client's new radio profile from now on; every change is an event in the sessions. An
   * unknown radio profile throws and changes nothing.
   */
  setPolicy(patch: LabPolicyPatch): void;
  /** Commits what is queued now (the timer does this every `commitEveryS`). */
  commit(): CommitCounts;
  /**
   * Closes the sockets, cuts every running radio tail at this moment, commits the rest and marks
   * the lab stopped.
   */
  stop(): Promise<CommitCounts>;
}

const monotonic = (): number => performance.now() / 1000;
/** How often (real ms) the sessions' running totals are written. */
const TOTALS_EVERY_MS = 15_000;
/**
 * How long (real ms) a session's packets and ended wakeups may wait for their chunk row. SQLite's
 * cost is mostly per row: 20 s rather than 10 s halves the rows and took 0.34 us an event off
 * the store (test/bench/lab/path-proc.ts, BENCHMARKS.md), for at most 10 s more that a `kill -9`
 * loses.
 */
const CHUNK_AGE_MS = 20_000;
/** How often (real ms) every client's radio is moved on to the present. */
const ADVANCE_EVERY_MS = 1_000;

export async function runLab(cfg: LabConfig, o: LabRunOptions): Promise<RunningLab> {
  const radios = new Map<string, LabRadio>();
  const load = (id: string): LabRadio => {
    let r = radios.get(id);
    if (!r) radios.set(id, (r = o.radio(id)));
    return r;
  };
  // Which profile each client is estimated with; the Live view may change it while running.
  const models = { radio: cfg.radio, clients: Object.fromEntries(Object.entries(cfg.clients).flatMap(([c, v]) => (v.radio ? [[c, v.radio]] : []))) as Record<string, string> };
  const radioIdOf = (client: string): string => models.clients[client] ?? models.radio;
  const radioFor = (client: string): LabRadio => load(radioIdOf(client));
  for (const id of new Set([models.radio, ...Object.values(models.clients)])) load(id);

  const scale = cfg.timeScale;
  const clock = o.clock ?? (() => monotonic() * scale);
  // The recording creates each session row in the same transaction as its first rows, so their
  // references hold by construction: checking every insert against `sessions` cost a quarter of
  // the store's time with a thousand clients (BENCHMARKS.md). This connection is the lab's own;
  // deletes elsewhere still cascade.
  o.db.pragma('foreign_keys = OFF');
  const labId = Number(
    o.db
      .prepare('INSERT INTO labs (started_at, stopped_at, config_json, wakelab_version) VALUES (?, NULL, ?, ?)')
      .run(new Date().toISOString(), JSON.stringify(redactedLabConfig(cfg)), VERSION).lastInsertRowid,
  );
  const t0 = clock();
  const estimator = new LiveEstimator({ profileFor: (c) => radioFor(c).profile, backgroundFor: (c) => backgroundOf(cfg, c) });
  const writer = new SessionWriter(o.db, labId, (c) => ({ id: radioIdOf(c), json: radioFor(c).json }));
  let responder: RunningResponder;
  try {
    responder = await runResponder(cfg.responder, {
      ...(o.wiresharkDir ? { wiresharkDir: o.wiresharkDir } : {}),
      traffic: true,
      clock,
      timeScale: scale,
      onEvent: (e, t) => {
        const at = t - t0;
        const out = estimator.onEvent(at, e);
        writer.add(out);
        o.onEvent?.(e, at, out);
      },
    });
  } catch (e) {
    // It never ran (a port in use, a bad address): no lab row is left behind. Nothing refers to
    // it yet; sessions are written with the first commit.
    o.db.prepare('DELETE FROM labs WHERE id = ?').run(labId);
    throw e;
  }
  const now = (): number => clock() - t0;
  /** What the estimator moved on: to the recording, and its wakeups to the caller in time order (it gives them client by client). */
  const moved = (out: LiveOutput): void => {
    writer.add(out);
    if (out.wakeups.length > 0 && o.onWakeups) o.onWakeups([...out.wakeups].sort((a, b) => a.t - b.t));
  };
  /** Ended wakeups, from the estimator's every-second `advance` to the recording, one at a time. */
  const toRecording = (w: ClosedWakeup): void => writer.addWakeup(w);
  let totalsAt = -Infinity;
  let advancedAt = -Infinity;
  /** `periodic`: the timer's commit, which may hold sessions' chunks back (session-writer.ts). */
  const commit = (how: { last?: boolean; periodic?: boolean } = {}): CommitCounts => {
    const t = now();
    const real = performance.now();
    // Every radio is moved on (the datagrams queued for it, background datagrams, tails that ended)
    // once a second, not with every commit: it visits every client, and what it finds waits
    // CHUNK_AGE_MS for its row anyway.
    if (how.last) moved(estimator.finish(t));
    else if (!how.periodic || real - advancedAt >= ADVANCE_EVERY_MS) {
      advancedAt = real;
      moved(estimator.advance(t, toRecording));
    }
    // Every client's running totals go to its session row now and then (and at the end), not with
    // every commit: with a thousand clients they would be most of the writing. A session's packets
    // and ended wakeups go a chunk row each, CHUNK_AGE_MS after the first of them (session-writer.ts).
    if (!how.periodic || real - totalsAt >= TOTALS_EVERY_MS) {
      totalsAt = real;
      for (const total of estimator.totals(t)) writer.setTotals(total);
    }
    const c = writer.commit(how.periodic ? { chunkAgeMs: CHUNK_AGE_MS } : undefined);
    o.onCommit?.(c, t);
    return c;
  };
  const timer = setInterval(() => {
    try {
      commit({ periodic: true });
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
    policy: () => {
      const p = responder.gateway.responder.policy;
      return { dpd: { delayS: p.dpd.delayS, retransmit: p.dpd.retransmit }, keepaliveS: p.keepaliveS, radio: models.radio, clients: { ...models.clients } };
    },
    setPolicy: (patch) => {
      // Every profile id first, so a bad one changes nothing.
      for (const id of [...(patch.radio ? [patch.radio] : []), ...Object.values(patch.clients ?? {})]) load(id);
      if (patch.dpd || patch.keepaliveS !== undefined) {
        responder.act((t) => responder.gateway.updatePolicy(t, { ...(patch.dpd ? { dpd: patch.dpd } : {}), ...(patch.keepaliveS !== undefined ? { keepaliveS: patch.keepaliveS } : {}) }));
      }
      if (!patch.radio && !patch.clients) return;
      const t = now();
      const before = new Map(estimator.totals(t).map((m) => [m.client, radioIdOf(m.client)]));
      if (patch.radio) models.radio = patch.radio;
      Object.assign(models.clients, patch.clients ?? {});
      for (const [client, was] of before) {
        const id = radioIdOf(client);
        if (id !== was) moved(estimator.setProfile(t, client, load(id).profile, { radio: id }));
      }
    },
    stop: async () => {
      clearInterval(timer);
      await responder.close();
      const c = commit({ last: true });
      o.db.prepare('UPDATE labs SET stopped_at = ? WHERE id = ?').run(new Date().toISOString(), labId);
      return c;
    },
  };
}
