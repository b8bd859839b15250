// AUTH payload (RFC 7296 3.8).
import { describe, expect, it } from 'vitest';
import { AuthMethod, PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { encodeInnerPayloads } from '../../../../src-main/core/ike/wire/message.ts';
import { expectCodec, expectMalformed, fixture, withBody } from './codec.ts';

const AUTH = PayloadType.AUTH;
const MAC = fixture('a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0');

describe('AUTH payload', () => {
  it('golden: Shared Key Message Integrity Code with a 32-byte PRF output', () => {
    const golden = fixture(`
      00 00 0028    // generic header: Next Payload NONE, C=0, Payload Length 40
      02 000000     // Auth Method 2 (SHARED_KEY_MIC), RESERVED
      a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0  // Authentication Data
    `);
    expectCodec(golden, { type: AUTH, method: AuthMethod.SHARED_KEY_MIC, data: MAC });
  });

  it('rejects a body without authentication data', () => {
    expectMalformed(withBody('02 000000'), AUTH, /AUTH/);
  });

  it('refuses empty local data, naming the field', () => {
    expect(() => encodeInnerPayloads([{ type: AUTH, method: 2, data: new Uint8Array(0) }])).toThrow(/auth.data/);
  });
});
