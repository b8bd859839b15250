/**
 * Authentication payload body, RFC 7296 section 3.8:
 *
 *   Auth Method (1) | RESERVED (3) | Authentication Data (variable, not empty)
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { checkLength, checkUint, malformed, ok, type Decoded } from './result.ts';

export interface Auth {
  /** AuthMethod. */
  readonly method: number;
  readonly data: Uint8Array;
}

export function decodeAuth(r: Reader): Decoded<Auth> {
  const method = r.u8();
  r.bytes(3);
  const data = r.rest();
  if (!r.ok || data.length === 0) return malformed('AUTH: needs a method, 3 reserved bytes and data');
  return ok({ method, data });
}

export function encodeAuth(w: Writer, a: Auth): void {
  checkUint('auth.method', a.method, 8);
  checkLength('auth.data', a.data, 1, 0xffff - 8);
  w.u8(a.method).u8(0).u16(0).bytes(a.data);
}

export function authLength(a: Auth): number {
  return 4 + a.data.length;
}
