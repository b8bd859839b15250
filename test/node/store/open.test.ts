// Opening, migrating and refusing database files.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WakeLabError } from '../../../src-main/core/errors.ts';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS } from '../../../src-main/node/store/migrations.ts';
import { Store } from '../../../src-main/node/store/store.ts';
import { cleanup, tempDir } from './fixtures.ts';

const TABLES = ['comparisons', 'labs', 'live_wakeup_chunks', 'policies', 'radio_profiles', 'run_metrics', 'runs', 'scenarios', 'session_events', 'session_packet_chunks', 'sessions', 'wakeups'];

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'lab.db');
});
afterEach(() => cleanup(dir));

const hash = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
const sideFileSize = (p: string) => (fs.existsSync(p) ? fs.statSync(p).size : 0);

/** Runs `fn` on a plain better-sqlite3 connection to `p`. */
function raw<T>(p: string, fn: (db: Database.Database) => T): T {
  const db = new Database(p);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function expectRefused(code: string, pattern: RegExp): void {
  let err: unknown;
  try {
    Store.open(file).close();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(WakeLabError);
  expect((err as WakeLabError).code).toBe(code);
  expect((err as WakeLabError).message).toMatch(pattern);
}

describe('Store.open', () => {
  it('creates the file and its folder, every table, the version and the application id', () => {
    file = path.join(dir, 'a', 'b', 'lab.db');
    const store = Store.open(file);
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    store.close();
    raw(file, (db) => {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(TABLES);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name").pluck().all()).toEqual(['live_wakeups', 'session_packets']);
      const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'runs_%'").pluck().all();
      expect(indexes).toEqual(expect.arrayContaining(['runs_created_at', 'runs_comparison_id']));
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    });
  });

  it('brings a version 1 database with a run up to the latest version, keeping the run', () => {
    raw(file, (db) => {
      db.exec(MIGRATIONS[0]!);
      db.pragma('user_version = 1');
      db.prepare("INSERT INTO comparisons (created_at, radio_id, scenario_id, seed, duration_s, settings_json) VALUES ('2026-11-01T00:00:00.000Z', 'lte', 'idle', 1, 3600, '{}')").run();
    });
    const store = Store.open(file);
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    store.close();
    raw(file, (db) => {
      expect(db.prepare('SELECT count(*) FROM comparisons').pluck().get()).toBe(1);
      expect(db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(0);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    });
  });

  it('brings a version 2 database with recorded packets and wakeups up to the latest version, the same rows read through the views', () => {
    const columns = 'session_id, seq, t_s, dir, class, bytes, local_addr, local_port, peer_addr, peer_port, ike_sa, spi, message_id, request, head';
    const rows = [
      [1, 0, 0.5, 'in', 'ike-setup', 332, '198.18.2.2', 500, '198.18.1.2', 40001, 'aa_bb', null, 0, 1, Buffer.from('00112233', 'hex')],
      [1, 1, 0.75, 'out', 'ike-setup', 300, '198.18.2.2', 500, '198.18.1.2', 40001, 'aa_bb', null, 0, 0, Buffer.from('44', 'hex')],
      [1, 2, 20, 'in', 'keepalive', 1, '198.18.2.2', 4500, '198.18.1.2', 40002, null, null, null, null, Buffer.from('ff', 'hex')],
      [2, 0, 3, 'in', 'data', 100, '198.18.2.2', 4500, '198.18.1.3', 40003, 'cc_dd', 3735928559, null, null, Buffer.alloc(0)],
    ];
    raw(file, (db) => {
      db.exec(MIGRATIONS[0]!);
      db.exec(MIGRATIONS[1]!);
      db.pragma('user_version = 2');
      db.prepare("INSERT INTO labs (id, started_at, config_json, wakelab_version) VALUES (1, '2026-11-01T00:00:00.000Z', '{}', 'test')").run();
      for (const id of [1, 2]) db.prepare("INSERT INTO sessions (id, lab_id, client, first_s, last_s, radio_id, radio_json, totals_json) VALUES (?, 1, ?, 0, 20, 'lte', '{}', '{}')").run(id, `c${id}`);
      const insert = db.prepare(`INSERT INTO session_packets (${columns}) VALUES (${columns.split(',').map(() => '?').join(', ')})`);
      for (const r of rows) insert.run(r);
      db.prepare("INSERT INTO live_wakeups (session_id, n, t_s, cause, state_left, energy_j) VALUES (1, 0, 0.5, 'reconnect', 'RRC_IDLE', 1.25), (1, 1, 20, 'keepalive', 'RRC_IDLE', NULL)").run();
    });
    const store = Store.open(file);
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    store.close();
    raw(file, (db) => {
      expect(db.prepare('SELECT session_id, first_seq, count FROM session_packet_chunks ORDER BY session_id, first_seq').raw().all()).toEqual([
        [1, 0, 1],
        [1, 1, 1],
        [1, 2, 1],
        [2, 0, 1],
      ]);
      // The view has the head in hexadecimal (`head_hex`), the rest as the table had it.
      const back = db.prepare(`SELECT ${columns.replace('head', 'head_hex')} FROM session_packets ORDER BY session_id, seq`).raw().all();
      expect(back).toEqual(rows.map((r) => [...r.slice(0, -1), (r.at(-1) as Buffer).toString('hex')]));
      expect(db.prepare('SELECT session_id, n, t_s, cause, state_left, energy_j FROM live_wakeups ORDER BY n').raw().all()).toEqual([
        [1, 0, 0.5, 'reconnect', 'RRC_IDLE', 1.25],
        [1, 1, 20, 'keepalive', 'RRC_IDLE', null],
      ]);
    });
  });

  it('packs the chunks of a version 3 database (version 4), every packet reading back the same through the view', () => {
    const columns = 'session_id, seq, t_s, dir, class, bytes, local_addr, local_port, peer_addr, peer_port, ike_sa, spi, message_id, request, head_hex';
    // Two chunks of session 1 and one of session 2 as version 3 wrote them, nulls and all.
    const v3 = [
      [1, 0, 0.5, 0.750001, [[0.5, 'in', 'ike-setup', 332, '0.0.0.0', 500, '198.18.1.2', 40001, 'aa_bb', null, 0, 1, '00112233'], [0.750001, 'out', 'ike-setup', 300, '0.0.0.0', 500, '198.18.1.2', 40001, 'aa_bb', null, 0, 0, '44']]],
      [1, 2, 20, 21, [[20, 'in', 'keepalive', 1, '0.0.0.0', 4500, '198.18.1.2', 40002, null, null, null, null, 'ff'], [21, 'out', 'invalid', 9, '0.0.0.0', 4500, '198.18.1.9', 1, null, 7, null, null, '']]],
      [2, 0, 3, 3, [[3, 'in', 'data', 100, '0.0.0.0', 4500, '198.18.1.3', 40003, 'cc_dd', 3735928559, null, null, 'deadbeef00000001']]],
    ] as const;
    let before: unknown[] = [];
    raw(file, (db) => {
      for (const m of MIGRATIONS.slice(0, 3)) db.exec(m);
      db.pragma('user_version = 3');
      db.prepare("INSERT INTO labs (id, started_at, config_json, wakelab_version) VALUES (1, '2026-11-01T00:00:00.000Z', '{}', 'test')").run();
      for (const id of [1, 2]) db.prepare("INSERT INTO sessions (id, lab_id, client, first_s, last_s, radio_id, radio_json, totals_json) VALUES (?, 1, ?, 0, 21, 'lte', '{}', '{}')").run(id, `c${id}`);
      const insert = db.prepare('INSERT INTO session_packet_chunks (session_id, first_seq, count, first_t_s, last_t_s, packets) VALUES (?, ?, ?, ?, ?, ?)');
      for (const [s, first, t0, t1, packets] of v3) insert.run(s, first, packets.length, t0, t1, JSON.stringify(packets));
      before = db.prepare(`SELECT ${columns} FROM session_packets ORDER BY session_id, seq`).raw().all();
    });
    expect(before).toHaveLength(5);
    const store = Store.open(file);
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    store.close();
    raw(file, (db) => {
      expect(db.prepare('SELECT session_id, first_seq, count, first_t_s, last_t_s FROM session_packet_chunks ORDER BY session_id, first_seq').raw().all()).toEqual(v3.map(([s, first, t0, t1, packets]) => [s, first, packets.length, t0, t1]));
      expect(db.prepare(`SELECT ${columns} FROM session_packets ORDER BY session_id, seq`).raw().all()).toEqual(before);
    });
  });

  it('puts the database in WAL mode', () => {
    Store.open(file).close();
    expect(raw(file, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('reopens an up-to-date database without changing it', () => {
    Store.open(file).close();
    const before = raw(file, (db) => db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all());
    const again = Store.open(file);
    expect(again.schemaVersion).toBe(LATEST_VERSION);
    const second = Store.open(file); // two connections at once are fine
    second.close();
    again.close();
    expect(raw(file, (db) => db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all())).toEqual(before);
    expect(raw(file, (db) => db.pragma('user_version', { simple: true }))).toBe(LATEST_VERSION);
  });

  it('refuses a newer schema with DB_TOO_NEW and leaves the file untouched', () => {
    Store.open(file).close();
    raw(file, (db) => db.pragma(`user_version = ${LATEST_VERSION + 1}`));
    const before = hash(file);
    expectRefused(
      'DB_TOO_NEW',
      new RegExp(`^database .*lab\\.db has schema version ${LATEST_VERSION + 1}, newer than this WakeLab understands \\(${LATEST_VERSION}\\); use a newer WakeLab or another --db$`),
    );
    expect(hash(file)).toBe(before);
    expect(sideFileSize(`${file}-wal`)).toBe(0);
    expect(raw(file, (db) => db.pragma('user_version', { simple: true }))).toBe(LATEST_VERSION + 1);
  });

  it('refuses a newer schema in rollback-journal mode without switching it to WAL', () => {
    raw(file, (db) => {
      db.exec('CREATE TABLE future (x)');
      db.pragma(`user_version = ${LATEST_VERSION + 5}`);
    });
    const before = hash(file);
    expectRefused('DB_TOO_NEW', new RegExp(`schema version ${LATEST_VERSION + 5}`));
    expect(hash(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(raw(file, (db) => db.pragma('journal_mode', { simple: true }))).toBe('delete');
  });

  it('refuses a file that is not SQLite with DB_ERROR and leaves it untouched', () => {
    fs.writeFileSync(file, 'time,cause\n'.repeat(200));
    const before = hash(file);
    expectRefused('DB_ERROR', /^\S*lab\.db is not a WakeLab database: /);
    expect(hash(file)).toBe(before);
  });

  it("refuses another program's SQLite database", () => {
    raw(file, (db) => db.exec('CREATE TABLE contacts (name TEXT)'));
    let before = hash(file);
    expectRefused('DB_ERROR', /is not a WakeLab database: it already holds tables/);
    expect(hash(file)).toBe(before);
    raw(file, (db) => db.pragma('application_id = 1234'));
    before = hash(file);
    expectRefused('DB_ERROR', /is not a WakeLab database: its application_id is 0x4d2/);
    expect(hash(file)).toBe(before);
  });

  it('reports a path it cannot open as DB_ERROR', () => {
    file = dir; // a folder
    expectRefused('DB_ERROR', /database/);
  });

  it('opens an in-memory database', () => {
    const store = Store.open(':memory:');
    expect(store.schemaVersion).toBe(LATEST_VERSION);
    expect(store.listRuns()).toEqual([]);
    store.close();
  });
});
