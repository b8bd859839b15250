// Whole datagrams (RFC 7296 3; RFC 3948 2.2 non-ESP marker, 2.3 NAT-keepalive, ESP on 4500).
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../src-main/core/bytes/hex.ts';
import { ExchangeType, NotifyStatus, PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { decodeMessage, encodeMessage, messageLength, type OutgoingMessage } from '../../../../src-main/core/ike/wire/message.ts';
import { expectEveryPrefixRejected, fixture } from './codec.ts';

const GOLDEN = fixture(`
  0102030405060708 0000000000000000  // SPIi, SPIr (zero)
  21 20 22 08 00000000 000000a4      // Next Payload SA, version 2.0, IKE_SA_INIT, I flag, Message ID 0, Length 164
  22 00 0030                         // SA: Next Payload KE, Payload Length 48
  00 00 002c 01 01 00 04             //   last proposal, length 44: Num 1, IKE, SPI Size 0, 4 transforms
  03 00 000c 01 00 000c 800e 0080    //   ENCR_AES_CBC, Key Length 128
  03 00 0008 02 00 0005              //   PRF_HMAC_SHA2_256
  03 00 0008 03 00 000c              //   AUTH_HMAC_SHA2_256_128
  00 00 0008 04 00 001f              //   DH group 31 (Curve25519)
  28 00 0028 001f 0000               // KE: Next Payload Nonce, length 40, group 31
  000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
  29 00 0014                         // Nonce: Next Payload N, length 20
  00112233445566778899aabbccddeeff
  00 00 001c 00 00 4004              // N: Next Payload NONE, length 28, NAT_DETECTION_SOURCE_IP
  0123456789abcdef0123456789abcdef01234567
`);

const VALUE: OutgoingMessage = {
  header: { spiI: fixture('0102030405060708'), spiR: new Uint8Array(8), exchangeType: ExchangeType.IKE_SA_INIT, initiator: true, response: false, messageId: 0 },
  payloads: [
    {
      type: PayloadType.SA,
      proposals: [
        {
          number: 1,
          protocolId: 1,
          spi: new Uint8Array(0),
          transforms: [
            { type: 1, id: 12, attributes: [{ type: 14, value: 128 }] },
            { type: 2, id: 5, attributes: [] },
            { type: 3, id: 12, attributes: [] },
            { type: 4, id: 31, attributes: [] },
          ],
        },
      ],
    },
    { type: PayloadType.KE, group: 31, data: fixture('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f') },
    { type: PayloadType.Nonce, data: fixture('00112233445566778899aabbccddeeff') },
    { type: PayloadType.N, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyStatus.NAT_DETECTION_SOURCE_IP, data: fixture('0123456789abcdef0123456789abcdef01234567') },
  ],
};

const accepted = (natt: boolean) => (b: Uint8Array) => ({ ok: decodeMessage(b, { natt }).kind !== 'drop' });

describe('IKE messages on port 500', () => {
  it('golden IKE_SA_INIT request: encode, decode, identity, every prefix dropped', () => {
    expect(toHex(encodeMessage(VALUE))).toBe(toHex(GOLDEN));
    expect(messageLength(VALUE)).toBe(GOLDEN.length);
    const m = decodeMessage(GOLDEN, { natt: false });
    if (m.kind !== 'ike') throw new Error(`decoded as ${m.kind}`);
    expect(m.header).toMatchObject({ ...VALUE.header, nextPayload: PayloadType.SA, length: 164, majorVersion: 2, minorVersion: 0 });
    expect(m.payloads).toEqual(VALUE.payloads);
    expect(m.skipped).toEqual([]);
    expect(m.nonEspMarker).toBe(false);
    expect(m.message).toEqual(GOLDEN);
    expect(toHex(encodeMessage({ header: m.header, payloads: m.payloads }))).toBe(toHex(GOLDEN));
    expectEveryPrefixRejected(GOLDEN, accepted(false));
  });

  it('drops IKEv1 and bad lengths with countable reasons', () => {
    const v1 = GOLDEN.slice();
    v1[17] = 0x10;
    // The header comes along, so that a request can be answered with INVALID_MAJOR_VERSION.
    expect(decodeMessage(v1, { natt: false })).toMatchObject({ kind: 'drop', reason: 'bad-version', header: { majorVersion: 1, messageId: 0 } });
    expect(decodeMessage(new Uint8Array([...GOLDEN, 0]), { natt: false })).toMatchObject({ kind: 'drop', reason: 'bad-length' });
    expect(decodeMessage(new Uint8Array([0xff]), { natt: false })).toEqual({ kind: 'drop', reason: 'truncated', detail: 'IKE header: 1 bytes, needs 28' });
  });

  it('a drop after the header carries the header, so the responder can answer', () => {
    // Replace the N payload's type in the Nonce's Next Payload with an unknown critical type 200.
    const b = GOLDEN.slice();
    b[28 + 48 + 40] = 200;
    b[28 + 48 + 40 + 20 + 1] = 0x80;
    const m = decodeMessage(b, { natt: false });
    expect(m).toMatchObject({ kind: 'drop', reason: 'unsupported-critical-payload', payloadType: 200 });
    expect(m.kind === 'drop' && m.header?.spiI).toEqual(fixture('0102030405060708'));
  });

  it('encodes SK last, with the header pointing at it and SK pointing inside', () => {
    const body = fixture('00'.repeat(32));
    const m = encodeMessage({ header: { ...VALUE.header, exchangeType: ExchangeType.INFORMATIONAL, messageId: 2 }, payloads: [{ type: PayloadType.SK, firstInner: PayloadType.D, body }] });
    expect(toHex(m.subarray(16, 20))).toBe('2e202508');
    expect(toHex(m.subarray(24, 32))).toBe('000000402a000024');
  });
});

describe('datagrams on port 4500 (RFC 3948)', () => {
  it('IKE behind the 4-byte non-ESP marker; every prefix dropped', () => {
    const marked = encodeMessage(VALUE, { nonEspMarker: true });
    expect(toHex(marked)).toBe(`00000000${toHex(GOLDEN)}`);
    const m = decodeMessage(marked, { natt: true });
    expect(m).toMatchObject({ kind: 'ike', nonEspMarker: true });
    expect(m.kind === 'ike' && m.message).toEqual(GOLDEN);
    expectEveryPrefixRejected(marked, accepted(true));
  });

  it('a single 0xFF is a NAT-keepalive', () => {
    expect(decodeMessage(new Uint8Array([0xff]), { natt: true })).toEqual({ kind: 'keepalive' });
    expect(decodeMessage(new Uint8Array([0xfe]), { natt: true })).toMatchObject({ kind: 'drop', reason: 'truncated' });
  });

  it('a non-zero first word is ESP: SPI and sequence number', () => {
    const esp = fixture('ac0faf03 00000001 00112233');
    expect(decodeMessage(esp, { natt: true })).toEqual({ kind: 'esp', spi: 0xac0faf03, seq: 1, packet: esp });
    expect(decodeMessage(esp.subarray(0, 7), { natt: true })).toMatchObject({ kind: 'drop', reason: 'truncated' });
  });

  it('IKE without the marker on 4500 reads as ESP (the SPIi is not zero)', () => {
    expect(decodeMessage(GOLDEN, { natt: true })).toMatchObject({ kind: 'esp', spi: 0x01020304, seq: 0x05060708 });
  });
});
