/**
 * Encrypted and Authenticated (SK) payload framing, RFC 7296 section 3.14:
 *
 *   generic header: Next Payload = the type of the FIRST INNER payload (not a following outer one:
 *                   SK is always last) | C | RESERVED | Payload Length
 *   body:           Initialization Vector | Encrypted IKE Payloads (+ padding, Pad Length) | ICV
 *
 * Only the framing lives here: the body stays opaque until the caller, who knows the negotiated
 * cipher's IV and ICV sizes, decrypts it and decodes the inner chain from `firstInner`.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { checkLength, checkUint, ok, type Decoded } from './result.ts';

export interface Sk {
  readonly firstInner: number;
  /** IV | ciphertext | ICV, as received (a view into the datagram). */
  readonly body: Uint8Array;
}

/** `firstInner` is the Next Payload field of SK's generic header. */
export function decodeSk(r: Reader, firstInner: number): Decoded<Sk> {
  return ok({ firstInner, body: r.rest() });
}

export function encodeSk(w: Writer, sk: Sk): void {
  checkUint('sk.firstInner', sk.firstInner, 8);
  checkLength('sk.body', sk.body, 0, 0xffff - 4);
  w.bytes(sk.body);
}

export function skLength(sk: Sk): number {
  return sk.body.length;
}
