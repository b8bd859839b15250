// ESP against published packets (RFC 4303, RFC 4106, RFC 7634), on both backends: every vector
// opens to its inner packet and next header, and where the vector gives the IV, sealing the inner
// packet again gives the published bytes exactly. Files and provenance: test/vectors/esp/ and
// test/vectors/README.md.
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex } from '../../../src-main/core/bytes/hex.ts';
import { integInfo } from '../../../src-main/core/crypto/algorithms.ts';
import { decryptEsp, openEsp } from '../../../src-main/core/esp/open.ts';
import { ESP_HEADER_BYTES, peekEsp, writeU32 } from '../../../src-main/core/esp/packet.ts';
import { sealEsp } from '../../../src-main/core/esp/seal.ts';
import { authData, espLayout, splitSeq, type EspSa, type EspSeq } from '../../../src-main/core/esp/transform.ts';
import { EncrId, IntegId } from '../../../src-main/core/ike/constants.ts';
import { h, seededRandom } from '../crypto/fixtures.ts';
import { BACKENDS, draftMcgrew, linuxXfrm, rfc7634, sealRawText } from './fixtures.ts';

/** IANA ENCR IDs (RFC 7296 3.3.2 registry) of the vectors' algorithms WakeLab does not offer. */
const UNSUPPORTED: Readonly<Record<string, number>> = { '3DES': 3, 'AES-CTR': 13, 'AES-CCM': 14, 'AES-NULL-GMAC': 21 };

describe('draft-mcgrew-gcm-test-01 section 4: AES-GCM-ESP (RFC 4106)', () => {
  for (const c of draftMcgrew.cases) {
    const label = `case ${c.case} (${c.algorithm}, ${c.key.length * 4}-bit key${c.seq_is_esn ? ', ESN' : ''})`;
    if (c.algorithm !== 'AES-GCM-ESP') {
      // RFC 4543 ENCR_NULL_AUTH_AES_GMAC (IANA 21) is not in core/crypto/algorithms.ts: WakeLab
      // never negotiates authentication-only ESP, so there is no SA to open this packet with.
      it(`${label}: refused, GMAC (RFC 4543) is not a WakeLab transform`, () => {
        expect(() => espLayout({ encr: UNSUPPORTED['AES-NULL-GMAC']!, keyLength: c.key.length * 4 })).toThrow(/encr/);
      });
      continue;
    }
    const sa: EspSa = { spi: parseInt(c.spi, 16), cipher: { encr: EncrId.ENCR_AES_GCM_16, keyLength: c.key.length * 4 }, keys: { encr: h(c.key + c.salt) } };
    // The draft prints the full sequence number: 8 octets with ESN (only the low 4 are sent).
    const seq: EspSeq = c.seq_is_esn ? BigInt(`0x${c.seq}`) : parseInt(c.seq, 16);
    const plaintext = h(c.plaintext);
    const padLength = plaintext[plaintext.length - 2]!;
    const nextHeader = plaintext[plaintext.length - 1]!;
    const inner = plaintext.subarray(0, plaintext.length - 2 - padLength);

    it(`${label}: the AAD is SPI | Seq (| high bits with ESN, RFC 4106 5)`, () => {
      const [high] = splitSeq(seq, c.seq_is_esn);
      expect(toHex(authData(espLayout(sa.cipher), h(c.packet), high, c.seq_is_esn).aad)).toBe(c.aad);
    });

    for (const [backend, suite] of BACKENDS) {
      it(`${label} [${backend}]: opens to the inner packet, next header ${nextHeader}`, () => {
        const packet = h(c.packet);
        const peek = peekEsp(packet);
        expect(peek).toEqual({ ok: true, spi: sa.spi, seqLow: Number(BigInt(seq) & 0xffffffffn) });
        const opened = decryptEsp(suite, sa, packet, seq, c.seq_is_esn);
        expect(opened.ok && toHex(opened.inner)).toBe(toHex(inner));
        expect(opened).toMatchObject({ ok: true, nextHeader, padLength });
        // These packets say next header 1, not 4: the tunnel-mode check refuses them.
        expect(openEsp(suite, sa, packet, seq, c.seq_is_esn)).toEqual({ ok: false, reason: 'bad-next-header' });
      });

      if (sa.spi === 0) {
        // Case 4 uses SPI 0, which is never sent (RFC 4303 2.1; in UDP it is the non-ESP marker,
        // RFC 3948 2.2): sealEsp refuses it, the cipher layer below it still gives the packet.
        it(`${label} [${backend}]: SPI 0 cannot be sealed; the same text through the cipher gives the published packet`, () => {
          expect(() => sealEsp(suite, sa, seq, c.seq_is_esn, inner, nextHeader, h(c.iv))).toThrow(/"sa.spi" expected a whole number from 1/);
          expect(toHex(sealRawText(suite, sa, seq, c.seq_is_esn, plaintext, h(c.iv)))).toBe(c.packet);
        });
        continue;
      }
      it(`${label} [${backend}]: seals to the published packet`, () => {
        expect(toHex(sealEsp(suite, sa, seq, c.seq_is_esn, inner, nextHeader, h(c.iv)))).toBe(c.packet);
      });
    }
  }
});

describe('RFC 7634 Appendix A: tunnel-mode ESP with ChaCha20-Poly1305', () => {
  const v = rfc7634.esp_example;
  const sa: EspSa = { spi: parseInt(v.sa.spi, 16), cipher: { encr: EncrId.ENCR_CHACHA20_POLY1305 }, keys: { encr: h(rfc7634.keymat) } };
  // The appendix prints the whole IPv4 packet: a 20-octet header (IHL 5, protocol 50), then ESP.
  const ip = h(v.full_ip_packet);
  const esp = ip.subarray(20);

  it('the IPv4 header is 20 octets and says ESP; the ESP packet is SPI | Seq | IV | ciphertext | tag', () => {
    expect(ip[0]).toBe(0x45);
    expect(ip[9]).toBe(50);
    expect(toHex(esp)).toBe(v.sa.spi + '00000005' + rfc7634.iv + v.ciphertext + v.tag);
    expect(toHex(authData(espLayout(sa.cipher), esp, 0, false).aad)).toBe(v.aad);
  });

  for (const [backend, suite] of BACKENDS) {
    it(`[${backend}] opens to the inner ICMP packet, next header 4`, () => {
      const opened = openEsp(suite, sa, esp, v.sa.seq, false);
      expect(opened.ok && toHex(opened.inner)).toBe(v.inner_packet);
      expect(opened).toMatchObject({ ok: true, nextHeader: 4, padLength: 2 });
    });

    it(`[${backend}] seals to the published packet`, () => {
      expect(toHex(sealEsp(suite, sa, v.sa.seq, false, h(v.inner_packet), 4, h(rfc7634.iv)))).toBe(toHex(esp));
    });
  }
});

describe('Linux XFRM reference packets (scapy ipsec.uts)', () => {
  const SKIPS: Readonly<Record<string, string>> = {
    '3DES': 'ENCR_3DES is not a WakeLab transform (RFC 8221 says SHOULD NOT for ESP)',
    'AES-CTR': 'ENCR_AES_CTR (RFC 3686) is not a WakeLab ESP transform',
    'AES-NULL-GMAC': 'ENCR_NULL_AUTH_AES_GMAC (RFC 4543) is not a WakeLab transform',
    'AES-CCM': 'ENCR_AES_CCM_8 (RFC 4309) is not a WakeLab transform',
  };

  for (const p of linuxXfrm.packets) {
    const label = `${p.crypt_algo}${p.esn_high !== null ? ' ESN' : ''}, SPI ${p.spi}, seq ${p.seq} (${p.generated_by})`;
    const packet = concatBytes(spiSeq(p.spi, p.seq), h(p.esp_payload_hex));
    const esn = p.esn_high !== null;
    const seq = esn ? p.esn_high! * 2 ** 32 + p.seq : p.seq;
    const inner = h(p.verified_by_this_research.inner_hex);
    const skip = SKIPS[p.crypt_algo];
    if (skip) {
      it(`${label}: refused, ${skip}`, () => {
        expect(() => espLayout({ encr: UNSUPPORTED[p.crypt_algo]!, keyLength: 128 })).toThrow(/encr/);
      });
      continue;
    }

    if (p.crypt_algo === 'AES-GCM') {
      // 'rfc4106(gcm(aes))' with a 20-octet key: 16 key octets, then the 4-octet salt; ICV 128 bits.
      const sa: EspSa = { spi: p.spi, cipher: { encr: EncrId.ENCR_AES_GCM_16, keyLength: 128 }, keys: { encr: h(p.key_hex) } };
      for (const [backend, suite] of BACKENDS) {
        it(`${label} [${backend}]: opens to the inner IPv4 packet, next header 4`, () => {
          const opened = openEsp(suite, sa, packet, seq, esn);
          expect(opened.ok && toHex(opened.inner)).toBe(toHex(inner));
          expect(opened).toMatchObject({ ok: true, nextHeader: 4, padLength: p.verified_by_this_research.pad_length });
        });

        it(`${label} [${backend}]: seals to the kernel's packet (IV from the packet)`, () => {
          const iv = packet.subarray(ESP_HEADER_BYTES, ESP_HEADER_BYTES + 8);
          expect(toHex(sealEsp(suite, sa, seq, esn, inner, 4, iv))).toBe(toHex(packet));
        });
      }
      continue;
    }

    // AES-CBC with 'auth digest_null': encryption only, which WakeLab never negotiates,
    // so the kernel's packet has no ICV. Its ciphertext is still checked both ways: sealing with the
    // kernel's IV gives the kernel's IV | ciphertext byte for byte, and the kernel's bytes with an
    // HMAC-SHA2-256-128 ICV added here (under a test key) open to the inner packet.
    expect(p.crypt_algo).toBe('AES-CBC');
    const integKey = seededRandom(546)(32);
    const sa: EspSa = {
      spi: p.spi,
      cipher: { encr: EncrId.ENCR_AES_CBC, keyLength: 128, integ: IntegId.AUTH_HMAC_SHA2_256_128 },
      keys: { encr: h(p.key_hex), integ: integKey },
    };
    for (const [backend, suite] of BACKENDS) {
      it(`${label} [${backend}]: NULL integrity, so with a test ICV added: opens to the inner IPv4 packet, next header 4`, () => {
        const icv = suite.sign(IntegId.AUTH_HMAC_SHA2_256_128, integKey, packet);
        expect(icv).toHaveLength(integInfo(IntegId.AUTH_HMAC_SHA2_256_128).icvBytes);
        const opened = openEsp(suite, sa, concatBytes(packet, icv), seq, esn);
        expect(opened.ok && toHex(opened.inner)).toBe(toHex(inner));
        expect(opened).toMatchObject({ ok: true, nextHeader: 4, padLength: p.verified_by_this_research.pad_length });
      });

      it(`${label} [${backend}]: NULL integrity, so without the ICV: seals to the kernel's packet (IV from the packet)`, () => {
        const iv = packet.subarray(ESP_HEADER_BYTES, ESP_HEADER_BYTES + 16);
        const sealed = sealEsp(suite, sa, seq, esn, inner, 4, iv);
        expect(toHex(sealed.subarray(0, packet.length))).toBe(toHex(packet));
        expect(sealed.length).toBe(packet.length + 16);
      });
    }
  }
});

function spiSeq(spi: number, seq: number): Uint8Array {
  const b = new Uint8Array(8);
  writeU32(b, 0, spi);
  writeU32(b, 4, seq);
  return b;
}
