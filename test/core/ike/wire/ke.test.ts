// KE payload (RFC 7296 3.4).
import { describe, expect, it } from 'vitest';
import { DhGroup, PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { expectCodec, expectMalformed, fixture, payloadOf, withBody } from './codec.ts';

const KE = PayloadType.KE;
const DATA = fixture('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');

const GOLDEN = fixture(`
  00 00 0028   // generic header: Next Payload NONE, C=0, Payload Length 40
  001f 0000    // Diffie-Hellman Group Num 31 (Curve25519), RESERVED
  000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f  // Key Exchange Data (32)
`);

describe('KE payload', () => {
  it('golden fixture: encode, decode, identity, length, every prefix rejected', () => {
    expectCodec(GOLDEN, { type: KE, group: DhGroup.CURVE25519, data: DATA });
  });

  it('ignores the RESERVED field on receipt', () => {
    expect(payloadOf(fixture('00 00 000a 001f ffff 0102'), KE)).toEqual({ type: KE, group: 31, data: fixture('0102') });
    expect(encodeInnerPayloads([{ type: KE, group: 31, data: fixture('0102') }])).toEqual(fixture('00 00 000a 001f 0000 0102'));
  });

  it('rejects a body without key exchange data', () => {
    expectMalformed(withBody('001f 0000'), KE, /key exchange data/);
    expectMalformed(withBody('001f'), KE, /key exchange data/);
  });

  it('refuses bad local input, naming the field', () => {
    expect(() => encodeInnerPayloads([{ type: KE, group: 70000, data: DATA }])).toThrow(/ke.group/);
    expect(() => encodeInnerPayloads([{ type: KE, group: 31, data: new Uint8Array(0) }])).toThrow(/ke.data/);
  });
});
