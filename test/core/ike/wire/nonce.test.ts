// Nonce payload (RFC 7296 3.9): 16 to 256 bytes.
import { describe, expect, it } from 'vitest';
import { PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { decodeOne, expectCodec, expectMalformed, fixture, withBody } from './codec.ts';

const NONCE = PayloadType.Nonce;

const GOLDEN = fixture(`
  00 00 0014                          // generic header: Next Payload NONE, C=0, Payload Length 20
  00112233445566778899aabbccddeeff    // Nonce Data (16 bytes, the least allowed)
`);

describe('Nonce payload', () => {
  it('golden fixture: encode, decode, identity, length, every prefix rejected', () => {
    expectCodec(GOLDEN, { type: NONCE, data: fixture('00112233445566778899aabbccddeeff') });
  });

  it('accepts 16 and 256 bytes, rejects 15 and 257', () => {
    expect(decodeOne(withBody('00'.repeat(256)), NONCE).ok).toBe(true);
    expectMalformed(withBody('00'.repeat(15)), NONCE, /15 bytes, must be 16..256/);
    expectMalformed(withBody('00'.repeat(257)), NONCE, /257 bytes/);
  });

  it('refuses a local nonce of the wrong size, naming the field', () => {
    expect(() => encodeInnerPayloads([{ type: NONCE, data: new Uint8Array(8) }])).toThrow(/nonce.data: 8 bytes/);
  });
});
