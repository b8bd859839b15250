/**
 * Rekey collisions (RFC 7296 2.8.1, 2.8.2): when both ends rekey the same SA at once, two new SAs
 * appear. "The SA created with the lowest of the four nonces used in the two exchanges SHOULD be
 * closed by the endpoint that created it", and whoever started the surviving rekey deletes the old
 * SA. "Lowest" compares octet by octet, and a nonce that runs out first is the lower one.
 */

/** a < b in 2.8.1's order. */
export function nonceLower(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

/** Which exchange holds the lowest of all its nonces: that exchange's SA is the redundant one. */
export function lowestIn(ours: readonly Uint8Array[], theirs: readonly Uint8Array[]): 'ours' | 'theirs' {
  const min = (list: readonly Uint8Array[]) => list.reduce((m, x) => (nonceLower(x, m) ? x : m));
  return nonceLower(min(theirs), min(ours)) ? 'theirs' : 'ours';
}
