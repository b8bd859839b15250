/**
 * Exports of a recorded session (docs/lab.md "Exports"): pcapng of the outer packets
 * (core/session/session-pcapng.ts) and JSON (format below and in docs/lab.md), both streamed to
 * a temporary file and renamed into place, so a failed export leaves no half file.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { WakeLabError } from '../../core/errors.ts';
import { sessionPcapngHeader, sessionPcapngPacket } from '../../core/session/session-pcapng.ts';
import { getSession, sessionEvents, sessionPackets, sessionWakeups, type SessionSummary } from '../store/sessions.ts';

/** What every export says about where the numbers come from. */
export const VANTAGE_NOTE =
  'Estimated from the tunnel\'s packets as the gateway saw them: the phone\'s other traffic is not seen, so these are the costs the VPN itself adds to an otherwise idle phone.';

export const SESSION_JSON_FORMAT = 'wakelab-session/1';

function streamTo(path: string, fill: (write: (chunk: Uint8Array | string) => void) => void): void {
  const tmp = `${path}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    throw new WakeLabError('BAD_FILE', `cannot write ${path}: ${(e as Error).message}`);
  }
  try {
    // Chunks are gathered to about 64 KiB per write: a session can have millions of packets.
    let parts: Uint8Array[] = [];
    let size = 0;
    const flush = (): void => {
      if (size > 0) writeSync(fd, Buffer.concat(parts, size));
      parts = [];
      size = 0;
    };
    fill((chunk) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      parts.push(b);
      size += b.length;
      if (size >= 1 << 16) flush();
    });
    flush();
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw e instanceof WakeLabError ? e : new WakeLabError('BAD_FILE', `cannot write ${path}: ${(e as Error).message}`);
  }
}

export function requireSession(db: Database.Database, id: number): SessionSummary {
  const s = getSession(db, id);
  if (!s) throw new WakeLabError('NOT_FOUND', `no session ${id}; see \`wakelab sessions list\``);
  return s;
}

/** Writes the session's outer packets as pcapng; returns how many. */
export function exportSessionPcapng(db: Database.Database, id: number, path: string): number {
  const s = requireSession(db, id);
  const startUs = Date.parse(s.labStartedAt) * 1000;
  let n = 0;
  streamTo(path, (write) => {
    write(sessionPcapngHeader(`wakelab lab ${s.labId} session ${s.id} (${s.client})`));
    for (const p of sessionPackets(db, id)) write(sessionPcapngPacket(p, startUs, n++));
  });
  return n;
}

/** Writes the session as JSON (SESSION_JSON_FORMAT); returns the packet count. */
export function exportSessionJson(db: Database.Database, id: number, path: string): number {
  const s = requireSession(db, id);
  let n = 0;
  streamTo(path, (write) => {
    const head = { format: SESSION_JSON_FORMAT, vantage: VANTAGE_NOTE, session: s, events: sessionEvents(db, id), wakeups: sessionWakeups(db, id) };
    write(JSON.stringify(head, null, 1).replace(/\n}$/, ',\n "packets": ['));
    for (const p of sessionPackets(db, id)) {
      write((n++ === 0 ? '\n  ' : ',\n  ') + JSON.stringify({ ...p, head: Buffer.from(p.head).toString('hex') }));
    }
    write('\n ]\n}\n');
  });
  return n;
}
