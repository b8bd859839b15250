/**
 * Payloads kept as raw bodies so the caller can refuse them politely (this responder does no
 * certificates and no EAP):
 *   CERT, RFC 7296 section 3.6:    Cert Encoding (1) | Certificate Data
 *   CERTREQ, RFC 7296 section 3.7: Cert Encoding (1) | Certification Authority
 *   EAP, RFC 7296 section 3.16:    an EAP message (RFC 3748: Code, Identifier, Length, ...)
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { checkLength, ok, type Decoded } from './result.ts';

export interface RawPayload {
  /** The whole body (for CERT and CERTREQ, data[0] is the Cert Encoding). */
  readonly data: Uint8Array;
}

export function decodeRaw(r: Reader): Decoded<RawPayload> {
  return ok({ data: r.rest() });
}

export function encodeRaw(w: Writer, p: RawPayload): void {
  checkLength('raw.data', p.data, 0, 0xffff - 4);
  w.bytes(p.data);
}

export function rawLength(p: RawPayload): number {
  return p.data.length;
}
