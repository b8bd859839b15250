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

const TABLES = ['comparisons', 'labs', 'live_wakeups', 'policies', 'radio_profiles', 'run_metrics', 'runs', 'scenarios', 'session_events', 'session_packets', 'sessions', 'wakeups'];

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
      const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'runs_%'").pluck().all();
      expect(indexes).toEqual(expect.arrayContaining(['runs_created_at', 'runs_comparison_id']));
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
      expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    });
  });

  it('brings a version 1 database with a run up to version 2, keeping the run', () => {
    raw(file, (db) => {
      db.exec(MIGRATIONS[0]!);
      db.pragma('user_version = 1');
      db.prepare("INSERT INTO comparisons (created_at, radio_id, scenario_id, seed, duration_s, settings_json) VALUES ('2026-11-01T00:00:00.000Z', 'lte', 'idle', 1, 3600, '{}')").run();
    });
    const store = Store.open(file);
    expect(store.schemaVersion).toBe(2);
    store.close();
    raw(file, (db) => {
      expect(db.prepare('SELECT count(*) FROM comparisons').pluck().get()).toBe(1);
      expect(db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(0);
      expect(db.pragma('user_version', { simple: true })).toBe(2);
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
