/**
 * Local faults (a bad policy, profile, scenario or option) are thrown as WakeLabError with a
 * stable `code` and a message a user can act on. Front ends print the message in one line and
 * exit with status 2; they never show a stack trace for these.
 */
export type ErrorCode =
  | 'INVALID_POLICY'
  | 'INVALID_PROFILE'
  | 'INVALID_SCENARIO'
  | 'INVALID_TRACE'
  | 'INVALID_OVERRIDE'
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'BAD_FILE'
  | 'DB_TOO_NEW'
  | 'DB_ERROR'
  | 'CANCELLED'
  | 'BUSY';

export class WakeLabError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'WakeLabError';
    this.code = code;
  }
}

export function isWakeLabError(e: unknown): e is WakeLabError {
  return e instanceof WakeLabError;
}
