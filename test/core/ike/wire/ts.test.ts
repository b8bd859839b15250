// Traffic Selector payloads TSi/TSr (RFC 7296 3.13, 3.13.1).
import { describe, expect, it } from 'vitest';
import { PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { expectCodec, expectEveryBodyPrefixRejected, expectMalformed, fixture, withBody } from './codec.ts';

const TSI = PayloadType.TSi;

const GOLDEN = fixture(`
  00 00 0048        // generic header: Next Payload NONE, C=0, Payload Length 72
  03 000000         // Number of TSs 3, RESERVED
  07 00 0010        // TS Type 7 (TS_IPV4_ADDR_RANGE), IP Protocol 0 (any), Selector Length 16
  0000 ffff         //   Start Port 0, End Port 65535
  00000000 ffffffff //   0.0.0.0 .. 255.255.255.255
  08 11 0028        // TS Type 8 (TS_IPV6_ADDR_RANGE), IP Protocol 17 (UDP), Selector Length 40
  01f4 01f4         //   Start Port 500, End Port 500
  20010db8000000000000000000000000  // 2001:db8::
  20010db80000000000000000ffffffff  // 2001:db8::ffff:ffff
  0a 00 0008        // TS Type 10 (TS_SECLABEL, RFC 9478), RESERVED, Selector Length 8: kept raw
  73797300          //   the label "sys\\0"
`);

describe('TS payload', () => {
  it('golden fixture: IPv4 and IPv6 ranges and an unknown type kept whole', () => {
    expectCodec(GOLDEN, {
      type: TSI,
      selectors: [
        { kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '0.0.0.0', endAddress: '255.255.255.255' },
        { kind: 'ipv6', ipProtocol: 17, startPort: 500, endPort: 500, startAddress: '2001:db8::', endAddress: '2001:db8::ffff:ffff' },
        { kind: 'other', raw: fixture('0a 00 0008 73797300') },
      ],
    });
  });

  it('rejects every truncated body even when the generic length agrees', () => {
    expectEveryBodyPrefixRejected(GOLDEN, TSI);
  });

  it('rejects selector lengths that do not fit the type, and extra bytes', () => {
    expectMalformed(withBody('01 000000 07 00 0014 0000ffff 00000000 ffffffff 00000000'), TSI, /Selector Length 20/);
    expectMalformed(withBody('01 000000 08 00 0010 0000ffff 00000000 ffffffff'), TSI, /Selector Length 16/);
    expectMalformed(withBody('01 000000 0a 00 0002'), TSI, /Selector Length 2/);
    expectMalformed(withBody('00 000000 ff'), TSI, /1 bytes after 0 selectors/);
  });

  it('refuses bad local input, naming the field', () => {
    const v4 = { kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '10.0.0.1', endAddress: '10.0.0.1' } as const;
    expect(() => encodeInnerPayloads([{ type: TSI, selectors: [{ ...v4, endAddress: '::1' }] }])).toThrow(/selectors\[0\].endAddress/);
    expect(() => encodeInnerPayloads([{ type: TSI, selectors: [{ ...v4, endPort: -1 }] }])).toThrow(/selectors\[0\].endPort/);
    expect(() => encodeInnerPayloads([{ type: TSI, selectors: [{ kind: 'other', raw: fixture('07 00 0004') }] }])).toThrow(/own kind/);
  });
});
