/** `--wireshark-keys DIR` (`wakelab responder`, `wakelab lab`): the folder exists, and the user is told it holds secrets. */
import { mkdirSync } from 'node:fs';
import { WakeLabError } from '../core/errors.ts';
import { warn } from './context.ts';

export function prepareKeysDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new WakeLabError('BAD_FILE', `--wireshark-keys ${dir}: ${(e as Error).message}`);
  }
  warn(`--wireshark-keys: ${dir} will hold the SAs' keys; anyone who can read it can decrypt the traffic`);
}
