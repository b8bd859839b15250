// Robustness (issue "live lab"): `kill -9` in the middle of a fleet run loses no committed event.
// The fleet and its lab run in one `wakelab fleet` process that reports each commit on stdout (a
// pipe, written synchronously on Linux, after the transaction); after SIGKILL the database opens
// cleanly and holds at least everything the last reported commit said was written.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPorts } from '../support/ports.ts';

const BIN = new URL('../../bin/wakelab.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wakelab-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let base = 0;
beforeAll(async () => void (base = await freeUdpPorts(16)));

interface Commit {
  kind: 'commit';
  total: { packets: number; events: number; wakeups: number };
}

describe('kill -9 during a fleet run', () => {
  it('leaves a database that opens cleanly with every event committed before the kill', { timeout: 90_000 }, async () => {
    const db = join(dir, 'lab.db');
    writeFileSync(
      join(dir, 'lab.json'),
      JSON.stringify({
        responder: { listen: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 }, localId: 'gw.wakelab', secrets: [{ id: '*@fleet.wakelab', psk: 'crash-test-psk-0000' }], pool: '198.18.192.0/18', localTs: ['198.18.100.0/24'], dpd: { delayS: 30 } },
        radio: 'lte',
        commitEveryS: 0.1,
      }),
    );
    writeFileSync(
      join(dir, 'fleet.json'),
      JSON.stringify({
        lab: 'lab.json',
        psk: 'crash-test-psk-0000',
        timeScale: 50,
        startWithinS: 20,
        local: { firstPort: base + 2 },
        groups: [
          { name: 'android', policy: 'strongswan-android', count: 5 },
          { name: 'busy', policy: 'charon-dpd30', count: 5, traffic: { kind: 'periodic', everyS: 10, bytes: 300, echo: true } },
        ],
      }),
    );
    const child = spawn(process.execPath, [BIN, '--db', db, 'fleet', '--config', join(dir, 'fleet.json'), '--json-log', '--quiet', '--status-every', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const commits: Commit[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let buffered = '';
    const enough = new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`not enough commits in 60 s; stderr: ${stderr}`)), 60_000);
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const l of lines) {
          const o = JSON.parse(l) as { kind: string };
          if (o.kind === 'commit') commits.push(o as Commit);
        }
        // Mid-run: clients are still connecting and sending when the kill comes.
        if (commits.length >= 3 && commits.at(-1)!.total.packets > 200) {
          clearTimeout(timer);
          ok();
        }
      });
      child.once('exit', (code) => fail(new Error(`wakelab fleet exited early (${code}); stderr: ${stderr}`)));
    });
    try {
      await enough;
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
    expect(child.signalCode).toBe('SIGKILL');
    const last = commits.at(-1)!.total;

    const d = new Database(db);
    try {
      expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = (table: string) => d.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      expect(count('session_packets')).toBeGreaterThanOrEqual(last.packets);
      expect(count('session_events')).toBeGreaterThanOrEqual(last.events);
      expect(count('live_wakeups')).toBeGreaterThanOrEqual(last.wakeups);
      // Nothing half-written: every session's packets are numbered 0..n-1 without a gap.
      const gaps = d.prepare('SELECT session_id, count(*) AS n, max(seq) AS top FROM session_packets GROUP BY session_id HAVING n != top + 1').all();
      expect(gaps).toEqual([]);
      expect(d.prepare('SELECT stopped_at FROM labs').pluck().all()).toEqual([null]);
    } finally {
      d.close();
    }
    // The CLI reads it and says the lab did not stop cleanly.
    const list = spawnSync(process.execPath, [BIN, '--db', db, 'sessions', 'list', '--json'], { encoding: 'utf8', timeout: 30_000 });
    expect(list.status).toBe(0);
    const sessions = JSON.parse(list.stdout) as { client: string; labStoppedAt: string | null; packets: number }[];
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    for (const s of sessions) expect(s.labStoppedAt).toBeNull();
    const show = spawnSync(process.execPath, [BIN, '--db', db, 'sessions', 'show', '1'], { encoding: 'utf8', timeout: 30_000 });
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/not stopped cleanly/);
  });
});
