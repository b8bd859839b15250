/**
 * Nonce payload body (Ni and Nr), RFC 7296 section 3.9:
 *
 *   Nonce Data (16 to 256 bytes)
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { checkLength, malformed, ok, type Decoded } from './result.ts';

export const NONCE_MIN_BYTES = 16;
export const NONCE_MAX_BYTES = 256;

export interface Nonce {
  readonly data: Uint8Array;
}

export function decodeNonce(r: Reader): Decoded<Nonce> {
  const data = r.rest();
  if (data.length < NONCE_MIN_BYTES || data.length > NONCE_MAX_BYTES) {
    return malformed(`Nonce: ${data.length} bytes, must be ${NONCE_MIN_BYTES}..${NONCE_MAX_BYTES}`);
  }
  return ok({ data });
}

export function encodeNonce(w: Writer, n: Nonce): void {
  checkLength('nonce.data', n.data, NONCE_MIN_BYTES, NONCE_MAX_BYTES);
  w.bytes(n.data);
}

export function nonceLength(n: Nonce): number {
  return n.data.length;
}
