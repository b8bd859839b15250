// Delete payload (RFC 7296 3.11).
import { describe, expect, it } from 'vitest';
import { PayloadType, ProtocolId } from '../../../../src-main/core/ike/constants.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { expectCodec, expectEveryBodyPrefixRejected, expectMalformed, fixture, withBody } from './codec.ts';

const D = PayloadType.D;

describe('Delete payload', () => {
  it('golden: two ESP SPIs', () => {
    const golden = fixture(`
      00 00 0010    // generic header: Next Payload NONE, C=0, Payload Length 16
      03 04 0002    // Protocol ID 3 (ESP), SPI Size 4, Num of SPIs 2
      c1a9656b      // SPI 1
      ac0faf03      // SPI 2
    `);
    expectCodec(golden, { type: D, protocolId: ProtocolId.ESP, spiSize: 4, spis: [fixture('c1a9656b'), fixture('ac0faf03')] });
    expectEveryBodyPrefixRejected(golden, D);
  });

  it('golden: the IKE SA itself (SPI Size 0, no SPIs)', () => {
    const golden = fixture(`
      00 00 0008    // generic header: Payload Length 8
      01 00 0000    // Protocol ID 1 (IKE), SPI Size 0, Num of SPIs 0
    `);
    expectCodec(golden, { type: D, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] });
  });

  it('rejects a body that disagrees with its counts', () => {
    expectMalformed(withBody('03 04 0002 c1a9656b'), D, /2 SPIs of 4 bytes, but 4 bytes follow/);
    expectMalformed(withBody('03 04 0001 c1a9656b ff'), D, /but 5 bytes/);
  });

  it('refuses an SPI of the wrong size, naming the field', () => {
    expect(() => encodeInnerPayloads([{ type: D, protocolId: 3, spiSize: 4, spis: [new Uint8Array(8)] }])).toThrow(/delete.spis\[0\]: 8 bytes, must be 4/);
  });
});
