// CERT (3.6), CERTREQ (3.7) and EAP (3.16) kept as raw bodies, for the caller to refuse.
import { describe, it } from 'vitest';
import { PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { expectCodec, fixture } from './codec.ts';

describe('raw payloads', () => {
  it('golden CERTREQ: encoding 4 (X.509 signature) and one CA key hash', () => {
    const golden = fixture(`
      00 00 0019                                  // generic header: Next Payload NONE, C=0, length 25
      04                                          // Cert Encoding 4 (X.509 Certificate - Signature)
      00112233445566778899aabbccddeeff00112233    // Certification Authority: SHA-1 of a public key
    `);
    expectCodec(golden, { type: PayloadType.CERTREQ, data: golden.subarray(4) });
  });

  it('golden CERT: encoding 4 and (a stand-in for) DER bytes', () => {
    const golden = fixture('00 00 0009  04 30 03 02 01');
    expectCodec(golden, { type: PayloadType.CERT, data: fixture('04 30 03 02 01') });
  });

  it('golden EAP: an EAP Request/Identity (RFC 3748)', () => {
    const golden = fixture(`
      00 00 0009    // generic header: length 9
      01 07 0005 01 // EAP Code 1 (Request), Identifier 7, Length 5, Type 1 (Identity)
    `);
    expectCodec(golden, { type: PayloadType.EAP, data: fixture('01 07 0005 01') });
  });
});
