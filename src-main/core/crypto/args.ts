/**
 * Argument checks at the crypto boundary, in the noble habit: a local misuse (a wrong key length,
 * a non-byte argument, an unknown algorithm number) throws at once with a message that names the
 * argument, e.g. `"SK_ai" expected 32 bytes for AUTH_HMAC_SHA2_256_128, got 20`.
 * Input that comes from the network is never checked here: those paths return null instead.
 */

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** Throws unless `value` is a Uint8Array (of exactly `length` bytes when given). */
export function expectBytes(name: string, value: unknown, length?: number, why = ''): Uint8Array {
  if (!isBytes(value)) throw new TypeError(`"${name}" expected Uint8Array, got ${typeof value}`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`"${name}" expected ${length} bytes${why ? ` for ${why}` : ''}, got ${value.length}`);
  }
  return value;
}

/** Throws unless `value` is a whole number from `min` to `max`. */
export function expectInt(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`"${name}" expected a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** The error for an algorithm number that is not in the registry. */
export function unknownAlgorithm(name: string, kind: string, id: unknown): Error {
  return new RangeError(`"${name}" is not a supported ${kind} transform ID: ${String(id)}`);
}
