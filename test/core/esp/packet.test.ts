// The ESP layout without crypto (RFC 4303 2): the header peek, padding lengths, the trailer.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { ESP_HEADER_BYTES, NextHeader, padLengthFor, peekEsp, readTrailer, writeTrailer } from '../../../src-main/core/esp/packet.ts';
import { espLayout, espPacketLength } from '../../../src-main/core/esp/transform.ts';
import { EncrId, IntegId } from '../../../src-main/core/ike/constants.ts';
import { h } from '../crypto/fixtures.ts';

describe('peekEsp: SPI and low sequence bits, no crypto (RFC 4303 3.4.2, 3.4.3)', () => {
  const packet = h('c0ffee01 00000007 0102030405060708 aabbccdd');

  it('reads the SPI and the Sequence Number as unsigned 32-bit numbers', () => {
    expect(peekEsp(packet)).toEqual({ ok: true, spi: 0xc0ffee01, seqLow: 7 });
    expect(peekEsp(h('ffffffff ffffffff'))).toEqual({ ok: true, spi: 0xffffffff, seqLow: 0xffffffff });
  });

  it('refuses every strict prefix of the 8-octet header, and non-bytes, without throwing', () => {
    for (let n = 0; n < ESP_HEADER_BYTES; n++) expect(peekEsp(packet.subarray(0, n))).toEqual({ ok: false, reason: 'short' });
    expect(peekEsp('esp' as unknown as Uint8Array)).toEqual({ ok: false, reason: 'short' });
  });
});

describe('padding (RFC 4303 2.4)', () => {
  it('pads payload | Padding | Pad Length | Next Header to the fewest whole units', () => {
    for (const align of [4, 16]) {
      for (let n = 0; n < 70; n++) {
        const pad = padLengthFor(n, align);
        expect(pad).toBeGreaterThanOrEqual(0);
        expect(pad).toBeLessThan(align);
        expect((n + pad + 2) % align).toBe(0);
      }
    }
    expect(padLengthFor(84, 4)).toBe(2); // RFC 7634 Appendix A
    expect(padLengthFor(84, 16)).toBe(10); // the Linux AES-CBC reference packet
  });

  it('writes 1, 2, 3, ... then Pad Length and Next Header, and reads them back', () => {
    const text = new Uint8Array(16);
    text.set([0xaa, 0xbb, 0xcc]);
    writeTrailer(text, 3, 11, NextHeader.IPV4);
    expect(toHex(text)).toBe('aabbcc0102030405060708090a0b0b04');
    expect(readTrailer(text)).toEqual({ payloadLength: 3, padLength: 11, nextHeader: 4 });
    expect(readTrailer(h('0004'))).toEqual({ payloadLength: 0, padLength: 0, nextHeader: 4 });
  });

  it('refuses Padding other than 1, 2, 3, ... and a Pad Length that runs past the text', () => {
    expect(readTrailer(h('aabb 010204 03 04'))).toBeNull(); // the third padding octet must be 03
    expect(readTrailer(h('aa 0103 02 04'))).toBeNull();
    expect(readTrailer(h('aa 0000 02 04'))).toBeNull(); // zero padding, as IKE's SK payload allows, is not ESP's default
    expect(readTrailer(h('0102 03 04'))).toBeNull(); // Pad Length 3 > the 2 octets before the trailer
    expect(readTrailer(h('04'))).toBeNull();
    expect(readTrailer(new Uint8Array(0))).toBeNull();
    expect(readTrailer(h('01 02 03 03 3b'))).toEqual({ payloadLength: 0, padLength: 3, nextHeader: 59 });
  });
});

describe('sizes per algorithm', () => {
  it('IV, ICV and alignment of the ciphers WakeLab negotiates for ESP', () => {
    const cbc = espLayout({ encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 });
    expect(cbc).toMatchObject({ aead: false, ivBytes: 16, icvBytes: 16, align: 16, block: 16, minText: 16 });
    const gcm = espLayout({ encr: EncrId.ENCR_AES_GCM_16, keyLength: 256 });
    expect(gcm).toMatchObject({ aead: true, ivBytes: 8, icvBytes: 16, align: 4, block: 1, minText: 2 });
    const chacha = espLayout({ encr: EncrId.ENCR_CHACHA20_POLY1305 });
    expect(chacha).toMatchObject({ aead: true, ivBytes: 8, icvBytes: 16, align: 4, block: 1, minText: 2 });
  });

  it("matches what strongSwan puts on the wire for an 84-byte ping (docs: IP 164 with AES-CBC/SHA-256, 148 with AES-GCM)", () => {
    const ipUdp = 20 + 8; // outer IPv4 and UDP (RFC 3948) headers
    expect(ipUdp + espPacketLength({ encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 }, 84)).toBe(164);
    expect(ipUdp + espPacketLength({ encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 }, 84)).toBe(148);
  });

  it('refuses ciphers ESP cannot use, naming the argument', () => {
    expect(() => espLayout({ encr: EncrId.ENCR_AES_CBC, keyLength: 128 })).toThrow(/"sa.cipher.integ" is required with ENCR_AES_CBC/);
    expect(() => espLayout({ encr: EncrId.ENCR_AES_CTR, keyLength: 128 })).toThrow(/"sa.cipher.encr" is not a supported ENCR transform ID: 13/);
    expect(() => espLayout({ encr: EncrId.ENCR_AES_GCM_16, keyLength: 100 })).toThrow(/"sa.cipher.encr.keyLength" must be one of/);
    expect(() => espLayout(null as never)).toThrow(/"sa.cipher" expected/);
    expect(() => espPacketLength({ encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 }, -1)).toThrow(/"innerLength"/);
  });
});
