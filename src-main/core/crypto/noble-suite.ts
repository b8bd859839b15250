/**
 * The CryptoSuite on @noble/hashes, @noble/ciphers and @noble/curves (audited, pure JavaScript,
 * no node:* imports), so the same code runs in the responder, the simulator and the tests.
 * Randomness is injected: the node layer passes crypto.randomBytes, tests a seeded generator.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { expectBytes, expectInt } from './args.ts';
import { decryptDetached, encryptDetached } from './detached.ts';
import { createDh } from './dh.ts';
import { decryptSk, encryptSk } from './encr.ts';
import { integSign, integVerify } from './integ.ts';
import { prf, prfPlus } from './prf.ts';
import type { CryptoSuite, PlainHash } from './suite.ts';

const PLAIN_HASHES: Readonly<Record<PlainHash, (data: Uint8Array) => Uint8Array>> = { sha1, sha256 };

function hash(alg: PlainHash, data: Uint8Array): Uint8Array {
  const fn = Object.hasOwn(PLAIN_HASHES, alg) ? PLAIN_HASHES[alg] : undefined;
  if (!fn) throw new RangeError(`"alg" expected one of ${Object.keys(PLAIN_HASHES).join(', ')}, got ${String(alg)}`);
  return fn(expectBytes('data', data));
}

export function createNobleSuite(randomBytes: (n: number) => Uint8Array): CryptoSuite {
  if (typeof randomBytes !== 'function') throw new TypeError(`"randomBytes" expected a function, got ${typeof randomBytes}`);
  const random = (n: number): Uint8Array => {
    expectInt('n', n, 0, 1 << 20);
    // A source that returns too few bytes would silently weaken every key: refuse it loudly.
    const out = randomBytes(n);
    if (!(out instanceof Uint8Array) || out.length !== n) {
      throw new RangeError(`"randomBytes" returned ${out instanceof Uint8Array ? `${out.length} bytes` : typeof out}, expected ${n} bytes`);
    }
    return Uint8Array.from(out); // a plain copy, whatever subclass (Buffer) the source returns
  };
  return {
    randomBytes: random,
    prf,
    prfPlus,
    sign: integSign,
    verify: integVerify,
    encrypt: encryptSk,
    decrypt: decryptSk,
    encryptDetached,
    decryptDetached,
    dh: (group) => createDh(group, random),
    hash,
  };
}
