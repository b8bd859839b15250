/**
 * What each datagram between the gateway and a client was, for the live estimator and session
 * recordings (issue "live lab"): the radio cost of a packet depends on why it was sent. Classes:
 *
 * - `ike-setup`: IKE_SA_INIT and IKE_AUTH (RFC 7296 1.2);
 * - `dpd`: an empty INFORMATIONAL request and its response (the liveness check, 2.4), also with
 *   only NAT detection in it (charon's MOBIKE liveness check behind a NAT, RFC 4555 3.8);
 * - `rekey`: CREATE_CHILD_SA (1.3);
 * - `delete`: an INFORMATIONAL with a Delete payload (1.4.1);
 * - `keepalive`: the one-octet NAT-T keepalive (RFC 3948 2.3);
 * - `data`: ESP (RFC 4303);
 * - `control`: other INFORMATIONAL exchanges (MOBIKE updates, RFC 6311 synchronisation);
 * - `invalid`: anything dropped before it was understood.
 *
 * A response has its request's class.
 */
import { ExchangeType, NotifyStatus, PayloadType as T } from './constants.ts';
import type { Payload } from './wire/payloads.ts';

export type TrafficClass = 'ike-setup' | 'dpd' | 'rekey' | 'delete' | 'keepalive' | 'data' | 'control' | 'invalid';

export const TRAFFIC_CLASSES: readonly TrafficClass[] = ['ike-setup', 'dpd', 'rekey', 'delete', 'keepalive', 'data', 'control', 'invalid'];

/** What an engine knows about a datagram it sent or took in. */
export interface TrafficNote {
  readonly cls: TrafficClass;
  /** The IKE SA ("SPIi_SPIr"). */
  readonly sa?: string;
  /** Its IkeSa.slot, when a Responder holds it (a later SA may take the number over). */
  readonly slot?: number;
  readonly messageId?: number;
  readonly request?: boolean;
  /** ESP: the SPI in the packet. */
  readonly spi?: number;
}

const NAT_D = new Set<number>([NotifyStatus.NAT_DETECTION_SOURCE_IP, NotifyStatus.NAT_DETECTION_DESTINATION_IP, NotifyStatus.COOKIE2]);

/** The class of an exchange from its request's (decrypted) payloads. */
export function exchangeClass(exchange: number, payloads: readonly Payload[]): TrafficClass {
  switch (exchange) {
    case ExchangeType.IKE_SA_INIT:
    case ExchangeType.IKE_AUTH:
      return 'ike-setup';
    case ExchangeType.CREATE_CHILD_SA:
      return 'rekey';
    case ExchangeType.INFORMATIONAL:
      if (payloads.some((p) => p.type === T.D)) return 'delete';
      if (payloads.every((p) => p.type === T.N && NAT_D.has(p.notifyType))) return 'dpd';
      return 'control';
    default:
      return 'control';
  }
}
