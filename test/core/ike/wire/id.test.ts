// Identification payloads IDi/IDr (RFC 7296 3.5).
import { describe, expect, it } from 'vitest';
import { PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { expectCodec, expectMalformed, fixture, payloadOf, withBody } from './codec.ts';

const IDI = PayloadType.IDi;
const IDR = PayloadType.IDr;

describe('ID payload', () => {
  it('golden ID_IPV4_ADDR (IDi)', () => {
    const golden = fixture(`
      00 00 000c    // generic header: Next Payload NONE, C=0, Payload Length 12
      01 000000     // ID Type 1 (ID_IPV4_ADDR), RESERVED
      c0000201      // 192.0.2.1
    `);
    expectCodec(golden, { type: IDI, kind: 'ipv4', address: '192.0.2.1' });
  });

  it('golden ID_FQDN (IDr)', () => {
    const golden = fixture(`
      00 00 0017                        // generic header: Payload Length 23
      02 000000                         // ID Type 2 (ID_FQDN), RESERVED
      76706e2e6578616d706c652e636f6d    // "vpn.example.com"
    `);
    expectCodec(golden, { type: IDR, kind: 'fqdn', name: 'vpn.example.com' });
  });

  it('golden ID_RFC822_ADDR', () => {
    const golden = fixture(`
      00 00 0019                          // generic header: Payload Length 25
      03 000000                           // ID Type 3 (ID_RFC822_ADDR), RESERVED
      616c696365406578616d706c652e6f7267  // "alice@example.org"
    `);
    expectCodec(golden, { type: IDI, kind: 'rfc822', name: 'alice@example.org' });
  });

  it('golden ID_IPV6_ADDR', () => {
    const golden = fixture(`
      00 00 0018                          // generic header: Payload Length 24
      05 000000                           // ID Type 5 (ID_IPV6_ADDR), RESERVED
      20010db8000000000000000000000001    // 2001:db8::1
    `);
    expectCodec(golden, { type: IDI, kind: 'ipv6', address: '2001:db8::1' });
  });

  it('golden ID_KEY_ID', () => {
    const golden = fixture('00 00 000d  0b 000000  6b657931 00');
    expectCodec(golden, { type: IDI, kind: 'key-id', keyId: fixture('6b65793100') });
  });

  it('golden ID_DER_ASN1_DN kept raw', () => {
    const golden = fixture(`
      00 00 0011        // generic header: Payload Length 17
      09 000000         // ID Type 9 (ID_DER_ASN1_DN), RESERVED
      3007310530030603  // DER (kept as bytes)
      00
    `);
    expectCodec(golden, { type: IDR, kind: 'raw', idType: 9, data: fixture('300731053003060300') });
  });

  it('keeps every byte of a name, so re-encoding signs the same octets', () => {
    const p = payloadOf(withBody('02 000000 e9ff00'), IDI);
    expect(p).toEqual({ type: IDI, kind: 'fqdn', name: '\u00e9\u00ff\u0000' });
    expect(encodeInnerPayloads([p])).toEqual(withBody('02 000000 e9ff00'));
  });

  it('rejects addresses of the wrong size and empty data', () => {
    expectMalformed(withBody('01 000000 c00002'), IDI, /ID_IPV4_ADDR of 3 bytes/);
    expectMalformed(withBody('05 000000 c0000201'), IDI, /ID_IPV6_ADDR of 4 bytes/);
    expectMalformed(withBody('02 000000'), IDI, /needs a type/);
  });

  it('refuses bad local input, naming the field', () => {
    expect(() => encodeInnerPayloads([{ type: IDI, kind: 'ipv4', address: '192.0.2' }])).toThrow(/id.address/);
    expect(() => encodeInnerPayloads([{ type: IDI, kind: 'fqdn', name: 'bücher.de\u0100' }])).toThrow(/id.name/);
    expect(() => encodeInnerPayloads([{ type: IDI, kind: 'raw', idType: 1, data: new Uint8Array(4) }])).toThrow(/id.idType/);
    expect(() => encodeInnerPayloads([{ type: IDI, kind: 'fqdn', name: '' }])).toThrow(/id data/);
  });
});
