/**
 * Key Exchange payload body, RFC 7296 section 3.4:
 *
 *   Diffie-Hellman Group Num (2) | RESERVED (2) | Key Exchange Data (variable)
 *
 * Whether the data length suits the group is the exchange's check (INVALID_KE_PAYLOAD or
 * INVALID_SYNTAX), not the codec's; here the data must only be present.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { checkLength, checkUint, malformed, ok, type Decoded } from './result.ts';

export interface Ke {
  /** DhGroup (RFC 9370 calls it the Key Exchange Method). */
  readonly group: number;
  readonly data: Uint8Array;
}

export function decodeKe(r: Reader): Decoded<Ke> {
  const group = r.u16();
  r.u16();
  const data = r.rest();
  if (!r.ok || data.length === 0) return malformed('KE: needs a group number, 2 reserved bytes and key exchange data');
  return ok({ group, data });
}

export function encodeKe(w: Writer, ke: Ke): void {
  checkUint('ke.group', ke.group, 16);
  checkLength('ke.data', ke.data, 1, 0xffff - 8);
  w.u16(ke.group).u16(0).bytes(ke.data);
}

export function keLength(ke: Ke): number {
  return 4 + ke.data.length;
}
