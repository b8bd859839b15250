// Property test: for random keys, SPIs, sequence numbers (with ESN past 2^32, up to 2^64 - 1),
// inner lengths 0..1500 and every ESP algorithm, the noble reference and each OpenSSL backend
// (node:crypto, and the native addon of native/esp-crypto) seal identical packets from identical
// inputs, and each opens the other's. Seeded (core/rng.ts), so a failure names a case that
// reproduces. Where the addon is not built its cases skip with the reason, unless
// WAKELAB_NATIVE_REQUIRED=1 (set by .ci/run), where that is a failure.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import type { CryptoSuite, SkCipher } from '../../../src-main/core/crypto/suite.ts';
import { openEsp } from '../../../src-main/core/esp/open.ts';
import { sealEsp } from '../../../src-main/core/esp/seal.ts';
import { espLayout, type EspSa, type EspSeq } from '../../../src-main/core/esp/transform.ts';
import { EncrId, IntegId } from '../../../src-main/core/ike/constants.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { createNativeSuite, loadEspAddon } from '../../../src-main/node/crypto/native-suite.ts';
import { createNodeSuite } from '../../../src-main/node/crypto/node-suite.ts';
import { seededRandom } from '../../core/crypto/fixtures.ts';

const ALGS: ReadonlyArray<readonly [string, SkCipher, number, number]> = [
  // name, cipher, encryption key material (key | salt), integrity key
  ['AES-CBC-128 + HMAC-SHA2-256-128', { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 }, 16, 32],
  ['AES-CBC-256 + HMAC-SHA2-256-128', { encr: EncrId.ENCR_AES_CBC, keyLength: 256, integ: IntegId.AUTH_HMAC_SHA2_256_128 }, 32, 32],
  ['AES-GCM-16-128', { encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 }, 20, 0],
  ['AES-GCM-16-256', { encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 }, 36, 0],
  ['ChaCha20-Poly1305', { encr: EncrId.ENCR_CHACHA20_POLY1305 }, 36, 0],
];

const CASES_PER_ALG = 120;

/** A sequence number that exercises the edges: around 2^32, up to 2^53 as a number, 64-bit as bigint. */
function randomSeq(rng: Rng, esn: boolean): EspSeq {
  const low = rng.nextU32() || 1;
  if (!esn) return low;
  switch (rng.nextU32() % 4) {
    case 0:
      return 2 ** 32 + (rng.nextU32() % 4) - 2 || 1; // 2^32 - 2 .. 2^32 + 1
    case 1:
      return (rng.nextU32() % 2 ** 21) * 2 ** 32 + low; // below 2^53, as a number
    case 2:
      return (BigInt(rng.nextU32()) << 32n) | BigInt(low); // the whole 64-bit range
    default:
      return 0xffff_ffff_ffff_ffffn;
  }
}

const addon = loadEspAddon();
const NATIVE_REQUIRED = process.env.WAKELAB_NATIVE_REQUIRED === '1';
const BACKENDS: ReadonlyArray<readonly [string, (() => CryptoSuite) | null]> = [
  ['node:crypto', createNodeSuite],
  [addon.ok ? `native (${addon.addon.openssl})` : `native: ${addon.reason}`, addon.ok ? () => createNativeSuite(addon.addon) : null],
];

it('the native ESP addon loads with Node\'s OpenSSL, or says in one line why not (a failure with WAKELAB_NATIVE_REQUIRED=1)', () => {
  if (addon.ok) expect(addon.addon.openssl).toMatch(/^OpenSSL 3\./);
  else if (NATIVE_REQUIRED) expect(addon.reason).toBe('');
  else expect(addon.reason).toMatch(/^the native ESP addon \(@wakelab\/esp-crypto, built from native\/esp-crypto by npm install\) could not be loaded: [^\n]+$/);
});

describe.each(BACKENDS.flatMap(([b, make]) => ALGS.map((a) => [`${a[0]}: noble and ${b} agree`, make, ...a] as const)))('%s', (_title, make, name, cipher, encrBytes, integBytes) => {
  it.skipIf(make === null)(`${CASES_PER_ALG} random packets: identical bytes, each backend opens the other's`, () => {
    const rng = new Rng(0x4303 + cipher.encr * 1000 + (cipher.keyLength ?? 0));
    const bytes = seededRandom(rng.nextU32());
    const noble = createNobleSuite(bytes);
    const node = make!();
    const layout = espLayout(cipher);
    for (let i = 0; i < CASES_PER_ALG; i++) {
      const sa: EspSa = { spi: 1 + (rng.nextU32() % 0xffff_ffff), cipher, keys: { encr: bytes(encrBytes), integ: bytes(integBytes) } };
      const esn = rng.next() < 0.5;
      const seq = randomSeq(rng, esn);
      const innerLength = i === 0 ? 0 : i === 1 ? 1500 : rng.nextU32() % 1501;
      const inner = bytes(innerLength);
      const nextHeader = rng.next() < 0.9 ? 4 : 59;
      const iv = bytes(layout.ivBytes);
      const where = `${name} case ${i}: spi ${sa.spi}, seq ${seq}, esn ${esn}, inner ${innerLength}`;

      const a = sealEsp(noble, sa, seq, esn, inner, nextHeader, iv);
      const b = sealEsp(node, sa, seq, esn, inner, nextHeader, iv);
      expect(toHex(b), where).toBe(toHex(a));
      for (const [opener, suite, packet] of [['node', node, a], ['noble', noble, b]] as const) {
        const opened = openEsp(suite, sa, packet, seq, esn);
        expect(opened.ok && toHex(opened.inner), `${where}: ${opener} opens`).toBe(toHex(inner));
        expect(opened, where).toMatchObject({ ok: true, nextHeader });
      }
      // The node suite's own random IV: noble still opens it, and a flipped ICV bit fails on both.
      const c = sealEsp(node, sa, seq, esn, inner, nextHeader);
      expect(openEsp(noble, sa, c, seq, esn).ok, where).toBe(true);
      c[c.length - 1 - (i % layout.icvBytes)]! ^= 1 << i % 8;
      expect(openEsp(noble, sa, c, seq, esn), where).toEqual({ ok: false, reason: 'bad-icv' });
      expect(openEsp(node, sa, c, seq, esn), where).toEqual({ ok: false, reason: 'bad-icv' });
    }
  });
});

describe.each(BACKENDS)('%s refuses what the noble suite refuses', (_b, make) => {
  if (make === null) {
    it.skip('(not built)', () => {});
    return;
  }
  const node = make();
  const gcm: SkCipher = { encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 };
  const cbc: SkCipher = { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 };
  const r = seededRandom(7);

  it('network-side lengths give null, never a throw', () => {
    const keys = { encr: r(20) };
    expect(node.decryptDetached(gcm, keys, r(7), r(16), r(16), r(8))).toBeNull();
    expect(node.decryptDetached(gcm, keys, r(8), r(16), r(15), r(8))).toBeNull();
    const cbcKeys = { encr: r(16), integ: r(32) };
    expect(node.decryptDetached(cbc, cbcKeys, r(16), r(17), r(16), r(8))).toBeNull();
    expect(node.decryptDetached(cbc, cbcKeys, r(16), r(32), r(16), r(8))).toBeNull(); // a forged ICV
  });

  it('local misuse throws with the same messages', () => {
    const noble = createNobleSuite(seededRandom(1));
    const attempts: Array<(s: typeof node) => unknown> = [
      (s) => s.encryptDetached(gcm, { encr: r(20) }, r(8), r(16), r(8), new Uint8Array(16), Uint8Array.of(1)),
      (s) => s.encryptDetached(gcm, { encr: r(19) }, r(8), r(16), r(8), new Uint8Array(16)),
      (s) => s.encryptDetached(cbc, { encr: r(16), integ: r(32) }, r(16), r(20), r(8), new Uint8Array(16)),
      (s) => s.encryptDetached(cbc, { encr: r(16), integ: r(32) }, r(16), r(16), r(8), new Uint8Array(12)),
      (s) => s.decryptDetached({ encr: 99 }, { encr: r(16) }, r(16), r(16), r(16), r(8)),
    ];
    for (const attempt of attempts) {
      let message = '';
      try {
        attempt(noble);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).not.toBe('');
      expect(() => attempt(node)).toThrow(message);
    }
  });
});
