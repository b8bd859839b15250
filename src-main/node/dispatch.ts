/**
 * The one way a front end (Electron IPC, the browser bridge) turns a call name and its argument
 * into a LabApi call: the name must be in the contract's CALLS, and the outcome comes back as an
 * Envelope, never a thrown error. WakeLabErrors keep their code and one-line message; anything
 * else is an internal error, logged here with its stack and reported as one line.
 */
import { CALLS, type CallName, type Envelope, type LabApi } from '../contract.ts';
import { isWakeLabError } from '../core/errors.ts';

const KNOWN = new Set<string>(CALLS);

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && KNOWN.has(name);
}

export async function dispatch(api: LabApi, name: unknown, arg: unknown, log: (message: string) => void = defaultLog): Promise<Envelope> {
  if (!isCallName(name)) return { ok: false, error: { code: 'UNKNOWN_CALL', message: `unknown call ${JSON.stringify(name)}` } };
  try {
    const fn = api[name] as (a: unknown) => Promise<unknown>;
    const value = await fn.call(api, arg);
    return { ok: true, value };
  } catch (e) {
    if (isWakeLabError(e)) return { ok: false, error: { code: e.code, message: e.message } };
    log(`wakelab: internal error in ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { ok: false, error: { code: 'INTERNAL', message: `internal error in ${name}: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

function defaultLog(message: string): void {
  process.stderr.write(message + '\n');
}
