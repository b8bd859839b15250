/**
 * The CryptoSuite on @noble/hashes, @noble/ciphers and @noble/curves (audited, pure JavaScript,
 * no node:* imports), so the same code runs in the responder, the simulator and the tests.
 * Randomness is injected: the node layer passes crypto.randomBytes, tests a seeded generator.
 */
import { expectInt } from './args.ts';
import { createDh } from './dh.ts';
import { decryptSk, encryptSk } from './encr.ts';
import { integSign, integVerify } from './integ.ts';
import { prf, prfPlus } from './prf.ts';
import type { CryptoSuite } from './suite.ts';

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
    dh: (group) => createDh(group, random),
  };
}
