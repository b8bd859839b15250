/**
 * Opening a database file: check that it is a WakeLab database this build understands before
 * anything is written to it, then switch on WAL and bring the schema up to date.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WakeLabError } from '../../core/errors.ts';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS } from './migrations.ts';

/** How long a statement waits for another process's write lock before failing, ms. */
const BUSY_TIMEOUT_MS = 5000;

export const MEMORY = ':memory:';

/** Turns a better-sqlite3 failure into a one-line DB_ERROR naming the file; other errors pass through. */
export function dbError(file: string, e: unknown, doing = 'database'): unknown {
  if (!(e instanceof Database.SqliteError)) return e;
  if (e.code === 'SQLITE_NOTADB' || e.code === 'SQLITE_CORRUPT') {
    return new WakeLabError('DB_ERROR', `${file} is not a WakeLab database: ${e.message}`);
  }
  if (e.code.startsWith('SQLITE_BUSY')) {
    return new WakeLabError('DB_ERROR', `${doing} ${file}: busy, another program is writing to it; try again`);
  }
  return new WakeLabError('DB_ERROR', `${doing} ${file}: ${e.message}`);
}

/** Opens (creating if need be) and migrates the database at `file`; returns it with its schema version. */
export function openDatabase(file: string): { db: Database.Database; version: number } {
  if (file !== MEMORY) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (e) {
      throw new WakeLabError('DB_ERROR', `cannot create the folder for database ${file}: ${(e as Error).message}`);
    }
  }
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    throw dbError(file, e, 'cannot open database');
  }
  try {
    // Connection settings only: these write nothing to the file.
    db.pragma('foreign_keys = ON');
    const version = checkHeader(db, file);
    // The first writes: WAL is persistent, so this is a no-op on a database that already uses it.
    // synchronous=NORMAL is safe against corruption in WAL mode; a power cut may lose the last run.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return { db, version: version < LATEST_VERSION ? migrate(db, file) : version };
  } catch (e) {
    db.close();
    throw dbError(file, e);
  }
}

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function tooNew(file: string, version: number): WakeLabError {
  return new WakeLabError(
    'DB_TOO_NEW',
    `database ${file} has schema version ${version}, newer than this WakeLab understands (${LATEST_VERSION}); use a newer WakeLab or another --db`,
  );
}

/** Reads the header fields (nothing is written) and refuses files this build must not touch. */
function checkHeader(db: Database.Database, file: string): number {
  const version = userVersion(db);
  const appId = db.pragma('application_id', { simple: true }) as number;
  const notOurs = (why: string) => new WakeLabError('DB_ERROR', `${file} is not a WakeLab database: ${why}`);
  if (appId !== 0 && appId !== APPLICATION_ID) {
    throw notOurs(`its application_id is 0x${(appId >>> 0).toString(16)}, another program's file`);
  }
  if (version > LATEST_VERSION) throw tooNew(file, version);
  if (version === 0) {
    const objects = db.prepare('SELECT count(*) FROM sqlite_master').pluck().get() as number;
    if (objects > 0) throw notOurs('it already holds tables, but no WakeLab schema version');
  } else if (appId !== APPLICATION_ID) {
    throw notOurs(`it has schema version ${version} but not WakeLab's application_id`);
  }
  return version;
}

/** Applies the pending migrations, each in its own transaction with the version it reaches. */
function migrate(db: Database.Database, file: string): number {
  const step = db.transaction((): number => {
    // Re-read under the write lock: another process may have migrated since the header check.
    const v = userVersion(db);
    if (v > LATEST_VERSION) throw tooNew(file, v);
    if (v === LATEST_VERSION) return v;
    db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${v + 1}`);
    return v + 1;
  });
  let version = 0;
  do version = step.immediate();
  while (version < LATEST_VERSION);
  return version;
}
