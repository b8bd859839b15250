import { readFileSync } from 'node:fs';
import { WakeLabError } from '../core/errors.ts';

/** Reads and parses a JSON file; a missing or malformed file is a BAD_FILE error naming it. */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new WakeLabError('BAD_FILE', `${path}: ${why}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WakeLabError('BAD_FILE', `${path}: not valid JSON (${(e as Error).message})`);
  }
}
