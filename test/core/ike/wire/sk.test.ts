// Encrypted and Authenticated payload framing (RFC 7296 3.14): no crypto, the body stays opaque.
import { describe, expect, it } from 'vitest';
import { PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { decodeOne, expectCodec, fixture } from './codec.ts';

const SK = PayloadType.SK;
const BODY = fixture(`
  000102030405060708090a0b0c0d0e0f   // IV (16, AES-CBC)
  f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff   // ciphertext (one block)
  a0a1a2a3a4a5a6a7a8a9aaabacadaeaf   // ICV (16, AUTH_HMAC_SHA2_256_128)
`);

describe('SK payload framing', () => {
  it('golden: Next Payload names the first inner payload (IDi), the body is kept raw', () => {
    const golden = new Uint8Array([...fixture(`
      23 00 0034    // generic header: Next Payload 35 (IDi, the first inner payload), C=0, length 52
    `), ...BODY]);
    expectCodec(golden, { type: SK, firstInner: PayloadType.IDi, body: BODY });
  });

  it('an empty INFORMATIONAL response: first inner payload NONE', () => {
    const d = decodeOne(new Uint8Array([0, 0, 0, 52, ...BODY]), SK);
    expect(d.ok && d.value.payloads[0]).toEqual({ type: SK, firstInner: 0, body: BODY });
  });
});
