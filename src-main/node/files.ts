/** File input and output for the front ends, with one-line errors a user can act on. */
import { readFileSync, writeFileSync } from 'node:fs';
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
