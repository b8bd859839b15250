// Vendor ID payload (RFC 7296 3.12).
import { describe, it } from 'vitest';
import { PayloadType } from '../../../../src-main/core/ike/constants.ts';
import { expectCodec, fixture } from './codec.ts';

describe('Vendor ID payload', () => {
  it('golden: strongSwan\'s Vendor ID, MD5("strongSwan")', () => {
    const golden = fixture(`
      00 00 0014                          // generic header: Next Payload NONE, C=0, Payload Length 20
      882fe56d6fd20dbc2251613b2ebe5beb    // Vendor ID
    `);
    expectCodec(golden, { type: PayloadType.V, vendorId: fixture('882fe56d6fd20dbc2251613b2ebe5beb') });
  });
});
