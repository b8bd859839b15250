// Configuration payload (RFC 7296 3.15, 3.15.1).
import { describe, expect, it } from 'vitest';
import { CfgAttr, CfgType, PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { ipv4Attribute, ipv4Of } from '../../../../src-main/core/ike/wire/cp.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { toHex } from '../../../../src-main/core/bytes/hex.ts';
import { expectCodec, expectMalformed, fixture, payloadOf, withBody } from './codec.ts';

const CP = PayloadType.CP;

describe('CP payload', () => {
  it('golden CFG_REQUEST: zero-length attributes ask for an address and a DNS server', () => {
    const golden = fixture(`
      00 00 0010    // generic header: Next Payload NONE, C=0, Payload Length 16
      01 000000     // CFG Type 1 (CFG_REQUEST), RESERVED
      0001 0000     // R=0, INTERNAL_IP4_ADDRESS, Length 0 (a request)
      0003 0000     // R=0, INTERNAL_IP4_DNS, Length 0
    `);
    expectCodec(golden, {
      type: CP,
      cfgType: CfgType.CFG_REQUEST,
      attributes: [{ type: CfgAttr.INTERNAL_IP4_ADDRESS, value: new Uint8Array(0) }, { type: CfgAttr.INTERNAL_IP4_DNS, value: new Uint8Array(0) }],
    });
  });

  it('golden CFG_REPLY with a virtual IP and a DNS server', () => {
    const golden = fixture(`
      00 00 0018    // generic header: Payload Length 24
      02 000000     // CFG Type 2 (CFG_REPLY), RESERVED
      0001 0004     // INTERNAL_IP4_ADDRESS, Length 4
      0a000002      //   10.0.0.2
      0003 0004     // INTERNAL_IP4_DNS, Length 4
      0a000001      //   10.0.0.1
    `);
    const value = {
      type: CP,
      cfgType: CfgType.CFG_REPLY,
      attributes: [ipv4Attribute(CfgAttr.INTERNAL_IP4_ADDRESS, '10.0.0.2'), ipv4Attribute(CfgAttr.INTERNAL_IP4_DNS, '10.0.0.1')],
    } as const;
    expectCodec(golden, value);
    // A body cut at an attribute boundary is a shorter valid list; cut anywhere else, it is refused.
    for (const n of [5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19]) {
      expectMalformed(withBody(toHex(golden.subarray(4, 4 + n))), CP, /cut short/);
    }
    expect(value.attributes.map(ipv4Of)).toEqual(['10.0.0.2', '10.0.0.1']);
  });

  it('ignores the R bit on receipt', () => {
    const p = payloadOf(withBody('01 000000 8001 0000'), CP);
    expect(p).toEqual({ type: CP, cfgType: 1, attributes: [{ type: 1, value: new Uint8Array(0) }] });
  });

  it('rejects an attribute that runs past the body', () => {
    expectMalformed(withBody('02 000000 0001 0004 0a00'), CP, /attribute 1 cut short/);
  });

  it('refuses bad local input, naming the field', () => {
    expect(() => ipv4Attribute(1, '10.0.0.256')).toThrow(/address/);
    expect(() => encodeInnerPayloads([{ type: CP, cfgType: 1, attributes: [{ type: 0x8001, value: new Uint8Array(0) }] }])).toThrow(/cp.attributes\[0\].type/);
  });
});
