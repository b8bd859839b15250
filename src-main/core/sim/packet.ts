/** What the simulated client and gateway put on the wire (one IPv4 datagram each). */
import type { CauseCode } from '../causes.ts';

/** RFC 7296 section 3.1 exchange types. */
export type ExchangeType = 'IKE_SA_INIT' | 'IKE_AUTH' | 'INFORMATIONAL' | 'CREATE_CHILD_SA';

/** What an IKE message is for (the simulator does not model payloads, only their purpose). */
export type Purpose = 'dpd' | 'rekey-ike' | 'rekey-child' | 'init' | 'auth' | 'data';

export interface Packet {
  readonly kind: 'keepalive' | 'ike' | 'esp';
  /** Bytes on the wire, IP header included. */
  readonly bytes: number;
  readonly cause: CauseCode;
  /** The IKE_SA it belongs to (a generation number; 0 for keepalives). */
  readonly sa: number;
  readonly exchange?: ExchangeType;
  readonly purpose?: Purpose;
  readonly response?: boolean;
  /** Matches a response to its request. */
  readonly xid?: number;
  /** Data only: how many bytes the peer sends back (interactive request/response, push ack). */
  readonly replyBytes?: number;
  /** NAT external port: set by the NAT on the way up, the gateway's destination on the way down. */
  port?: number;
}
