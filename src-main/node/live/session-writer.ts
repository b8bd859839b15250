/**
 * The session recording's path to SQLite (docs/database.md, schema version 4): what the live
 * estimator attributes to clients is queued in memory and committed in one transaction every few
 * hundred milliseconds, so a busy lab never waits on the disk per packet. A commit is all or
 * nothing: a crash loses at most what is still held in memory, never part of a commit, and the
 * rows committed before it stay (WAL). Secrets never reach the queue: CHILD_SA keys are dropped
 * from SA events here.
 *
 * SQLite's cost is per row, and more so per place in an index a row goes to: a thousand clients
 * append to a thousand places of every per-session index (BENCHMARKS.md, "The live lab"). So a
 * session's packets, and its wakeups once their tails have ended and their energy is known, wait
 * in memory and go out as one chunk row each (packed JSON arrays, unpacked by the `session_packets`
 * and `live_wakeups` views) a few seconds after the first of them (each session on its own clock, so
 * the rows spread over the commits), or when a chunk is full.
 * SA events, few, go with every commit.
 */
import type Database from 'better-sqlite3';
import type { ChildSaInfo } from '../../core/ike/io.ts';
import type { ClosedWakeup, MeterTotals } from '../../core/live/client-meter.ts';
import type { ClientEvent, LiveOutput } from '../../core/live/estimator.ts';
import { JsonArrayBuffer } from './json-array-buffer.ts';
import { JsonBytes } from './json-bytes.ts';
import { PacketRecords } from './packet-records.ts';

/** Packets or wakeups in a chunk row at most: a full chunk is written at the next commit, held or not. */
export const CHUNK_MAX = 256;

/** What a commit wrote, and the totals so far. */
export interface CommitCounts {
  readonly packets: number;
  readonly events: number;
  /** Wakeups, each with its energy (a wakeup is written once its tail has ended). */
  readonly wakeups: number;
  /** SQLite rows written or updated: chunks, events, sessions. */
  readonly rows: number;
  readonly total: { readonly packets: number; readonly events: number; readonly wakeups: number };
}

/** What a commit may keep in memory for a later one (none of it, without a hold). */
export interface CommitHold {
  /**
   * Keep a session's packets and wakeups until the first of them has waited this long (real ms)
   * or a chunk is full. Each session's clock starts with its own first packet, so the chunk rows
   * spread over the commits instead of all coming due in one.
   */
  readonly chunkAgeMs: number;
}

interface Session {
  readonly client: string;
  id: number | null;
  /** Packets and events committed. */
  packets: number;
  events: number;
  first: number;
  last: number;
  totals: MeterTotals | null;
  /** Packets not yet committed. */
  readonly chunk: PacketRecords;
  /** Ended wakeups not yet committed, as JSON, and the first one's number. */
  readonly ended: JsonArrayBuffer;
  endedFirstN: number;
  /** When (real ms) the oldest of them was queued. */
  since: number;
}

/** A wakeup as an element of a chunk (docs/database.md, `live_wakeup_chunks`), as JSON text. */
export function wakeupJson(w: ClosedWakeup): string {
  return `[${w.n},${w.t},"${w.cause}",${JSON.stringify(w.stateLeft)},${w.energyJ}]`;
}

/** A CHILD_SA as stored: algorithms, SPIs and selectors, no keys. */
export function childWithoutKeys(c: ChildSaInfo): object {
  return { spiIn: c.spiIn, spiOut: c.spiOut, encr: c.encr, keyLength: c.keyLength, integ: c.integ, esn: c.esn, localTs: c.localTs, remoteTs: c.remoteTs };
}

/** An SA event's fields for `detail_json`, keys removed. */
export function eventDetail(e: ClientEvent['event']): object {
  switch (e.kind) {
    case 'child-up':
      return { ...e, child: childWithoutKeys(e.child) };
    case 'ike-restored':
      return { ...e, children: e.children.map(childWithoutKeys) };
    default:
      return e;
  }
}

export class SessionWriter {
  private readonly sessions = new Map<string, Session>();
  /** Sessions with packets or wakeups waiting. */
  private readonly waiting = new Set<Session>();
  private events: ClientEvent[] = [];
  private readonly total = { packets: 0, events: 0, wakeups: 0 };
  private readonly st;
  /** Where each chunk's JSON is written (one block, reused). */
  private readonly json = new JsonBytes();
  /** The session `session` found last. */
  private lastFound: Session | null = null;

  constructor(
    private readonly db: Database.Database,
    readonly labId: number,
    /** The radio profile a client's session is estimated with: its id and definition. */
    private readonly radioOf: (client: string) => { id: string; json: string },
    /** Real time, ms (for `CommitHold.chunkAgeMs`). */
    private readonly realMs: () => number = () => performance.now(),
  ) {
    this.st = {
      session: db.prepare('INSERT INTO sessions (lab_id, client, first_s, last_s, radio_id, radio_json, totals_json) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      touch: db.prepare('UPDATE sessions SET last_s = ?, totals_json = ? WHERE id = ?'),
      packets: db.prepare('INSERT INTO session_packet_chunks (session_id, first_seq, count, first_t_s, last_t_s, ends, ike_sas, packets) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      wakeups: db.prepare('INSERT INTO live_wakeup_chunks (session_id, first_n, count, wakeups) VALUES (?, ?, ?, ?)'),
      event: db.prepare('INSERT INTO session_events (session_id, seq, t_s, kind, ike_sa, detail_json) VALUES (?, ?, ?, ?, ?, ?)'),
    };
  }

  /** Queues what the estimator produced for one event (wakeups when they end, with their energy). */
  add(out: LiveOutput): void {
    // Indexed loops: most lists here are the estimator's shared empty ones (one per datagram).
    const packets = out.packets;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      const s = this.session(p.client, p.t);
      this.wait(s);
      s.chunk.push(p);
    }
    const events = out.events;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      this.events.push(e);
      this.session(e.client, e.t);
    }
    const closed = out.closed;
    for (let i = 0; i < closed.length; i++) this.queueWakeup(closed[i]!);
  }

  /** Queues a client's running totals (written with the next commit). */
  setTotals(t: MeterTotals): void {
    const s = this.sessions.get(t.client);
    if (s) s.totals = t;
  }

  /** Packets, events and wakeups not yet committed. */
  get queued(): number {
    let n = this.events.length;
    for (const s of this.waiting) n += s.chunk.count + s.ended.count;
    return n;
  }

  /**
   * Writes what is queued, but what `hold` allows to keep, in one transaction. On failure (a
   * locked or full disk) everything is kept for the next try and the error thrown.
   */
  commit(hold?: CommitHold): CommitCounts {
    const events = this.events;
    const oldest = hold ? this.realMs() - hold.chunkAgeMs : Infinity;
    const due = [...this.waiting].filter((s) => s.since <= oldest || s.chunk.count >= CHUNK_MAX || s.ended.count >= CHUNK_MAX);
    const created: Session[] = [];
    let packets = 0;
    let wakeups = 0;
    let rows = 0;
    /** Each session's event count after this commit. */
    const seq = new Map<Session, number>();
    const write = this.db.transaction(() => {
      const idOf = (s: Session): number => {
        if (s.id === null) {
          const radio = this.radioOf(s.client);
          s.id = Number(this.st.session.run(this.labId, s.client, s.first, s.last, radio.id, radio.json, '{}').lastInsertRowid);
          created.push(s);
          rows++;
        }
        return s.id;
      };
      for (const s of due) {
        if (s.chunk.count > 0) {
          const c = s.chunk.pack(this.json);
          this.st.packets.run(idOf(s), s.packets, s.chunk.count, s.chunk.firstT, s.chunk.lastT, c.ends, c.ikeSas, c.packets);
          packets += s.chunk.count;
          rows++;
        }
        if (s.ended.count > 0) {
          this.st.wakeups.run(idOf(s), s.endedFirstN, s.ended.count, s.ended.text());
          wakeups += s.ended.count;
          rows++;
        }
      }
      for (const e of events) {
        const s = this.sessions.get(e.client)!;
        const n = seq.get(s) ?? s.events;
        seq.set(s, n + 1);
        this.st.event.run(idOf(s), n, e.t, e.event.kind, 'sa' in e.event ? e.event.sa : null, JSON.stringify(eventDetail(e.event)));
        rows++;
      }
      // A session row moves on with its totals (run-lab.ts: every few seconds, and at the end), not
      // with every commit: a thousand clients would otherwise double the writing.
      for (const s of this.sessions.values()) {
        if (s.id === null || s.totals === null) continue;
        this.st.touch.run(s.last, JSON.stringify(s.totals), s.id);
        rows++;
      }
    });
    try {
      write.immediate();
    } catch (e) {
      for (const s of created) s.id = null; // rolled back with the rest
      throw e;
    }
    for (const s of due) {
      s.packets += s.chunk.count;
      s.chunk.clear();
      s.ended.clear();
      this.waiting.delete(s);
    }
    for (const [s, n] of seq) s.events = n;
    for (const s of this.sessions.values()) s.totals = null;
    this.events = [];
    this.total.packets += packets;
    this.total.events += events.length;
    this.total.wakeups += wakeups;
    return { packets, events: events.length, wakeups, rows, total: { ...this.total } };
  }

  private queueWakeup(w: ClosedWakeup): void {
    const s = this.session(w.client, w.t);
    this.wait(s);
    if (s.ended.count === 0) s.endedFirstN = w.n;
    s.ended.push(wakeupJson(w));
  }

  /** The session has something waiting from now on (its age counts from the first). */
  private wait(s: Session): void {
    if (s.chunk.count > 0 || s.ended.count > 0) return;
    s.since = this.realMs();
    this.waiting.add(s);
  }

  private session(client: string, t: number): Session {
    // A request and its answer come one after the other: the last session first, then the map.
    let s = this.lastFound !== null && this.lastFound.client === client ? this.lastFound : this.sessions.get(client);
    if (s) s.last = Math.max(s.last, t);
    else this.sessions.set(client, (s = { client, id: null, packets: 0, events: 0, first: t, last: t, totals: null, chunk: new PacketRecords(), ended: new JsonArrayBuffer(), endedFirstN: 0, since: 0 }));
    this.lastFound = s;
    return s;
  }
}
