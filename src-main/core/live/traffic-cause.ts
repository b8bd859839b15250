/**
 * What a datagram's radio cost is charged to (causes.ts; energy-models.md "Definitions"), from its
 * traffic class (ike/traffic.ts). Setup and teardown of the tunnel are `reconnect`; an exchange
 * that keeps an existing tunnel working and is none of the others (MOBIKE, RFC 6311
 * synchronisation) is charged like a liveness check; packets the gateway could not understand
 * reached the phone's radio all the same and count as `data`.
 */
import { CAUSE, type CauseCode } from '../causes.ts';
import type { TrafficClass } from '../ike/traffic.ts';

/**
 * A switch, not a table: the class is one of a few constant strings, compared by identity, and
 * this runs for every datagram of the lab (a keyed load with eight different keys went
 * megamorphic: 0.2 % of the lab's gateway in a perf profile, BENCHMARKS.md).
 */
export function causeOf(cls: TrafficClass): CauseCode {
  switch (cls) {
    case 'keepalive':
      return CAUSE.keepalive;
    case 'dpd':
    case 'control':
      return CAUSE.dpd;
    case 'data':
    case 'invalid':
      return CAUSE.data;
    case 'rekey':
      return CAUSE.rekey;
    case 'ike-setup':
    case 'delete':
      return CAUSE.reconnect;
  }
}
