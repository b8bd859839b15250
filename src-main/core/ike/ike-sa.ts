/**
 * One IKE SA and what RFC 7296 asks it to remember: its SPIs and keys, the peer's address, the
 * message IDs of both directions with the last response (a retransmitted request gets it again,
 * byte for byte, 2.1), our own request in flight with its retransmission schedule (2.1, 2.4), the
 * time of the last authenticated inbound packet (for DPD, 2.4), and its CHILD_SAs.
 *
 * The window size is 1 in each direction (2.3: the default; we never send SET_WINDOW_SIZE).
 */
import { toHex } from '../bytes/hex.ts';
import type { CryptoSuite, SkCipher } from '../crypto/suite.ts';
import type { Uniform } from '../policy/retransmit.ts';
import type { ChildSa } from './child-sa.ts';
import type { Endpoint } from './io.ts';
import type { IkeSaKeys, IkeSaTransforms } from './keymat.ts';
import type { TrafficNote } from './traffic.ts';
import type { Payload } from './wire/payloads.ts';

export type IkeSaState = 'half-open' | 'established' | 'rekeyed' | 'deleting' | 'dead';
export type Role = 'initiator' | 'responder';

/** Our request in flight. */
export interface Pending {
  readonly messageId: number;
  readonly exchange: number;
  /** The datagram as sent (retransmissions resend these bytes, 2.1). */
  readonly bytes: Uint8Array;
  /** Waits after each send, s (policy/retransmit schedule). */
  readonly waits: readonly number[];
  attempt: number;
  deadline: number;
  /** What to do with the decrypted response payloads (and their bodies as received); on timeout, onFailure. */
  readonly onResponse: (payloads: readonly Payload[], now: number, bodies: readonly Uint8Array[]) => void;
  readonly onFailure: (now: number) => void;
  /** What the request is (its retransmissions are the same). */
  readonly note: TrafficNote;
}

export interface IkeSaInit {
  readonly role: Role;
  readonly spiI: Uint8Array;
  readonly spiR: Uint8Array;
  readonly transforms: IkeSaTransforms;
  readonly keys: IkeSaKeys;
  readonly Ni: Uint8Array;
  readonly Nr: Uint8Array;
  /** The IKE_SA_INIT request and response as sent (the AUTH payloads sign them, 2.15). */
  readonly initRequest: Uint8Array;
  readonly initResponse: Uint8Array;
  readonly local: Endpoint;
  readonly peer: Endpoint;
  readonly natt: boolean;
  readonly now: number;
}

export class IkeSa {
  readonly role: Role;
  readonly spiI: Uint8Array;
  spiR: Uint8Array;
  readonly transforms: IkeSaTransforms;
  readonly keys: IkeSaKeys;
  readonly Ni: Uint8Array;
  readonly Nr: Uint8Array;
  readonly initRequest: Uint8Array;
  readonly initResponse: Uint8Array;
  state: IkeSaState = 'half-open';
  local: Endpoint;
  peer: Endpoint;
  /** IKE runs on the NAT-T port with the non-ESP marker (after NAT-D, RFC 7296 2.23). */
  natt: boolean;
  peerBehindNat = false;
  selfBehindNat = false;
  /**
   * Its number among the IKE SAs a Responder holds: 0, 1, ..., taken over by a later SA once this
   * one is gone; -1 outside a Responder. Its datagrams carry it (TrafficNote.slot), a key the live
   * estimator can look up in an array, where the name needs a hash table (core/live/estimator.ts).
   */
  slot = -1;
  readonly createdAt: number;
  establishedAt = 0;
  /** Last authenticated inbound IKE or ESP packet (DPD looks at this, 2.4). */
  lastInbound: number;
  peerId = '';
  /** The responder's key for answering a retransmitted IKE_SA_INIT (SPIi and peer), while half-open. */
  initKey = '';
  virtualIp: number | null = null;
  /** Both ends support MOBIKE (RFC 4555 3.3: MOBIKE_SUPPORTED in IKE_AUTH both ways). */
  mobike = false;
  /** Both ends said IKEV2_MESSAGE_ID_SYNC_SUPPORTED in IKE_AUTH (RFC 6311 4). */
  msgIdSync = false;
  readonly children: ChildSa[] = [];

  /** Next request ID we expect from the peer, and the response we gave to the one before it. */
  expectId: number;
  lastResponse: { messageId: number; bytes: Uint8Array; to: Endpoint; from: Endpoint; note?: TrafficNote } | null = null;
  /** Next request ID we use (2.2), and our request in flight. */
  nextId: number;
  pending: Pending | null = null;
  /** Requests waiting for the window (DPD, deletes, rekeys). */
  readonly queue: (() => void)[] = [];
  /** When to start our next liveness check, IKE rekey, or SA expiry; Infinity when none. */
  dpdAt = Infinity;
  rekeyAt = Infinity;
  /** A half-open SA is dropped at this time unless IKE_AUTH completes (Infinity once established). */
  expireAt = Infinity;
  /** Our own rekey of this IKE SA in flight: the nonce we sent (2.8.2 compares it). */
  rekeying: { readonly Ni: Uint8Array } | null = null;
  /**
   * A rekey of this IKE SA the peer started while ours was in flight, already answered (2.8.2):
   * the IKE SA it made (not yet in charge) and the nonces of that exchange.
   */
  collision: { readonly next: IkeSa; readonly nonces: readonly Uint8Array[] } | null = null;

  constructor(i: IkeSaInit) {
    this.role = i.role;
    this.spiI = i.spiI;
    this.spiR = i.spiR;
    this.transforms = i.transforms;
    this.keys = i.keys;
    this.Ni = i.Ni;
    this.Nr = i.Nr;
    this.initRequest = i.initRequest;
    this.initResponse = i.initResponse;
    this.local = i.local;
    this.peer = i.peer;
    this.natt = i.natt;
    this.createdAt = i.now;
    this.lastInbound = i.now;
    // IKE_SA_INIT used ID 0; IKE_AUTH is 1 for the initiator's requests (2.2).
    this.expectId = i.role === 'responder' ? 1 : 0;
    this.nextId = i.role === 'initiator' ? 1 : 0;
  }

  /** "SPIi_SPIr" in hex: how logs and events name the SA. */
  get name(): string {
    // Asked for with every ESP packet (Responder.ikeSa): made once per SPIr array.
    if (this.nameOf !== this.spiR) {
      this.cachedName = `${toHex(this.spiI)}_${toHex(this.spiR)}`;
      this.nameOf = this.spiR;
    }
    return this.cachedName;
  }

  private nameOf: Uint8Array | null = null;
  private cachedName = '';

  /** The cipher of the SK payload and the PRF. */
  get cipher(): SkCipher {
    return this.transforms;
  }

  /** The earliest time this SA needs to be woken: a retransmission, DPD, a rekey (its own or a CHILD_SA's), expiry. */
  deadline(): number {
    let d = Math.min(this.pending ? this.pending.deadline : Infinity, this.dpdAt, this.rekeyAt, this.state === 'half-open' ? this.expireAt : Infinity);
    if (this.state === 'established') for (const c of this.children) if (c.rekeyAt < d && !c.rekeyed) d = c.rekeyAt;
    return d;
  }
}

/** Uniform numbers in [0, 1) from the CryptoSuite's randomness (for retransmission jitter). */
export function uniformFrom(suite: CryptoSuite): Uniform {
  return {
    next: () => {
      const b = suite.randomBytes(4);
      return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) / 2 ** 32;
    },
  };
}
