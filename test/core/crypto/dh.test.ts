// Diffie-Hellman groups: both parties agree, Node's OpenSSL agrees with us, RFC 7748 6.1 as a
// known answer for Curve25519, the MODP primes rebuilt from the RFC 2409 / RFC 3526 formula, and
// invalid peer values answered with null.
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, getDiffieHellman } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../src-main/core/bytes/hex.ts';
import { DhGroup } from '../../../src-main/core/ike/constants.ts';
import { dhInfo } from '../../../src-main/core/crypto/algorithms.ts';
import { MODP_GROUPS } from '../../../src-main/core/crypto/modp.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { h, rfc7748, seededRandom } from './fixtures.ts';

const GROUPS = [DhGroup.MODP_1024, DhGroup.MODP_2048, DhGroup.MODP_3072, DhGroup.ECP_256, DhGroup.ECP_384, DhGroup.CURVE25519];
const leftPad = (b: Uint8Array, n: number): Uint8Array => concatBytes(new Uint8Array(n - b.length), b);

describe.each(GROUPS)('group %i', (group) => {
  const info = dhInfo(group);
  const alice = createNobleSuite(seededRandom(100 + group)).dh(group);
  const bob = createNobleSuite(seededRandom(200 + group)).dh(group);

  it('two parties with seeded randomness compute the same g^ir, of the group\'s length', () => {
    expect(alice.group).toBe(group);
    expect(alice.publicValue).toHaveLength(info.publicBytes);
    const a = alice.computeShared(bob.publicValue);
    const b = bob.computeShared(alice.publicValue);
    expect(a).toHaveLength(info.sharedBytes);
    expect(toHex(a!)).toBe(toHex(b!));
    expect(toHex(alice.publicValue)).not.toBe(toHex(bob.publicValue));
  });

  it('the same seed gives the same public value (randomness comes only from the suite)', () => {
    expect(toHex(createNobleSuite(seededRandom(100 + group)).dh(group).publicValue)).toBe(toHex(alice.publicValue));
  });

  it('refuses a peer value of the wrong length, and a non-byte value', () => {
    expect(alice.computeShared(bob.publicValue.subarray(1))).toBeNull();
    expect(alice.computeShared(concatBytes(bob.publicValue, new Uint8Array(1)))).toBeNull();
    expect(alice.computeShared(new Uint8Array(0))).toBeNull();
    expect(alice.computeShared('peer' as unknown as Uint8Array)).toBeNull();
  });
});

describe('interoperates with Node (OpenSSL)', () => {
  const suite = createNobleSuite(seededRandom(7));

  it.each([
    [DhGroup.MODP_1024, 'modp2'],
    [DhGroup.MODP_2048, 'modp14'],
    [DhGroup.MODP_3072, 'modp15'],
  ] as const)('MODP group %i = OpenSSL %s (same prime, same g^ir left-padded, RFC 7296 3.4)', (group, name) => {
    const node = getDiffieHellman(name);
    node.generateKeys();
    const bytes = MODP_GROUPS.get(group)!.bytes;
    expect(node.getPrime('hex')).toBe(MODP_GROUPS.get(group)!.p.toString(16));
    const ours = suite.dh(group);
    const shared = ours.computeShared(leftPad(node.getPublicKey(), bytes));
    expect(toHex(shared!)).toBe(toHex(leftPad(node.computeSecret(ours.publicValue), bytes)));
  });

  it.each([
    [DhGroup.ECP_256, 'prime256v1'],
    [DhGroup.ECP_384, 'secp384r1'],
  ] as const)('ECP group %i = OpenSSL %s (x | y without 0x04, g^ir = x; RFC 5903 7)', (group, curve) => {
    const node = createECDH(curve);
    const nodePublic = node.generateKeys(); // 04 | x | y
    const ours = suite.dh(group);
    const shared = ours.computeShared(nodePublic.subarray(1));
    expect(toHex(shared!)).toBe(toHex(node.computeSecret(concatBytes(h('04'), ours.publicValue))));
  });

  it('CURVE25519 = OpenSSL X25519 (RFC 8031 2)', () => {
    const ours = suite.dh(DhGroup.CURVE25519);
    const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
    const bob = { d: h(rfc7748.bob_private), x: h(rfc7748.bob_public) };
    const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64(bob.d), x: b64(bob.x) }, format: 'jwk' });
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(ours.publicValue) }, format: 'jwk' });
    expect(toHex(ours.computeShared(bob.x)!)).toBe(toHex(diffieHellman({ privateKey, publicKey })));
  });
});

describe('RFC 7748 6.1: Curve25519 Alice and Bob', () => {
  // The injected randomBytes hands each party its published private key.
  const party = (priv: string) => createNobleSuite(() => h(priv)).dh(DhGroup.CURVE25519);
  const alice = party(rfc7748.alice_private);
  const bob = party(rfc7748.bob_private);

  it('public values and the shared secret K match the RFC', () => {
    expect(toHex(alice.publicValue)).toBe(rfc7748.alice_public);
    expect(toHex(bob.publicValue)).toBe(rfc7748.bob_public);
    expect(toHex(alice.computeShared(h(rfc7748.bob_public))!)).toBe(rfc7748.shared_secret);
    expect(toHex(bob.computeShared(h(rfc7748.alice_public))!)).toBe(rfc7748.shared_secret);
  });

  it.each([
    ['u = 0', '00'.repeat(32)],
    ['u = 1', `01${'00'.repeat(31)}`],
    ['a point of order 8', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'],
  ])('refuses %s: the all-zero result (RFC 8031 recipient tests)', (_what, u) => {
    expect(alice.computeShared(h(u))).toBeNull();
  });
});

describe('invalid MODP and ECP peer values', () => {
  const suite = createNobleSuite(seededRandom(11));

  it.each([DhGroup.MODP_1024, DhGroup.MODP_2048, DhGroup.MODP_3072])('MODP group %i: 0, 1, p-1, p and 2^n-1 are refused (RFC 6989 2.1)', (group) => {
    const { p, bytes } = MODP_GROUPS.get(group)!;
    const ours = suite.dh(group);
    const enc = (n: bigint): Uint8Array => h(n.toString(16).padStart(bytes * 2, '0'));
    for (const y of [0n, 1n, p - 1n, p, (1n << BigInt(bytes * 8)) - 1n]) expect(ours.computeShared(enc(y)), `y = ${y}`).toBeNull();
    expect(ours.computeShared(enc(2n))).toHaveLength(bytes);
  });

  it.each([DhGroup.ECP_256, DhGroup.ECP_384])('ECP group %i: points off the curve, zeros and SEC 1 encodings are refused', (group) => {
    const ours = suite.dh(group);
    const peer = suite.dh(group).publicValue;
    const offCurve = peer.slice();
    offCurve[offCurve.length - 1] = offCurve[offCurve.length - 1]! ^ 1; // y + or - 1
    expect(ours.computeShared(offCurve)).toBeNull();
    expect(ours.computeShared(new Uint8Array(peer.length))).toBeNull();
    expect(ours.computeShared(concatBytes(h('04'), peer))).toBeNull();
    expect(ours.computeShared(peer)).not.toBeNull();
  });
});

/** pi * 2^bits, rounded down, by Machin's formula pi = 16 atan(1/5) - 4 atan(1/239). */
function piScaled(bits: number): bigint {
  const guard = 64n;
  const one = 1n << (BigInt(bits) + guard);
  const atanInv = (x: bigint): bigint => {
    let sum = 0n;
    let term = one / x;
    for (let k = 1n, sign = 1n; term !== 0n; k += 2n, sign = -sign, term /= x * x) sum += (sign * term) / k;
    return sum;
  };
  return (16n * atanInv(5n) - 4n * atanInv(239n)) >> guard;
}

describe('MODP primes from their formula p = 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + k)', () => {
  it.each([
    [DhGroup.MODP_1024, 1024, 129093n], // RFC 2409 6.2
    [DhGroup.MODP_2048, 2048, 124476n], // RFC 3526 3
    [DhGroup.MODP_3072, 3072, 1690314n], // RFC 3526 4
  ] as const)('group %i (%i bits)', (group, n, k) => {
    const N = BigInt(n);
    const p = (1n << N) - (1n << (N - 64n)) - 1n + (1n << 64n) * (piScaled(n - 130) + k);
    expect(MODP_GROUPS.get(group)!.p).toBe(p);
    expect(MODP_GROUPS.get(group)!.g).toBe(2n);
  });
});

describe('misuse', () => {
  it('an unknown group throws, naming the argument', () => {
    expect(() => createNobleSuite(seededRandom(1)).dh(DhGroup.NONE)).toThrow(/"group" is not a supported Diffie-Hellman group transform ID: 0/);
  });
});
