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
 * and `live_wakeups` views) a few seconds after the first of them (each group of sessions on its
 * own clock, so the rows spread over the commits), or when a session has CHUNK_MAX waiting.
 * SA events, few, go with every commit. Packets wait for their commit in one journal in the order
 * they came, and each commit deals them to their groups (`journal`): a group's age counts from
 * the first packet the journal held when the group got its first, at most one commit early.
 */
import type Database from 'better-sqlite3';
import type { ChildSaInfo } from '../../core/ike/io.ts';
import type { ClosedWakeup, MeterTotals } from '../../core/live/client-meter.ts';
import type { ClientEvent, ClientPacket, LiveOutput } from '../../core/live/estimator.ts';
import { JsonBytes } from './json-bytes.ts';
import { PacketRecords } from './packet-records.ts';
import { WakeupRecords } from './wakeup-records.ts';

/** A session with this many packets or wakeups waiting has its group written at the next commit, held or not. */
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
  /**
   * Packets and ended wakeups queued and not yet written after this commit (SA events go with every
   * commit): a session's wait up to the hold for their chunk row (`CommitHold`), so a lab's first
   * seconds show some here and none written.
   */
  readonly held: number;
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

/**
 * Sessions are dealt to this many groups in turn. A group's packets wait in one buffer (a
 * datagram touches none of its session's own memory) and are written together, each session's
 * as its own chunk row; each group on its own clock, so the rows spread over the commits.
 */
const GROUPS = 32;

interface Session {
  readonly client: string;
  /** Its number in this writer (its group is `index % GROUPS`). */
  readonly index: number;
  id: number | null;
  /** Packets and events committed. */
  packets: number;
  events: number;
  first: number;
  last: number;
  totals: MeterTotals | null;
}

interface Group {
  /** Its sessions' packets not yet committed. */
  readonly packets: PacketRecords;
  /** Its sessions' ended wakeups not yet committed. */
  readonly wakeups: WakeupRecords;
  /** When (real ms) the oldest of what waits was queued. */
  since: number;
  /** A session of it has CHUNK_MAX packets or wakeups waiting. */
  full: boolean;
  /**
   * How much sooner than the hold its first rows come due, as a share of the hold: group g of G
   * waits (1 - g/G) of it the first time, the whole hold after that. A busy lab's groups all get
   * their first packets within a second, so without this they all came due together: one commit of
   * a row per session every hold (2,000 rows and 100-200 ms with 1000 clients, the event loop
   * stalled), and little in between. Staggered once, they stay spread (BENCHMARKS.md).
   */
  lead: number;
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
  private readonly sessions: Session[] = [];
  private readonly indexOf = new Map<string, number>();
  /**
   * Session number + 1 by the estimator's number of its client (`ClientPacket.meter`), 0 for none
   * yet: a datagram finds its session in a typed array, not by hashing the client's name in a Map
   * (a few cache lines fewer a datagram in a lab of a thousand clients).
   */
  private byMeter: Uint32Array = new Uint32Array(1024);
  /**
   * Every datagram's record, in the order they came, until the next commit deals them to their
   * groups (`deal`). Written straight into its group, a datagram found the group's buffers cold
   * after the responder's work since that group's last one (a thousand clients in 32 groups);
   * here every datagram writes the same warm end of one buffer, and the commit copies them on in
   * one loop (BENCHMARKS.md, "The live lab").
   */
  private readonly journal = new PacketRecords();
  /** When (real ms) the journal's first record came. */
  private journalSince = 0;
  private readonly groups: Group[] = Array.from({ length: GROUPS }, (_, g) => ({ packets: new PacketRecords(), wakeups: new WakeupRecords(), since: 0, full: false, lead: g / GROUPS }));
  /** Packets and wakeups waiting, by session number. */
  private waitingPackets: Uint32Array = new Uint32Array(1024);
  private waitingWakeups: Uint32Array = new Uint32Array(1024);
  private events: ClientEvent[] = [];
  /**
   * The sessions with totals queued (`setTotals`): a commit visits these, not every session (a
   * thousand session objects four times a second, each a cache line the responder had evicted).
   */
  private withTotals: Session[] = [];
  private readonly total = { packets: 0, events: 0, wakeups: 0 };
  private readonly st;
  /** Where each chunk's JSON is written (one block, reused). */
  private readonly json = new JsonBytes();

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
      const known = p.meter < this.byMeter.length ? this.byMeter[p.meter]! : 0;
      const index = known > 0 ? known - 1 : this.meterSession(p);
      if (this.journal.count === 0) this.journalSince = this.realMs();
      this.journal.push(p, index);
    }
    const events = out.events;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      this.events.push(e);
      this.session(e.client, e.t);
    }
    const closed = out.closed;
    for (let i = 0; i < closed.length; i++) this.addWakeup(closed[i]!);
  }

  /** Queues a client's running totals (written with the next commit). */
  setTotals(t: MeterTotals): void {
    const index = this.indexOf.get(t.client);
    if (index === undefined) return;
    const s = this.sessions[index]!;
    if (s.totals === null) this.withTotals.push(s);
    s.totals = t;
    // Its latest datagram, which may still wait in its group's buffer (`last` moves when its
    // chunk is written, not per datagram).
    s.last = Math.max(s.last, t.lastIn ?? s.last, t.lastOut ?? s.last);
  }

  /** Packets, events and wakeups not yet committed. */
  get queued(): number {
    let n = this.events.length + this.journal.count;
    for (const g of this.groups) {
      n += g.packets.count + g.wakeups.count;
    }
    return n;
  }

  /**
   * Writes what is queued, but what `hold` allows to keep, in one transaction. On failure (a
   * locked or full disk) everything is kept for the next try and the error thrown.
   */
  commit(hold?: CommitHold): CommitCounts {
    this.deal();
    const events = this.events;
    const oldest = hold ? this.realMs() - hold.chunkAgeMs : Infinity;
    const due = this.groups.filter((g) => (g.packets.count > 0 || g.wakeups.count > 0) && (g.full || g.since - g.lead * (hold?.chunkAgeMs ?? 0) <= oldest));
    const created: Session[] = [];
    let packets = 0;
    let wakeups = 0;
    let rows = 0;
    /** Each session's packets written, and its event count after this commit. */
    const written = new Map<Session, number>();
    const ended = new Set<Session>();
    const seq = new Map<Session, number>();
    const write = this.db.transaction(() => {
      written.clear();
      ended.clear();
      const idOf = (s: Session): number => {
        if (s.id === null) {
          const radio = this.radioOf(s.client);
          s.id = Number(this.st.session.run(this.labId, s.client, s.first, s.last, radio.id, radio.json, '{}').lastInsertRowid);
          created.push(s);
          rows++;
        }
        return s.id;
      };
      for (const g of due) {
        for (const [index, records] of g.packets.bySession()) {
          const s = this.sessions[index]!;
          const c = g.packets.pack(this.json, records);
          s.last = Math.max(s.last, c.lastT);
          this.st.packets.run(idOf(s), s.packets, c.count, c.firstT, c.lastT, c.ends, c.ikeSas, c.packets);
          written.set(s, c.count);
          packets += c.count;
          rows++;
        }
        for (const [index, records] of g.wakeups.bySession()) {
          const s = this.sessions[index]!;
          const c = g.wakeups.pack(this.json, records);
          s.last = Math.max(s.last, c.lastT);
          this.st.wakeups.run(idOf(s), c.firstN, c.count, c.wakeups);
          ended.add(s);
          wakeups += c.count;
          rows++;
        }
      }
      for (const e of events) {
        const s = this.sessions[this.indexOf.get(e.client)!]!;
        const n = seq.get(s) ?? s.events;
        seq.set(s, n + 1);
        this.st.event.run(idOf(s), n, e.t, e.event.kind, 'sa' in e.event ? e.event.sa : null, JSON.stringify(eventDetail(e.event)));
        rows++;
      }
      // A session row moves on with its totals (run-lab.ts: every few seconds, and at the end), not
      // with every commit: a thousand clients would otherwise double the writing.
      for (const s of this.withTotals) {
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
    for (const [s, n] of written) {
      s.packets += n;
      this.waitingPackets[s.index] = 0;
    }
    for (const s of ended) this.waitingWakeups[s.index] = 0;
    for (const g of due) {
      g.packets.clear();
      g.wakeups.clear();
      g.full = false;
      g.lead = 0;
    }
    for (const [s, n] of seq) s.events = n;
    for (const s of this.withTotals) s.totals = null;
    this.withTotals = [];
    this.events = [];
    this.total.packets += packets;
    this.total.events += events.length;
    this.total.wakeups += wakeups;
    return { packets, events: events.length, wakeups, rows, total: { ...this.total }, held: this.queued };
  }

  /**
   * Hands the journal's packets to their sessions' groups, in order (each group's age counting
   * from the journal's first, which is no later than the group's own first).
   */
  private deal(): void {
    const j = this.journal;
    if (j.count === 0) return;
    for (let r = 0; r < j.end; ) {
      const index = j.sessionOf(r);
      const g = this.groups[index % GROUPS]!;
      if (g.packets.count === 0 && g.wakeups.count === 0) g.since = this.journalSince;
      r = g.packets.copy(j, r);
      if (++this.waitingPackets[index]! >= CHUNK_MAX) g.full = true;
    }
    j.clear();
  }

  /** Queues an ended wakeup (copied: `w` may be refilled after the call, LiveEstimator.advance). */
  addWakeup(w: ClosedWakeup): void {
    const index = this.indexOf.get(w.client) ?? this.open(w.client, w.t).index;
    const g = this.groups[index % GROUPS]!;
    this.wait(g);
    g.wakeups.push(w, index);
    if (++this.waitingWakeups[index]! >= CHUNK_MAX) g.full = true;
  }

  /** The session of a packet whose client's number has none yet (and that number's from now on). */
  private meterSession(p: ClientPacket): number {
    const index = this.indexOf.get(p.client) ?? this.open(p.client, p.t).index;
    while (p.meter >= this.byMeter.length) this.byMeter = grown(this.byMeter);
    this.byMeter[p.meter] = index + 1;
    return index;
  }

  /** The group has something waiting from now on (its age counts from the first). */
  private wait(g: Group): void {
    if (g.packets.count === 0 && g.wakeups.count === 0) g.since = this.realMs();
  }

  private session(client: string, t: number): Session {
    const index = this.indexOf.get(client);
    if (index === undefined) return this.open(client, t);
    const s = this.sessions[index]!;
    s.last = Math.max(s.last, t);
    return s;
  }

  private open(client: string, t: number): Session {
    const s: Session = { client, index: this.sessions.length, id: null, packets: 0, events: 0, first: t, last: t, totals: null };
    this.sessions.push(s);
    this.indexOf.set(client, s.index);
    if (s.index >= this.waitingPackets.length) {
      this.waitingPackets = grown(this.waitingPackets);
      this.waitingWakeups = grown(this.waitingWakeups);
    }
    return s;
  }
}

/** Twice the room, the same contents. */
function grown(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}
