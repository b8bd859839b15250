// IKEv2 numbers (checked against strongSwan 6.x's enums when written): tables stay one-to-one, so
// that nameOf gives back the one name of a number, and notify errors and statuses keep their ranges.
import { describe, expect, it } from 'vitest';
import * as C from '../../../src-main/core/ike/constants.ts';

const tables = Object.entries(C).filter(([, v]) => typeof v === 'object' && v !== null) as [string, Record<string, number>][];

describe('IKEv2 constants', () => {
  it.each(tables)('%s maps each number to one name', (_name, table) => {
    const values = Object.values(table);
    expect(new Set(values).size).toBe(values.length);
    for (const [k, v] of Object.entries(table)) expect(C.nameOf(table, v)).toBe(k);
  });

  it('notify errors are below 16384, statuses from 16384 (RFC 7296 3.10.1)', () => {
    expect(Object.values(C.NotifyError).every((v) => v > 0 && v < 16384)).toBe(true);
    expect(Object.values(C.NotifyStatus).every((v) => v >= 16384 && v < 40960)).toBe(true);
  });

  it('spot values from the IANA registry', () => {
    expect([C.ExchangeType.IKE_SA_INIT, C.PayloadType.SK, C.PayloadType.SKF, C.DhGroup.CURVE25519]).toEqual([34, 46, 53, 31]);
    expect([C.NotifyStatus.REDIRECT, C.NotifyStatus.IKEV2_FRAGMENTATION_SUPPORTED, C.CfgAttr.INTERNAL_IP6_SUBNET]).toEqual([16407, 16430, 15]);
    expect(C.nameOf(C.PayloadType, 200)).toBe('#200');
  });
});
