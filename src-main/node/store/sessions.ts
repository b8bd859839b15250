/**
 * Reading recorded lab sessions (docs/database.md, "labs" and "sessions"): the list, one
 * session's summary, and its packets, events and wakeups for `wakelab sessions` and exports.
 */
import type Database from 'better-sqlite3';
import type { Cause } from '../../core/causes.ts';
import type { TrafficClass } from '../../core/ike/traffic.ts';

export interface SessionSummary {
  readonly id: number;
  readonly labId: number;
  readonly client: string;
  /** Wall-clock time of the lab's start, ISO-8601 UTC. */
  readonly labStartedAt: string;
  readonly labStoppedAt: string | null;
  readonly firstS: number;
  readonly lastS: number;
  readonly radioId: string;
  readonly packets: number;
  readonly wakeups: number;
  /** Running totals as last written (every 5 s, and at the stop) (client-meter.ts MeterTotals), or null before the first. */
  readonly totals: Record<string, unknown> | null;
}

export interface SessionPacket {
  readonly seq: number;
  readonly tS: number;
  readonly dir: 'in' | 'out';
  readonly cls: TrafficClass;
  readonly bytes: number;
  readonly local: { readonly address: string; readonly port: number };
  readonly peer: { readonly address: string; readonly port: number };
  readonly ikeSa: string | null;
  readonly spi: number | null;
  readonly messageId: number | null;
  readonly request: boolean | null;
  readonly head: Uint8Array;
}

export interface SessionEvent {
  readonly seq: number;
  readonly tS: number;
  readonly kind: string;
  readonly ikeSa: string | null;
  readonly detail: Record<string, unknown>;
}

export interface SessionWakeup {
  readonly n: number;
  readonly tS: number;
  readonly cause: Cause;
  readonly stateLeft: string;
  /** Promotion and tail energy, J; null while the tail had not ended at the last commit. */
  readonly energyJ: number | null;
}

interface SummaryRow {
  id: number;
  lab_id: number;
  client: string;
  started_at: string;
  stopped_at: string | null;
  first_s: number;
  last_s: number;
  radio_id: string;
  totals_json: string;
  packets: number;
  wakeups: number;
}

const SUMMARY = `
SELECT s.id, s.lab_id, s.client, l.started_at, l.stopped_at, s.first_s, s.last_s, s.radio_id, s.totals_json,
  (SELECT count(*) FROM session_packets p WHERE p.session_id = s.id) AS packets,
  (SELECT count(*) FROM live_wakeups w WHERE w.session_id = s.id) AS wakeups
FROM sessions s JOIN labs l ON l.id = s.lab_id`;

function toSummary(r: SummaryRow): SessionSummary {
  const totals = JSON.parse(r.totals_json) as Record<string, unknown>;
  return {
    id: r.id,
    labId: r.lab_id,
    client: r.client,
    labStartedAt: r.started_at,
    labStoppedAt: r.stopped_at,
    firstS: r.first_s,
    lastS: r.last_s,
    radioId: r.radio_id,
    packets: r.packets,
    wakeups: r.wakeups,
    totals: Object.keys(totals).length > 0 ? totals : null,
  };
}

export function listSessions(db: Database.Database, o: { limit: number; labId?: number }): SessionSummary[] {
  const where = o.labId !== undefined ? 'WHERE s.lab_id = ?' : '';
  const args = o.labId !== undefined ? [o.labId, o.limit] : [o.limit];
  return (db.prepare(`${SUMMARY} ${where} ORDER BY s.id DESC LIMIT ?`).all(...args) as SummaryRow[]).map(toSummary);
}

export function getSession(db: Database.Database, id: number): SessionSummary | null {
  const r = db.prepare(`${SUMMARY} WHERE s.id = ?`).get(id) as SummaryRow | undefined;
  return r ? toSummary(r) : null;
}

interface PacketRow {
  seq: number;
  t_s: number;
  dir: 'in' | 'out';
  class: TrafficClass;
  bytes: number;
  local_addr: string;
  local_port: number;
  peer_addr: string;
  peer_port: number;
  ike_sa: string | null;
  spi: number | null;
  message_id: number | null;
  request: number | null;
  head: Buffer;
}

/** A session's packets in order (an iterator: a long session is not loaded at once). */
export function* sessionPackets(db: Database.Database, id: number): Generator<SessionPacket> {
  const rows = db.prepare('SELECT * FROM session_packets WHERE session_id = ? ORDER BY seq').iterate(id) as IterableIterator<PacketRow>;
  for (const r of rows) {
    yield {
      seq: r.seq,
      tS: r.t_s,
      dir: r.dir,
      cls: r.class,
      bytes: r.bytes,
      local: { address: r.local_addr, port: r.local_port },
      peer: { address: r.peer_addr, port: r.peer_port },
      ikeSa: r.ike_sa,
      spi: r.spi,
      messageId: r.message_id,
      request: r.request === null ? null : r.request === 1,
      head: new Uint8Array(r.head.buffer, r.head.byteOffset, r.head.length),
    };
  }
}

export function sessionEvents(db: Database.Database, id: number): SessionEvent[] {
  const rows = db.prepare('SELECT seq, t_s, kind, ike_sa, detail_json FROM session_events WHERE session_id = ? ORDER BY seq').all(id) as {
    seq: number;
    t_s: number;
    kind: string;
    ike_sa: string | null;
    detail_json: string;
  }[];
  return rows.map((r) => ({ seq: r.seq, tS: r.t_s, kind: r.kind, ikeSa: r.ike_sa, detail: JSON.parse(r.detail_json) as Record<string, unknown> }));
}

export function sessionWakeups(db: Database.Database, id: number): SessionWakeup[] {
  const rows = db.prepare('SELECT n, t_s, cause, state_left, energy_j FROM live_wakeups WHERE session_id = ? ORDER BY n').all(id) as {
    n: number;
    t_s: number;
    cause: Cause;
    state_left: string;
    energy_j: number | null;
  }[];
  return rows.map((r) => ({ n: r.n, tS: r.t_s, cause: r.cause, stateLeft: r.state_left, energyJ: r.energy_j }));
}
