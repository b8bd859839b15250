// IKE header (RFC 7296 3.1).
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../../../src-main/core/bytes/cursor.ts';
import { toHex } from '../../../../src-main/core/bytes/hex.ts';
import { ExchangeType, PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { decodeHeader, encodeHeader, headerLength, type IkeHeader } from '../../../../src-main/core/ike/wire/header.ts';
import { expectEveryPrefixRejected, fixture } from './codec.ts';

const GOLDEN = fixture(`
  0102030405060708    // IKE SA Initiator's SPI
  0000000000000000    // IKE SA Responder's SPI (zero in the first IKE_SA_INIT request)
  21                  // Next Payload 33 (SA)
  20                  // MjVer 2, MnVer 0
  22                  // Exchange Type 34 (IKE_SA_INIT)
  08                  // Flags: I (initiator)
  00000000            // Message ID 0
  0000001c            // Length 28 (the header alone, for this test)
`);

const VALUE: IkeHeader = {
  spiI: fixture('0102030405060708'),
  spiR: new Uint8Array(8),
  nextPayload: PayloadType.SA,
  majorVersion: 2,
  minorVersion: 0,
  exchangeType: ExchangeType.IKE_SA_INIT,
  initiator: true,
  response: false,
  higherVersion: false,
  messageId: 0,
  length: 28,
};

const decode = (b: Uint8Array) => decodeHeader(new Reader(b));
const encode = (h: IkeHeader) => {
  const w = new Writer();
  encodeHeader(w, h, h.nextPayload, h.length);
  return w.finish();
};

describe('IKE header', () => {
  it('golden fixture: encode, decode, identity, every prefix rejected as truncated', () => {
    expect(toHex(encode(VALUE))).toBe(toHex(GOLDEN));
    const d = decode(GOLDEN);
    expect(d).toEqual({ ok: true, value: VALUE });
    expect(toHex(encode(d.ok ? d.value : VALUE))).toBe(toHex(GOLDEN));
    expect(headerLength()).toBe(GOLDEN.length);
    expectEveryPrefixRejected(GOLDEN, decode);
    expect(decode(GOLDEN.subarray(0, 27))).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('reads the R and V flags, ignores the reserved flag bits, accepts any minor version', () => {
    const b = GOLDEN.slice();
    b[17] = 0x2f; // MjVer 2, MnVer 15
    b[19] = 0x20 | 0x10 | 0xc7; // R, V, and every reserved bit; no I
    const d = decode(b);
    expect(d.ok && d.value).toMatchObject({ minorVersion: 15, response: true, higherVersion: true, initiator: false });
  });

  it('rejects a major version other than 2 before looking at the length', () => {
    const v1 = GOLDEN.slice();
    v1[17] = 0x10;
    v1[27] = 0x99;
    expect(decode(v1)).toMatchObject({ ok: false, reason: 'bad-version' });
  });

  it('rejects a Length that differs from the bytes the message carries', () => {
    const long = new Uint8Array([...GOLDEN, 0]);
    expect(decode(long)).toMatchObject({ ok: false, reason: 'bad-length', detail: 'IKE header: Length 28, message carries 29 bytes' });
    const b = GOLDEN.slice();
    b[27] = 27;
    expect(decode(b)).toMatchObject({ ok: false, reason: 'bad-length' });
  });

  it('refuses bad local fields, naming them', () => {
    expect(() => encode({ ...VALUE, spiI: new Uint8Array(4) })).toThrow(/header.spiI: 4 bytes, must be 8/);
    expect(() => encode({ ...VALUE, messageId: 2 ** 32 })).toThrow(/header.messageId/);
    expect(() => encode({ ...VALUE, minorVersion: 16 })).toThrow(/header.minorVersion/);
  });
});
