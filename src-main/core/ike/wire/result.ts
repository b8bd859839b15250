/**
 * What every IKEv2 wire decoder returns (RFC 7296 section 3 layouts; section 2.21 on errors).
 *
 * Decoders never throw on network input: they return `ok(value)` or a `Drop` whose `reason` is one
 * of DROP_REASONS, so a responder can count drops per reason. `detail` is a sentence for logs;
 * `payloadType` names the payload at fault where there is one (for UNSUPPORTED_CRITICAL_PAYLOAD it is
 * the type to put in the notify). Encoders throw WakeLabError INVALID_ARGUMENT on bad local input (a
 * programming error), with a message naming the field.
 */
import { WakeLabError } from '../../errors.ts';

export const DROP_REASONS = [
  /** Fewer bytes than the fixed part needs (IKE header, generic payload header, ESP header). */
  'truncated',
  /** IKE header Length differs from the bytes the datagram carries. */
  'bad-length',
  /** IKE major version is not 2 (IKEv1 on port 500, or a future version). */
  'bad-version',
  /** A generic payload header Length below 4 or past the end of the message. */
  'bad-payload-length',
  /** An unknown payload type with the Critical bit set (answer UNSUPPORTED_CRITICAL_PAYLOAD). */
  'unsupported-critical-payload',
  /** An Encrypted (SK) payload that is not the last payload, or one nested inside SK. */
  'sk-not-last',
  /** Bytes after the last payload of the chain. */
  'trailing-bytes',
  /** A payload body that breaks its section's layout (answer INVALID_SYNTAX once authenticated). */
  'malformed-payload',
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

export interface Drop {
  readonly ok: false;
  readonly reason: DropReason;
  readonly detail: string;
  readonly payloadType?: number;
}

export type Decoded<T> = { readonly ok: true; readonly value: T } | Drop;

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function drop(reason: DropReason, detail: string, payloadType?: number): Drop {
  return payloadType === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, payloadType };
}

/** A payload body that breaks its layout; the payload chain fills in `payloadType`. */
export function malformed(detail: string): Drop {
  return drop('malformed-payload', detail);
}

/** Throws the error an encoder raises for a bad local value. */
export function fieldError(field: string, problem: string): never {
  throw new WakeLabError('INVALID_ARGUMENT', `${field}: ${problem}`);
}

/** Checks that `value` is an integer that fits in `bits` unsigned bits. */
export function checkUint(field: string, value: number, bits: 8 | 15 | 16 | 32): void {
  if (!Number.isInteger(value) || value < 0 || value > 2 ** bits - 1) {
    fieldError(field, `${value} is not an integer in 0..${2 ** bits - 1}`);
  }
}

/** Checks a byte string's length is within [min, max]. */
export function checkLength(field: string, bytes: Uint8Array, min: number, max: number): void {
  if (!(bytes instanceof Uint8Array)) fieldError(field, 'must be a Uint8Array');
  if (bytes.length < min || bytes.length > max) {
    fieldError(field, `${bytes.length} bytes, must be ${min === max ? min : `${min}..${max}`}`);
  }
}
