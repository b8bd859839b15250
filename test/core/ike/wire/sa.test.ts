// SA payload (RFC 7296 3.3, 3.3.1, 3.3.2, 3.3.5): proposals, transforms, Key Length attributes.
import { describe, expect, it } from 'vitest';
import { DhGroup, EncrId, EsnId, IntegId, PayloadType, PrfId, ProtocolId, TransformType } from '../../../../src-main/core/ike/constants.ts';
import { keyLength } from '../../../../src-main/core/ike/wire/sa.ts';
import type { PayloadOf } from '../../../../src-main/core/ike/wire/payloads.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { expectCodec, expectEveryBodyPrefixRejected, expectMalformed, fixture, withBody } from './codec.ts';

const SA = PayloadType.SA;

// An IKE proposal aes128-sha256-prfsha256-curve25519 and an ESP proposal aes256gcm16 without ESN.
const GOLDEN = fixture(`
  00 00 0050              // generic header: Next Payload NONE, C=0, Payload Length 80
  02 00 002c              // proposal: Last Substruc 2 (more), RESERVED, Proposal Length 44
  01 01 00 04             //   Proposal Num 1, Protocol ID 1 (IKE), SPI Size 0, Num Transforms 4
  03 00 000c 01 00 000c   //   transform (more, length 12): ENCR, ENCR_AES_CBC
  800e 0080               //     attribute AF=1 type 14 (Key Length) value 128
  03 00 0008 02 00 0005   //   transform (more, length 8): PRF, PRF_HMAC_SHA2_256
  03 00 0008 03 00 000c   //   transform (more, length 8): INTEG, AUTH_HMAC_SHA2_256_128
  00 00 0008 04 00 001f   //   transform (last, length 8): DH, 31 (Curve25519)
  00 00 0020              // proposal: Last Substruc 0 (last), RESERVED, Proposal Length 32
  02 03 04 02             //   Proposal Num 2, Protocol ID 3 (ESP), SPI Size 4, Num Transforms 2
  11223344                //   SPI
  03 00 000c 01 00 0014   //   transform (more, length 12): ENCR, ENCR_AES_GCM_16
  800e 0100               //     Key Length 256
  00 00 0008 05 00 0000   //   transform (last, length 8): ESN, NO_ESN
`);

const VALUE: PayloadOf<typeof SA> = {
  type: SA,
  proposals: [
    {
      number: 1,
      protocolId: ProtocolId.IKE,
      spi: new Uint8Array(0),
      transforms: [
        { type: TransformType.ENCR, id: EncrId.ENCR_AES_CBC, attributes: [{ type: 14, value: 128 }] },
        { type: TransformType.PRF, id: PrfId.PRF_HMAC_SHA2_256, attributes: [] },
        { type: TransformType.INTEG, id: IntegId.AUTH_HMAC_SHA2_256_128, attributes: [] },
        { type: TransformType.DH, id: DhGroup.CURVE25519, attributes: [] },
      ],
    },
    {
      number: 2,
      protocolId: ProtocolId.ESP,
      spi: new Uint8Array([0x11, 0x22, 0x33, 0x44]),
      transforms: [
        { type: TransformType.ENCR, id: EncrId.ENCR_AES_GCM_16, attributes: [{ type: 14, value: 256 }] },
        { type: TransformType.ESN, id: EsnId.NO_ESN, attributes: [] },
      ],
    },
  ],
};

describe('SA payload', () => {
  it('golden fixture: encode, decode, identity, length, every prefix rejected', () => {
    expectCodec(GOLDEN, VALUE);
  });

  it('rejects every truncated body even when the generic length agrees', () => {
    expectEveryBodyPrefixRejected(GOLDEN, SA);
  });

  it('reads the Key Length attribute', () => {
    expect(keyLength(VALUE.proposals[0]!.transforms[0]!)).toBe(128);
    expect(keyLength(VALUE.proposals[0]!.transforms[1]!)).toBeUndefined();
  });

  it('keeps an 8-byte IKE SPI (rekeying an IKE SA) and TLV attributes of other types', () => {
    const golden = withBody(`
      00 00 001e 01 01 08 01   // last proposal, length 30, Num 1, IKE, SPI Size 8, 1 transform
      0102030405060708         // SPI
      00 00 000e 01 00 000c    // last transform, length 14, ENCR_AES_CBC
      0005 0002 abcd           // attribute AF=0 (TLV) type 5, length 2, value abcd
    `);
    const transform = { type: 1, id: 12, attributes: [{ type: 5, value: fixture('abcd') }] };
    expectCodec(golden, { type: SA, proposals: [{ number: 1, protocolId: 1, spi: fixture('0102030405060708'), transforms: [transform] }] });
  });

  it.each([
    ['Last Substruc 1', '01 00 0008 01 01 00 00', /Last Substruc 1/],
    ['a proposal claims more but none follows', '02 00 0008 01 01 00 00', /more proposals/],
    ['bytes after the last proposal', '00 00 0008 01 01 00 00 ff', /after the last proposal/],
    ['Proposal Length below 8', '00 00 0007 01 01 00', /Proposal Length 7/],
    ['Proposal Num 0', '00 00 0008 00 01 00 00', /Proposal Num 0/],
    ['proposal numbers going down', '02 00 0008 02 01 00 00 00 00 0008 01 01 00 00', /Proposal Num 1 below 2/],
    ['IKE SPI Size 4', '00 00 000c 01 01 04 00 00000001', /SPI Size 4/],
    ['ESP SPI Size 0', '00 00 0008 01 03 00 00', /SPI Size 0/],
    ['transform count too high', '00 00 0010 01 01 00 02 03 00 0008 01 00 000c', /1 of 2 transforms/],
    ['transform count too low', '00 00 0018 01 01 00 01 03 00 0008 01 00 000c 00 00 0008 02 00 0005', /Last Substruc 3/],
    ['last transform says more', '00 00 0010 01 01 00 01 03 00 0008 01 00 000c', /Last Substruc 3/],
    ['Key Length as TLV', '00 00 0016 01 01 00 01 00 00 000e 01 00 000c 000e 0002 0080', /TLV/],
    ['attribute cut short', '00 00 0012 01 01 00 01 00 00 000a 01 00 000c 800e', /cut short/],
    ['empty SA', '', /cut short/],
  ])('rejects %s', (_name, body, detail) => {
    expectMalformed(withBody(body), SA, detail);
  });

  it('refuses bad local input, naming the field', () => {
    const p = VALUE.proposals[1]!;
    expect(() => encodeInnerPayloads([{ type: SA, proposals: [] }])).toThrow(/sa.proposals: at least one/);
    expect(() => encodeInnerPayloads([{ type: SA, proposals: [{ ...p, spi: new Uint8Array(8) }] }])).toThrow(/sa.proposals\[0\].spi/);
    expect(() => encodeInnerPayloads([{ type: SA, proposals: [{ ...p, number: 256 }] }])).toThrow(/sa.proposals\[0\].number/);
    const badAttr = { type: 1, id: 12, attributes: [{ type: 14, value: 70000 }] };
    expect(() => encodeInnerPayloads([{ type: SA, proposals: [{ ...p, transforms: [badAttr] }] }])).toThrow(/transforms\[0\].attributes\[0\].value/);
  });
});
