/**
 * The chain of payloads after the IKE header (or inside a decrypted SK payload), RFC 7296 3.2:
 *
 *   Generic payload header: Next Payload (1) | C (1 bit) RESERVED (7 bits) | Payload Length (2,
 *   this header included) | body
 *
 * The walk follows Next Payload from the header's first type until NONE (0). A payload type this
 * codec does not know is skipped when its Critical bit is clear and refused with
 * `unsupported-critical-payload` (its type in `payloadType`) when set; for known types the bit is
 * ignored on receipt and sent as zero (3.2). SK must be last (3.14): its Next Payload names the
 * first inner payload and its body stays opaque. Bytes after the last payload are refused.
 */
import { Reader, type Writer } from '../../bytes/cursor.ts';
import { nameOf, PayloadType, PAYLOAD_HEADER_LENGTH } from '../constants.ts';
import { bodyLength, decodeBody, encodeBody, type Payload } from './payloads.ts';
import { drop, fieldError, ok, type Decoded } from './result.ts';
import { decodeSk } from './sk.ts';

const CRITICAL = 0x80;
const MAX_BODY = 0xffff - PAYLOAD_HEADER_LENGTH;

export interface PayloadList {
  readonly payloads: readonly Payload[];
  /** The body bytes of each payload as received, index for index (AUTH signs the IDi/IDr body). */
  readonly bodies: readonly Uint8Array[];
  /** Types of unknown non-critical payloads that were skipped, in order. */
  readonly skipped: readonly number[];
}

export interface ChainOptions {
  /** The chain is the plaintext of an SK payload: a nested SK is refused. */
  readonly inner?: boolean;
}

/** Decodes payloads from `first` until Next Payload is NONE; the chain must fill `r` exactly. */
export function decodePayloads(r: Reader, first: number, opts: ChainOptions = {}): Decoded<PayloadList> {
  const payloads: Payload[] = [];
  const bodies: Uint8Array[] = [];
  const skipped: number[] = [];
  for (let type = first; type !== PayloadType.NONE; ) {
    const name = nameOf(PayloadType, type);
    const next = r.u8();
    const critical = (r.u8() & CRITICAL) !== 0;
    const length = r.u16();
    if (!r.ok) return drop('truncated', `${name}: the chain promises it, too few bytes are left for its header`, type);
    if (length < PAYLOAD_HEADER_LENGTH || length - PAYLOAD_HEADER_LENGTH > r.remaining) {
      return drop('bad-payload-length', `${name}: Payload Length ${length}, ${r.remaining + 4} bytes left`, type);
    }
    const body = r.bytes(length - PAYLOAD_HEADER_LENGTH);
    if (type === PayloadType.SK) {
      if (opts.inner) return drop('sk-not-last', 'SK: nested inside an SK payload', type);
      if (r.remaining !== 0) return drop('sk-not-last', `SK: ${r.remaining} bytes follow it`, type);
      const sk = decodeSk(new Reader(body), next);
      if (!sk.ok) return { ...sk, payloadType: type };
      payloads.push({ ...sk.value, type });
      bodies.push(body);
      break;
    }
    const d = decodeBody(type, new Reader(body));
    if (d === undefined) {
      if (critical) return drop('unsupported-critical-payload', `payload type ${type} is critical and unknown`, type);
      skipped.push(type);
    } else if (!d.ok) {
      return { ...d, payloadType: type };
    } else {
      payloads.push(d.value);
      bodies.push(body);
    }
    type = next;
  }
  if (r.remaining !== 0) return drop('trailing-bytes', `${r.remaining} bytes after the last payload`);
  return ok({ payloads, bodies, skipped });
}

/** The type that goes into the Next Payload field before the chain (header or SK): NONE if empty. */
export function firstPayloadType(payloads: readonly Payload[]): number {
  return payloads[0]?.type ?? PayloadType.NONE;
}

/** Writes each payload with its generic header, chaining Next Payload and filling in lengths. */
export function encodePayloads(w: Writer, payloads: readonly Payload[]): void {
  payloads.forEach((p, i) => {
    const last = i === payloads.length - 1;
    if (p.type === PayloadType.SK && !last) fieldError(`payloads[${i}]`, 'an SK payload must be the last one');
    const next = p.type === PayloadType.SK ? p.firstInner : last ? PayloadType.NONE : payloads[i + 1]!.type;
    const at = w.length;
    w.u8(next).u8(0).u16(0);
    encodeBody(w, p);
    const length = w.length - at;
    if (length - PAYLOAD_HEADER_LENGTH > MAX_BODY) {
      fieldError(`payloads[${i}]`, `${nameOf(PayloadType, p.type)} body of ${length - 4} bytes exceeds ${MAX_BODY}`);
    }
    w.patchU16(at + 2, length);
  });
}

/** Bytes `encodePayloads` writes: each body plus its 4-byte generic header. */
export function payloadsLength(payloads: readonly Payload[]): number {
  return payloads.reduce((n, p) => n + PAYLOAD_HEADER_LENGTH + bodyLength(p), 0);
}
