/** HMAC (RFC 2104) over the hashes the registry names, from @noble/hashes. */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { HashName } from './algorithms.ts';

const HASHES = { sha1, sha256, sha384, sha512 } as const;

export function hmacOf(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(HASHES[hash], key, data);
}

/** HMAC of the concatenation of `parts`, without building it (ESP's ICV input is in pieces). */
export function hmacOfParts(hash: HashName, key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  const mac = hmac.create(HASHES[hash], key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}
