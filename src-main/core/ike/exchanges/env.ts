/** What an exchange handler may use and change in the engine (responder or initiator) that runs it. */
import type { CryptoSuite } from '../../crypto/suite.ts';
import type { IkeSa } from '../ike-sa.ts';
import type { Endpoint, Outbox } from '../io.ts';
import type { IkePolicy } from '../policy.ts';
import type { TrafficNote } from '../traffic.ts';

export interface Env {
  readonly suite: CryptoSuite;
  readonly policy: IkePolicy;
  readonly out: Outbox;
  /** The NAT-T port (RFC 3948): IKE there carries the non-ESP marker. */
  readonly nattPort: number;
  /** What the datagram being handled turned out to be, once decrypted (traffic.ts). */
  noteIn(note: TrafficNote): void;
  /** Counts a dropped datagram by reason and reports it. */
  drop(reason: string, detail: string, from: Endpoint): void;
  /** Forgets an IKE SA (and releases its virtual IP). */
  remove(sa: IkeSa): void;
  /** Registers an IKE SA made by a rekey, so its packets are found. */
  add(sa: IkeSa): void;
  /** A rekeyed IKE SA took over from an older one (the initiator follows it; 2.18). */
  current(sa: IkeSa): void;
  /**
   * The IKE SA authenticated its peer (`sa.peerId` is set): returns the other live IKE SAs of the
   * same identity (INITIAL_CONTACT clears them, RFC 7296 2.4). The responder keeps them indexed
   * by identity, so this does not grow with the number of SAs.
   */
  identified(sa: IkeSa): IkeSa[];
}
