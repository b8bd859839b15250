/** File input and output for the front ends, with one-line errors a user can act on. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { WakeLabError } from '../core/errors.ts';

/** Why a file operation failed, in a few words. */
function reason(e: unknown, missing: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return missing;
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return String((e as Error).message);
}

/** Reads and parses a JSON file; a missing or malformed file is a BAD_FILE error naming it. */
/** A text file's contents; a missing or unreadable file is one clear error. */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new WakeLabError('BAD_FILE', `${path}: ${reason(e, 'no such file')}`);
  }
}

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new WakeLabError('BAD_FILE', `${path}: ${reason(e, 'no such file')}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WakeLabError('BAD_FILE', `${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Writes a text file; failure is a BAD_FILE error naming it. */
export function writeTextFile(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new WakeLabError('BAD_FILE', `cannot write ${path}: ${reason(e, 'no such directory')}`);
  }
}

/**
 * Writes a file whole or not at all (a temporary file renamed over it), creating its folder;
 * for files the app keeps, such as user radio profiles.
 */
export function writeFileAtomic(path: string, text: string, mode?: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    // The temporary file is created with `mode`, and the rename keeps it (secrets: 0o600).
    writeFileSync(tmp, text, mode !== undefined ? { mode } : {});
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new WakeLabError('BAD_FILE', `cannot write ${path}: ${reason(e, 'no such directory')}`);
  }
}

/** Removes a file; false when there was none. */
export function removeFile(path: string): boolean {
  try {
    rmSync(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new WakeLabError('BAD_FILE', `cannot delete ${path}: ${reason(e, 'no such file')}`);
  }
}
