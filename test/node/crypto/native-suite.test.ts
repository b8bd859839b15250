// The native ESP backend's wiring (native-suite.ts): which suite each configured backend gives,
// the fallback when the addon is missing, per-SA contexts, and the start-up check against noble.
// The byte-for-byte agreement over random packets is in esp-backends.test.ts.
import { describe, expect, it } from 'vitest';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import type { CryptoSuite } from '../../../src-main/core/crypto/suite.ts';
import { openEsp } from '../../../src-main/core/esp/open.ts';
import { sealEsp } from '../../../src-main/core/esp/seal.ts';
import type { EspSa } from '../../../src-main/core/esp/transform.ts';
import { EncrId, IntegId } from '../../../src-main/core/ike/constants.ts';
import { createNativeSuite, espBackend, loadEspAddon, tryLoadAddon } from '../../../src-main/node/crypto/native-suite.ts';
import { checkEspAgainstNoble, createNodeSuite } from '../../../src-main/node/crypto/node-suite.ts';
import { seededRandom } from '../../core/crypto/fixtures.ts';

const addon = loadEspAddon();
const r = seededRandom(11);
const make = { node: createNodeSuite, noble: () => createNobleSuite(seededRandom(3)) };

describe('espBackend', () => {
  it('gives node and noble as asked, whatever the addon', () => {
    expect(espBackend('node', make)).toMatchObject({ name: 'node', detail: 'node:crypto' });
    expect(espBackend('noble', make)).toMatchObject({ name: 'noble', detail: '@noble/ciphers' });
    expect(espBackend('node', make).fallback).toBeUndefined();
  });

  it('gives native when the addon loads, else node with the reason', () => {
    const b = espBackend('native', make);
    if (addon.ok) {
      expect(b).toMatchObject({ name: 'native', detail: expect.stringMatching(/^OpenSSL 3\./) });
      expect(b.fallback).toBeUndefined();
    } else {
      expect(b).toMatchObject({ name: 'node', fallback: expect.stringContaining('esp.backend "native"') });
    }
  });

  it('a missing addon is one line naming the package, never a throw', () => {
    const load = tryLoadAddon('@wakelab/no-such-addon');
    expect(load.ok).toBe(false);
    const reason = load.ok ? '' : load.reason;
    expect(reason).toMatch(/^the native ESP addon \(@wakelab\/no-such-addon, built from native\/esp-crypto by npm install\) could not be loaded: /);
    expect(reason).not.toContain('\n');
  });
});

describe.skipIf(!addon.ok)('the native suite', () => {
  const native = (): CryptoSuite => createNativeSuite(addon.ok ? addon.addon : (null as never));
  const gcm = { encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 };
  const cbc = { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 };

  it('keeps each SA its own contexts: interleaved SAs with other keys seal as noble does', () => {
    const suite = native();
    const noble = createNobleSuite(seededRandom(4));
    const sas: EspSa[] = [
      { spi: 1, cipher: gcm, keys: { encr: r(20) } },
      { spi: 2, cipher: gcm, keys: { encr: r(20) } },
      { spi: 3, cipher: cbc, keys: { encr: r(16), integ: r(32) } },
      { spi: 4, cipher: cbc, keys: { encr: r(16), integ: r(32) } },
    ];
    for (let round = 0; round < 3; round++) {
      for (const sa of sas) {
        const inner = r(40 + round * 17);
        const iv = r(sa.cipher.encr === EncrId.ENCR_AES_CBC ? 16 : 8);
        const packet = sealEsp(suite, sa, 10 + round, false, inner, 4, iv);
        expect(packet).toEqual(sealEsp(noble, sa, 10 + round, false, inner, 4, iv));
        const opened = openEsp(suite, sa, packet, 10 + round, false);
        expect(opened.ok && opened.inner).toEqual(inner);
        // Another SA's contexts must not open it.
        const other = sas[(sas.indexOf(sa) + 1) % sas.length]!;
        expect(openEsp(suite, { ...other, spi: sa.spi }, packet, 10 + round, false).ok).toBe(false);
      }
    }
  });

  it('every INTEG the responder offers with AES-CBC gives the ICVs of noble (HMAC-SHA1-96, SHA2-256/384/512)', () => {
    const suite = native();
    const noble = createNobleSuite(seededRandom(6));
    for (const [integ, keyBytes] of [[IntegId.AUTH_HMAC_SHA1_96, 20], [IntegId.AUTH_HMAC_SHA2_256_128, 32], [IntegId.AUTH_HMAC_SHA2_384_192, 48], [IntegId.AUTH_HMAC_SHA2_512_256, 64]] as const) {
      for (const keyLength of [128, 256]) {
        const sa: EspSa = { spi: integ, cipher: { encr: EncrId.ENCR_AES_CBC, keyLength, integ }, keys: { encr: r(keyLength / 8), integ: r(keyBytes) } };
        const inner = r(77);
        const iv = r(16);
        for (const [seq, esn] of [[5, false], [2 ** 32 + 5, true]] as const) {
          const packet = sealEsp(suite, sa, seq, esn, inner, 4, iv);
          expect(packet, `integ ${integ}, AES-${keyLength}, esn ${esn}`).toEqual(sealEsp(noble, sa, seq, esn, inner, 4, iv));
          const opened = openEsp(noble, sa, packet, seq, esn);
          expect(opened.ok && opened.inner).toEqual(inner);
        }
      }
    }
  });

  it('hands out plaintexts in buffers that show nothing else: a fresh or slab-owned ArrayBuffer, not Node\'s Buffer pool', () => {
    const suite = native();
    const sa: EspSa = { spi: 5, cipher: gcm, keys: { encr: r(20) } };
    const marker = Buffer.from('a string in the shared Buffer pool'); // Node's pool would hold this
    const opened = openEsp(suite, sa, sealEsp(suite, sa, 1, false, r(40), 4, r(8)), 1, false);
    expect(opened.ok).toBe(true);
    const backing = Buffer.from(opened.ok ? opened.inner.buffer : new ArrayBuffer(0));
    expect(backing.includes(marker)).toBe(false);
  });

  it('a refused packet leaves nothing of its plaintext behind and the SA keeps working', () => {
    const suite = native();
    const sa: EspSa = { spi: 9, cipher: gcm, keys: { encr: r(20) } };
    const inner = r(64);
    const good = sealEsp(suite, sa, 1, false, inner, 4, r(8));
    const bad = good.slice();
    bad[bad.length - 1]! ^= 0x80;
    expect(openEsp(suite, sa, bad, 1, false)).toEqual({ ok: false, reason: 'bad-icv' });
    const opened = openEsp(suite, sa, good, 1, false);
    expect(opened.ok && opened.inner).toEqual(inner);
  });

  it('the addon itself refuses a wrong handle, a non-byte argument or a wrong length with a message, never a crash', () => {
    const a = addon.ok ? addon.addon : (null as never);
    const aead = a.aeadNew('aes-gcm', r(16), r(4), 16);
    const cbcHandle = a.cbcNew(r(16), 'sha256', r(32), 16);
    const text = new Uint8Array(32);
    expect(() => a.aeadSeal(cbcHandle, r(8), r(8), text, new Uint8Array(16))).toThrow(/^aeadSeal: an AEAD handle and 4 Uint8Arrays expected$/);
    expect(() => a.cbcOpen(aead, r(16), r(8), text, r(0), r(16), new Uint8Array(32))).toThrow(/^cbcOpen: a CBC handle/);
    expect(() => a.aeadSeal(aead, r(8), 'aad' as never, text, new Uint8Array(16))).toThrow(/Uint8Arrays expected/);
    expect(() => a.aeadSeal(aead, r(12), r(8), text, new Uint8Array(16))).toThrow(/^aeadSeal: wrong lengths$/);
    expect(() => a.aeadOpen(aead, r(8), r(8), text, r(16), new Uint8Array(31))).toThrow(/^aeadOpen: wrong lengths$/);
    expect(() => a.cbcSeal(cbcHandle, r(16), r(8), new Uint8Array(20), r(0), new Uint8Array(16))).toThrow(/^cbcSeal: wrong lengths$/);
    expect(() => a.aeadNew('aes-gcm', r(17), r(4), 16)).toThrow(/wrong key length/);
    expect(() => a.aeadNew('aes-gcm', r(16), r(4), 10)).toThrow(/GCM ICV is 8, 12 or 16/);
    expect(() => a.cbcNew(r(16), 'md-nothing', r(32), 16)).toThrow(/unknown digest/);
    expect(() => a.cbcNew(r(16), 'md5', r(32), 16)).toThrow(/unknown digest \(sha1, sha256, sha384 or sha512\)/);
    // Only this addon's handles: any other External (here, a plain object) is refused.
    expect(() => a.aeadSeal({} as never, r(8), r(8), text, new Uint8Array(16))).toThrow(/an AEAD handle/);
    expect(text).toEqual(new Uint8Array(32)); // nothing was encrypted by a refused call
  });

  it('passes the start-up check against noble, which catches a suite that differs', () => {
    expect(() => checkEspAgainstNoble(native(), 'native')).not.toThrow();
    const broken: CryptoSuite = {
      ...native(),
      encryptDetached(alg, keys, iv, text, aad, icv, tail) {
        native().encryptDetached(alg, keys, iv, text, aad, icv, tail);
        icv[0]! ^= 1;
      },
    };
    expect(() => checkEspAgainstNoble(broken, 'native')).toThrow(/^native suite differs from the noble suite: ESP AES-CBC-128/);
  });
});
