/**
 * The session recording's path to SQLite (docs/database.md, schema version 2): what the live
 * estimator attributes to clients is queued in memory and committed in one transaction every few
 * hundred milliseconds, so a busy lab never waits on the disk per packet. A commit is all or
 * nothing: a crash loses at most the queue, never part of a commit, and the rows committed before
 * it stay (WAL). Secrets never reach the queue: CHILD_SA keys are dropped from SA events here.
 */
import type Database from 'better-sqlite3';
import type { ChildSaInfo } from '../../core/ike/io.ts';
import type { ClosedWakeup, LiveWakeup, MeterTotals } from '../../core/live/client-meter.ts';
import type { ClientEvent, ClientPacket, LiveOutput } from '../../core/live/estimator.ts';

const PACKET_INSERT = 'INSERT INTO session_packets (session_id, seq, t_s, dir, class, bytes, local_addr, local_port, peer_addr, peer_port, ike_sa, spi, message_id, request, head) VALUES';
const PACKET_COLUMNS = 15;
const PACKET_VALUES = `(${Array<string>(PACKET_COLUMNS).fill('?').join(', ')})`;
/** Packet rows per INSERT statement. */
const PACKET_CHUNK = 64;

/** What a commit wrote, and the totals so far. */
export interface CommitCounts {
  readonly packets: number;
  readonly events: number;
  readonly wakeups: number;
  /** Wakeups whose energy became known. */
  readonly closed: number;
  readonly total: { readonly packets: number; readonly events: number; readonly wakeups: number };
}

interface Session {
  id: number | null;
  packets: number;
  events: number;
  first: number;
  last: number;
  totals: MeterTotals | null;
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
  private packets: ClientPacket[] = [];
  private events: ClientEvent[] = [];
  private wakeups: LiveWakeup[] = [];
  private closed: ClosedWakeup[] = [];
  private readonly total = { packets: 0, events: 0, wakeups: 0 };
  private readonly st;

  constructor(
    private readonly db: Database.Database,
    readonly labId: number,
    /** The radio profile a client's session is estimated with: its id and definition. */
    private readonly radioOf: (client: string) => { id: string; json: string },
  ) {
    this.st = {
      session: db.prepare('INSERT INTO sessions (lab_id, client, first_s, last_s, radio_id, radio_json, totals_json) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      touch: db.prepare('UPDATE sessions SET last_s = ?, totals_json = ? WHERE id = ?'),
      packet: db.prepare(`${PACKET_INSERT} ${PACKET_VALUES}`),
      packets: db.prepare(`${PACKET_INSERT} ${Array<string>(PACKET_CHUNK).fill(PACKET_VALUES).join(', ')}`),
      event: db.prepare('INSERT INTO session_events (session_id, seq, t_s, kind, ike_sa, detail_json) VALUES (?, ?, ?, ?, ?, ?)'),
      wakeup: db.prepare('INSERT INTO live_wakeups (session_id, n, t_s, cause, state_left, energy_j) VALUES (?, ?, ?, ?, ?, NULL)'),
      close: db.prepare('UPDATE live_wakeups SET energy_j = ? WHERE session_id = ? AND n = ?'),
    };
  }

  /** Queues what the estimator produced for one event. */
  add(out: LiveOutput): void {
    for (const p of out.packets) {
      this.packets.push(p);
      this.session(p.client, p.t);
    }
    for (const e of out.events) {
      this.events.push(e);
      this.session(e.client, e.t);
    }
    this.wakeups.push(...out.wakeups);
    this.closed.push(...out.closed);
  }

  /** Queues a client's running totals (written with the next commit). */
  setTotals(t: MeterTotals): void {
    const s = this.sessions.get(t.client);
    if (s) s.totals = t;
  }

  /** Rows waiting for the next commit. */
  get queued(): number {
    return this.packets.length + this.events.length + this.wakeups.length + this.closed.length;
  }

  /**
   * Writes the queue in one transaction. On failure (a locked or full disk) the queue is kept for
   * the next try and the error thrown.
   */
  commit(): CommitCounts {
    const packets = this.packets;
    const events = this.events;
    const wakeups = this.wakeups;
    const closed = this.closed;
    const created: Session[] = [];
    const seqs = new Map<Session, { packets: number; events: number }>();
    const write = this.db.transaction(() => {
      const idOf = (client: string): number => {
        const s = this.sessions.get(client)!;
        if (!seqs.has(s)) seqs.set(s, { packets: s.packets, events: s.events });
        if (s.id === null) {
          const radio = this.radioOf(client);
          s.id = Number(this.st.session.run(this.labId, client, s.first, s.last, radio.id, radio.json, '{}').lastInsertRowid);
          created.push(s);
        }
        return s.id;
      };
      // PACKET_CHUNK rows a statement: half the cost per row of one INSERT each (BENCHMARKS.md).
      const args: unknown[] = [];
      for (const p of packets) {
        const id = idOf(p.client);
        const n = seqs.get(this.sessions.get(p.client)!)!;
        const x = p.traffic;
        args.push(id, n.packets++, p.t, x.dir, x.cls, x.bytes, x.local.address, x.local.port, x.peer.address, x.peer.port, x.sa ?? null, x.spi ?? null, x.messageId ?? null, x.request === undefined ? null : x.request ? 1 : 0, x.head);
        if (args.length === PACKET_COLUMNS * PACKET_CHUNK) {
          this.st.packets.run(args);
          args.length = 0;
        }
      }
      for (let i = 0; i < args.length; i += PACKET_COLUMNS) this.st.packet.run(args.slice(i, i + PACKET_COLUMNS));
      for (const e of events) {
        const id = idOf(e.client);
        const n = seqs.get(this.sessions.get(e.client)!)!;
        this.st.event.run(id, n.events++, e.t, e.event.kind, 'sa' in e.event ? e.event.sa : null, JSON.stringify(eventDetail(e.event)));
      }
      for (const w of wakeups) this.st.wakeup.run(idOf(w.client), w.n, w.t, w.cause, w.stateLeft);
      for (const c of closed) this.st.close.run(c.energyJ, idOf(c.client), c.n);
      // A session row moves on with its totals (run-lab.ts: every few seconds, and at the end), not
      // with every commit: a thousand clients would otherwise double the writing.
      for (const s of this.sessions.values()) {
        if (s.id === null || s.totals === null) continue;
        this.st.touch.run(s.last, JSON.stringify(s.totals), s.id);
      }
    });
    try {
      write.immediate();
    } catch (e) {
      for (const s of created) s.id = null; // rolled back with the rest
      throw e;
    }
    for (const [s, n] of seqs) {
      s.packets = n.packets;
      s.events = n.events;
    }
    for (const s of this.sessions.values()) s.totals = null;
    this.packets = [];
    this.events = [];
    this.wakeups = [];
    this.closed = [];
    this.total.packets += packets.length;
    this.total.events += events.length;
    this.total.wakeups += wakeups.length;
    return { packets: packets.length, events: events.length, wakeups: wakeups.length, closed: closed.length, total: { ...this.total } };
  }

  private session(client: string, t: number): void {
    const s = this.sessions.get(client);
    if (s) s.last = Math.max(s.last, t);
    else this.sessions.set(client, { id: null, packets: 0, events: 0, first: t, last: t, totals: null });
  }
}
