/**
 * `wakelab sessions`: the sessions `wakelab lab` recorded (docs/lab.md): list, show, export as
 * pcapng (the outer packets, for Wireshark) and JSON.
 */
import type { Command } from 'commander';
import type Database from 'better-sqlite3';
import { WakeLabError } from '../../core/errors.ts';
import { exportSessionJson, exportSessionPcapng, requireSession, VANTAGE_NOTE } from '../../node/live/session-export.ts';
import { openDatabase } from '../../node/store/open.ts';
import { resolveDbPath } from '../../node/store/paths.ts';
import { listSessions, sessionEvents, sessionWakeups, type SessionSummary } from '../../node/store/sessions.ts';
import { numberOption, printJson, type GlobalOptions } from '../context.ts';
import { num, table } from '../format.ts';

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('list, show and export the client sessions `wakelab lab` recorded');
  sessions
    .command('list', { isDefault: true })
    .description('list recorded sessions, newest first')
    .option('--lab <N>', 'only the sessions of lab N', numberOption('--lab'))
    .option('--limit <N>', 'how many', numberOption('--limit'), 50)
    .option('--json', 'print JSON')
    .action((opts: { lab?: number; limit: number; json?: boolean }, cmd: Command) =>
      withDb(cmd, (db) => {
        const rows = listSessions(db, { limit: opts.limit, ...(opts.lab !== undefined ? { labId: opts.lab } : {}) });
        if (opts.json) return printJson(rows);
        if (rows.length === 0) return void process.stdout.write('no sessions recorded yet: start one with `wakelab lab --config lab.json`\n');
        const t = table(
          ['session', 'lab', 'client', 'lab started', 'radio', 'min', 'packets', 'wakeups', 'J', 'J/h'],
          rows.map((r) => [String(r.id), String(r.labId), r.client, r.labStartedAt.replace('T', ' ').slice(0, 19), r.radioId, num((r.lastS - r.firstS) / 60, 1), String(r.packets), String(r.wakeups), num(total(r, 'totalJ'), 2), num(total(r, 'joulesPerHour'), 1)]),
          ['r', 'r', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
        );
        process.stdout.write(t + '\n');
      }),
    );
  sessions
    .command('show <id>')
    .description('show one session: totals, wakeups by cause and its SA events')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }, cmd: Command) =>
      withDb(cmd, (db) => {
        const s = requireSession(db, parseId(id));
        const events = sessionEvents(db, s.id);
        const wakeups = sessionWakeups(db, s.id);
        if (opts.json) return printJson({ session: s, vantage: VANTAGE_NOTE, events, wakeups });
        const w = (text: string): void => void process.stdout.write(text + '\n');
        w(`session ${s.id}: "${s.client}" in lab ${s.labId} (started ${s.labStartedAt}${s.labStoppedAt ? `, stopped ${s.labStoppedAt}` : ', not stopped cleanly or still running'}), radio ${s.radioId}`);
        w(`${s.packets} packets from ${s.firstS.toFixed(3)} to ${s.lastS.toFixed(3)} s of lab time; ${num(total(s, 'totalJ'), 2)} J, ${num(total(s, 'joulesPerHour'), 1)} J/h`);
        const causes = new Map<string, { n: number; j: number }>();
        for (const x of wakeups) {
          const c = causes.get(x.cause) ?? { n: 0, j: 0 };
          c.n++;
          c.j += x.energyJ ?? 0;
          causes.set(x.cause, c);
        }
        w('');
        w(table(['cause', 'radio wakeups', 'J (promotion + tail)'], [...causes].map(([c, v]) => [c, String(v.n), num(v.j, 2)]), ['l', 'r', 'r']));
        w('');
        w(table(['t (s)', 'event', 'IKE SA'], events.map((e) => [e.tS.toFixed(3), e.kind, e.ikeSa ?? '']), ['r', 'l', 'l']));
        w('');
        w(VANTAGE_NOTE);
      }),
    );
  sessions
    .command('export <id>')
    .description('export a session: --pcapng (outer packets, headers only, for Wireshark) and/or --json (everything recorded)')
    .option('--pcapng <file>', 'write the outer packets as pcapng')
    .option('--json <file>', 'write the session as JSON (docs/lab.md "JSON export")')
    .action((id: string, opts: { pcapng?: string; json?: string }, cmd: Command) =>
      withDb(cmd, (db) => {
        if (!opts.pcapng && !opts.json) throw new WakeLabError('INVALID_ARGUMENT', 'sessions export: give --pcapng FILE, --json FILE or both');
        const n = parseId(id);
        requireSession(db, n);
        if (opts.pcapng) process.stdout.write(`wrote ${exportSessionPcapng(db, n, opts.pcapng)} packets to ${opts.pcapng}\n`);
        if (opts.json) process.stdout.write(`wrote session ${n} (${exportSessionJson(db, n, opts.json)} packets) to ${opts.json}\n`);
      }),
    );
}

function total(s: SessionSummary, key: string): number | null {
  const v = s.totals?.[key];
  return typeof v === 'number' ? v : null;
}

function withDb(cmd: Command, fn: (db: Database.Database) => void): void {
  const { db } = openDatabase(resolveDbPath(cmd.optsWithGlobals<GlobalOptions>().db));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

function parseId(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0) throw new WakeLabError('INVALID_ARGUMENT', `session id must be a positive whole number (got "${id}")`);
  return n;
}
