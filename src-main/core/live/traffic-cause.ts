/**
 * What a datagram's radio cost is charged to (causes.ts; energy-models.md "Definitions"), from its
 * traffic class (ike/traffic.ts). Setup and teardown of the tunnel are `reconnect`; an exchange
 * that keeps an existing tunnel working and is none of the others (MOBIKE, RFC 6311
 * synchronisation) is charged like a liveness check; packets the gateway could not understand
 * reached the phone's radio all the same and count as `data`.
 */
import { CAUSE, type CauseCode } from '../causes.ts';
import type { TrafficClass } from '../ike/traffic.ts';

const CAUSE_OF: Readonly<Record<TrafficClass, CauseCode>> = {
  'ike-setup': CAUSE.reconnect,
  delete: CAUSE.reconnect,
  dpd: CAUSE.dpd,
  control: CAUSE.dpd,
  rekey: CAUSE.rekey,
  keepalive: CAUSE.keepalive,
  data: CAUSE.data,
  invalid: CAUSE.data,
};

export function causeOf(cls: TrafficClass): CauseCode {
  return CAUSE_OF[cls];
}
