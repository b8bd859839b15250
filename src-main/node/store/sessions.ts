/**
 * Reading recorded lab sessions (docs/database.md, "labs" and "sessions"): the list, one
 * session's summary, and its packets, events and wakeups for `wakelab sessions` and exports.
 */
import type Database from 'better-sqlite3';
import type { Cause } from '../../core/causes.ts';
import { unpackChunk, type PackedChunkRow, type UnpackedPacket } from './packet-chunk.ts';

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
  /** Running totals as last written (every 15 s, and at the stop) (client-meter.ts MeterTotals), or null before the first. */
  readonly totals: Record<string, unknown> | null;
}

/** A recorded datagram (packet-chunk.ts). */
export type SessionPacket = UnpackedPacket;

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
  (SELECT coalesce(sum(c.count), 0) FROM session_packet_chunks c WHERE c.session_id = s.id) AS packets,
  (SELECT coalesce(sum(c.count), 0) FROM live_wakeup_chunks c WHERE c.session_id = s.id) AS wakeups
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

/**
 * A session's packets in order (an iterator: a long session is not loaded at once). It unpacks the
 * chunks itself (packet-chunk.ts) rather than through the `session_packets` view, which does the
 * same in SQL, more slowly.
 */
export function* sessionPackets(db: Database.Database, id: number): Generator<SessionPacket> {
  const chunks = db.prepare('SELECT first_seq, first_t_s, ends, ike_sas, packets FROM session_packet_chunks WHERE session_id = ? ORDER BY first_seq').iterate(id) as IterableIterator<PackedChunkRow>;
  for (const c of chunks) yield* unpackChunk(c);
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
  const chunks = db.prepare('SELECT wakeups FROM live_wakeup_chunks WHERE session_id = ? ORDER BY first_n').pluck().all(id) as string[];
  // Schema version 4: microseconds and nanojoules (migrations.ts).
  return chunks.flatMap((c) =>
    (JSON.parse(c) as [number, number, Cause, string, number | null][]).map(([n, tUs, cause, stateLeft, energyNj]) => ({ n, tS: tUs / 1e6, cause, stateLeft, energyJ: energyNj === null ? null : energyNj / 1e9 })),
  );
}
