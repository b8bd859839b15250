// sealEsp / openEsp (RFC 4303 3.3, 3.4) on both backends: round trips, ESN, dummy packets, and
// every way a received packet can be wrong giving its reason without throwing. Local misuse
// throws, naming the argument.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { decryptEsp, openEsp } from '../../../src-main/core/esp/open.ts';
import { NextHeader, peekEsp } from '../../../src-main/core/esp/packet.ts';
import { sealEsp } from '../../../src-main/core/esp/seal.ts';
import { espLayout, type EspSa } from '../../../src-main/core/esp/transform.ts';
import { EncrId, IntegId } from '../../../src-main/core/ike/constants.ts';
import { flipBit, h, seededRandom } from '../crypto/fixtures.ts';
import { BACKENDS, sealRawText } from './fixtures.ts';

const rnd = seededRandom(4106);

/** The ESP ciphers WakeLab negotiates (docs/strongswan-behaviour.md), with fresh keys. */
const SAS: ReadonlyArray<readonly [string, EspSa]> = [
  ['AES-CBC-128 + HMAC-SHA2-256-128', { spi: 0xc1000001, cipher: { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 }, keys: { encr: rnd(16), integ: rnd(32) } }],
  ['AES-CBC-256 + HMAC-SHA2-256-128', { spi: 0xc1000002, cipher: { encr: EncrId.ENCR_AES_CBC, keyLength: 256, integ: IntegId.AUTH_HMAC_SHA2_256_128 }, keys: { encr: rnd(32), integ: rnd(32) } }],
  ['AES-GCM-16-128', { spi: 0xc1000003, cipher: { encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 }, keys: { encr: rnd(20) } }],
  ['AES-GCM-16-256', { spi: 0xc1000004, cipher: { encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 }, keys: { encr: rnd(36), integ: new Uint8Array(0) } }],
  ['ChaCha20-Poly1305', { spi: 0xc1000005, cipher: { encr: EncrId.ENCR_CHACHA20_POLY1305 }, keys: { encr: rnd(36) } }],
];

const inner84 = rnd(84);

describe.each(BACKENDS)('%s backend', (_backend, suite) => {
  describe.each(SAS)('%s', (_name, sa) => {
    const layout = espLayout(sa.cipher);
    const iv = rnd(layout.ivBytes);

    it('round-trips inner packets of every length around the block sizes, with and without ESN', () => {
      for (const esn of [false, true]) {
        const seq = esn ? 2 ** 32 * 3 + 17 : 17;
        for (let n = 0; n <= 40; n++) {
          const inner = rnd(n);
          const packet = sealEsp(suite, sa, seq, esn, inner, NextHeader.IPV4, iv);
          expect((packet.length - 8 - layout.ivBytes - layout.icvBytes) % layout.align).toBe(0);
          expect(peekEsp(packet)).toEqual({ ok: true, spi: sa.spi, seqLow: 17 });
          const opened = openEsp(suite, sa, packet, seq, esn);
          expect(opened.ok && toHex(opened.inner)).toBe(toHex(inner));
        }
      }
    });

    it('draws the IV from the suite when none is given', () => {
      const a = sealEsp(createNobleSuite(seededRandom(9)), sa, 1, false, inner84, 4);
      const b = sealEsp(createNobleSuite(seededRandom(9)), sa, 1, false, inner84, 4);
      expect(toHex(a)).toBe(toHex(b));
      expect(toHex(a.subarray(8, 8 + layout.ivBytes))).toBe(toHex(seededRandom(9)(layout.ivBytes)));
      expect(openEsp(suite, sa, sealEsp(suite, sa, 2, false, inner84, 4), 2, false).ok).toBe(true);
    });

    it('authenticates the unsent ESN high bits: the wrong high half fails the ICV (RFC 4303 2.2.1)', () => {
      const packet = sealEsp(suite, sa, 2 ** 32 + 5, true, inner84, 4, iv);
      expect(openEsp(suite, sa, packet, 2 ** 32 + 5, true).ok).toBe(true);
      expect(openEsp(suite, sa, packet, 2 * 2 ** 32 + 5, true)).toEqual({ ok: false, reason: 'bad-icv' });
      expect(openEsp(suite, sa, packet, 5, true)).toEqual({ ok: false, reason: 'bad-icv' });
      // With ESN even high bits 0 change the ICV (AEAD: a 12-octet AAD; CBC: 4 more octets under
      // the HMAC), while the ciphertext stays the same.
      const plain = sealEsp(suite, sa, 5, false, inner84, 4, iv);
      const esnZero = sealEsp(suite, sa, 5, true, inner84, 4, iv);
      expect(toHex(plain.subarray(0, plain.length - layout.icvBytes))).toBe(toHex(esnZero.subarray(0, esnZero.length - layout.icvBytes)));
      expect(toHex(plain) === toHex(esnZero)).toBe(false);
    });

    it('takes 64-bit sequence numbers as bigint (the full ESN range)', () => {
      const seq = 0xfedcba98_76543210n;
      const packet = sealEsp(suite, sa, seq, true, inner84, 4, iv);
      expect(peekEsp(packet)).toMatchObject({ seqLow: 0x76543210 });
      expect(openEsp(suite, sa, packet, seq, true).ok).toBe(true);
      expect(openEsp(suite, sa, packet, seq - (1n << 32n), true)).toEqual({ ok: false, reason: 'bad-icv' });
    });

    it('a dummy packet (Next Header 59, RFC 4303 2.6) opens as its own outcome', () => {
      const packet = sealEsp(suite, sa, 3, false, rnd(20), NextHeader.NO_NEXT_HEADER, iv);
      expect(openEsp(suite, sa, packet, 3, false)).toMatchObject({ ok: true, nextHeader: 59 });
    });

    it('refuses a next header other than IPv4 in tunnel mode; decryptEsp still reads it', () => {
      const packet = sealEsp(suite, sa, 3, false, inner84, 41, iv); // IPv6
      expect(openEsp(suite, sa, packet, 3, false)).toEqual({ ok: false, reason: 'bad-next-header' });
      expect(decryptEsp(suite, sa, packet, 3, false)).toMatchObject({ ok: true, nextHeader: 41 });
    });

    it('every flipped bit after the header fails the ICV', () => {
      const packet = sealEsp(suite, sa, 9, true, rnd(30), 4, iv);
      for (let i = 8; i < packet.length; i++) {
        expect(openEsp(suite, sa, flipBit(packet, i), 9, true), `byte ${i}`).toEqual({ ok: false, reason: 'bad-icv' });
      }
    });

    it('every truncation and extension is refused without throwing', () => {
      const packet = sealEsp(suite, sa, 9, false, rnd(30), 4, iv);
      for (let n = 0; n < packet.length; n++) {
        const cut = openEsp(suite, sa, packet.subarray(0, n), 9, false);
        expect(cut.ok, `prefix ${n}`).toBe(false);
        if (n < 8 + layout.ivBytes + layout.minText + layout.icvBytes) expect(cut).toEqual({ ok: false, reason: 'short' });
      }
      for (const extra of [1, 4, 16]) {
        const longer = new Uint8Array(packet.length + extra);
        longer.set(packet);
        expect(['short', 'bad-icv']).toContain((openEsp(suite, sa, longer, 9, false) as { reason: string }).reason);
      }
    });

    it('authenticated but badly padded packets give bad-padding (RFC 4303 2.4)', () => {
      const block = layout.align;
      const text = (body: number[]) => {
        const t = new Uint8Array(Math.ceil(body.length / block) * block);
        t.set(body, t.length - body.length);
        return t;
      };
      const cases: Array<[string, Uint8Array]> = [
        ['padding 1, 2, 4', text([0x45, 1, 2, 4, 3, 4])],
        ['zero padding', text([0x45, 0, 0, 0, 3, 4])],
        ['Pad Length past the text', text([0x45, 1, 2, 255, 4])],
      ];
      for (const [what, t] of cases) {
        const packet = sealRawText(suite, sa, 11, false, t, iv);
        expect(openEsp(suite, sa, packet, 11, false), what).toEqual({ ok: false, reason: 'bad-padding' });
      }
      // And the same layout with correct padding opens.
      expect(openEsp(suite, sa, sealRawText(suite, sa, 11, false, text([0x45, 1, 2, 3, 3, 4]), iv), 11, false).ok).toBe(true);
    });
  });
});

describe('local misuse throws, naming the argument', () => {
  const suite = BACKENDS[0]![1];
  const sa = SAS[2]![1];

  it('sealEsp', () => {
    expect(() => sealEsp(suite, { ...sa, spi: 0 }, 1, false, inner84, 4)).toThrow(/"sa.spi"/);
    expect(() => sealEsp(suite, { ...sa, spi: 2 ** 32 }, 1, false, inner84, 4)).toThrow(/"sa.spi"/);
    expect(() => sealEsp(suite, null as never, 1, false, inner84, 4)).toThrow(/"sa" expected/);
    expect(() => sealEsp(suite, sa, 0, false, inner84, 4)).toThrow(/"seq" must not be 0/);
    expect(() => sealEsp(suite, sa, 0n, true, inner84, 4)).toThrow(/"seq" must not be 0/);
    expect(() => sealEsp(suite, sa, 2 ** 32, false, inner84, 4)).toThrow(/"seq" must be below 2\^32 without ESN/);
    expect(() => sealEsp(suite, sa, 1.5, false, inner84, 4)).toThrow(/"seq" expected a whole number/);
    expect(() => sealEsp(suite, sa, 1n << 64n, true, inner84, 4)).toThrow(/"seq" expected a 64-bit/);
    expect(() => sealEsp(suite, sa, 1, 'yes' as never, inner84, 4)).toThrow(/"esn" expected a boolean/);
    expect(() => sealEsp(suite, sa, 1, false, [1, 2] as never, 4)).toThrow(/"inner" expected Uint8Array/);
    expect(() => sealEsp(suite, sa, 1, false, new Uint8Array(65536), 4)).toThrow(/"inner" expected at most 65535/);
    expect(() => sealEsp(suite, sa, 1, false, inner84, 256)).toThrow(/"nextHeader"/);
    expect(() => sealEsp(suite, sa, 1, false, inner84, 4, new Uint8Array(16))).toThrow(/"iv" expected 8 bytes/);
    expect(() => sealEsp(suite, { ...sa, keys: { encr: new Uint8Array(16) } }, 1, false, inner84, 4)).toThrow(/"keys.encr" expected 20 bytes/);
  });

  it('openEsp: arguments that do not match the packet the caller peeked', () => {
    const packet = sealEsp(suite, sa, 7, false, inner84, 4);
    expect(() => openEsp(suite, { ...sa, spi: 99 }, packet, 7, false)).toThrow(/"sa.spi" is 99, the packet's SPI is/);
    expect(() => openEsp(suite, sa, packet, 8, false)).toThrow(/"seq" ends in 8, the packet's Sequence Number is 7/);
    expect(() => openEsp(suite, sa, 'packet' as never, 7, false)).toThrow(/"packet" expected Uint8Array/);
  });
});
