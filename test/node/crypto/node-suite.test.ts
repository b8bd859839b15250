// The node:crypto suite the live engines use must give the reference (noble) suite's bytes.
import { describe, expect, it } from 'vitest';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { DhGroup } from '../../../src-main/core/ike/constants.ts';
import { checkAgainstNoble, createNodeSuite } from '../../../src-main/node/crypto/node-suite.ts';
import { seededRandom } from '../../core/crypto/fixtures.ts';

describe('createNodeSuite', () => {
  it('agrees with the noble suite (prf, prf+, ICV, AES-CBC both ways, X25519 across suites)', () => {
    expect(() => checkAgainstNoble()).not.toThrow();
  });

  it('refuses invalid X25519 peer values: wrong length, all-zero results (RFC 7748 6.1)', () => {
    const dh = createNodeSuite().dh(DhGroup.CURVE25519);
    expect(dh.computeShared(new Uint8Array(31))).toBeNull();
    expect(dh.computeShared(new Uint8Array(32))).toBeNull(); // u = 0: a low-order point, all-zero secret
    expect(dh.computeShared(Uint8Array.of(1, ...new Array(31).fill(0)))).toBeNull(); // u = 1
  });

  it('falls back to the reference for the rest: AES-GCM and ECP agree across suites', () => {
    const node = createNodeSuite();
    const noble = createNobleSuite(seededRandom(5));
    const alg = { encr: 20, keyLength: 256 };
    const keys = { encr: noble.randomBytes(36) };
    const iv = noble.randomBytes(8);
    const ct = node.encrypt(alg, keys, iv, noble.randomBytes(48), noble.randomBytes(20));
    expect(ct.length).toBe(48 + 16);
    const a = node.dh(DhGroup.ECP_256);
    const b = noble.dh(DhGroup.ECP_256);
    expect(a.computeShared(b.publicValue)).toEqual(b.computeShared(a.publicValue));
  });
});
