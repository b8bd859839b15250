// Every traffic class is charged to its documented cause (traffic-cause.ts), none left undefined.
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../../src-main/core/causes.ts';
import { TRAFFIC_CLASSES } from '../../../src-main/core/ike/traffic.ts';
import { causeOf } from '../../../src-main/core/live/traffic-cause.ts';

describe('causeOf', () => {
  it('charges setup and teardown to reconnect, liveness and other exchanges to dpd, the rest to their own cause', () => {
    expect(Object.fromEntries(TRAFFIC_CLASSES.map((c) => [c, causeOf(c)]))).toEqual({
      'ike-setup': CAUSE.reconnect,
      dpd: CAUSE.dpd,
      rekey: CAUSE.rekey,
      delete: CAUSE.reconnect,
      keepalive: CAUSE.keepalive,
      data: CAUSE.data,
      control: CAUSE.dpd,
      invalid: CAUSE.data,
    });
  });
});
