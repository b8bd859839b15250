// Notify payload (RFC 7296 3.10).
import { describe, expect, it } from 'vitest';
import { NotifyStatus, PayloadType, ProtocolId } from '../../../../src-main/core/ike/constants.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { expectCodec, expectEveryBodyPrefixRejected, expectMalformed, fixture, withBody } from './codec.ts';

const N = PayloadType.N;
const HASH = fixture('0123456789abcdef0123456789abcdef01234567');

describe('Notify payload', () => {
  it('golden N(NAT_DETECTION_SOURCE_IP): IKE SA, no SPI, a 20-byte SHA-1 hash', () => {
    const golden = fixture(`
      00 00 001c    // generic header: Next Payload NONE, C=0, Payload Length 28
      00 00 4004    // Protocol ID 0, SPI Size 0, Notify Message Type 16388 (NAT_DETECTION_SOURCE_IP)
      0123456789abcdef0123456789abcdef01234567  // Notification Data: SHA-1(SPIi | SPIr | IP | port)
    `);
    expectCodec(golden, { type: N, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyStatus.NAT_DETECTION_SOURCE_IP, data: HASH });
  });

  it('golden N(REKEY_SA) for an ESP SA: a 4-byte SPI, no data', () => {
    const golden = fixture(`
      00 00 000c    // generic header: Payload Length 12
      03 04 4009    // Protocol ID 3 (ESP), SPI Size 4, Notify Message Type 16393 (REKEY_SA)
      c0ffee01      // SPI
    `);
    const value = { type: N, protocolId: ProtocolId.ESP, spi: fixture('c0ffee01'), notifyType: NotifyStatus.REKEY_SA, data: new Uint8Array(0) } as const;
    expectCodec(golden, value);
    // The SPI is structure: every shorter body is refused even when the generic length agrees.
    expectEveryBodyPrefixRejected(golden, N);
  });

  it('rejects an SPI Size larger than the body', () => {
    expectMalformed(withBody('03 08 4009 c0ffee01'), N, /8-byte SPI/);
  });

  it('refuses bad local input, naming the field', () => {
    const ok = { type: N, protocolId: 0, spi: new Uint8Array(0), notifyType: 16388, data: HASH } as const;
    expect(() => encodeInnerPayloads([{ ...ok, notifyType: 65536 }])).toThrow(/notify.notifyType/);
    expect(() => encodeInnerPayloads([{ ...ok, spi: new Uint8Array(300) }])).toThrow(/notify.spi/);
  });
});
