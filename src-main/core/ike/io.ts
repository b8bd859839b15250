/**
 * What the IKE engine (responder or initiator) takes in and gives out. It is sans-IO: a UDP
 * adapter hands it datagrams with the addresses they carried and the time; it answers with
 * datagrams to send, events, and the time it next needs to be woken (its deadline).
 */
import type { SkKeys } from '../crypto/suite.ts';
import type { TrafficClass, TrafficNote } from './traffic.ts';

export interface Endpoint {
  /** IPv4 address, dotted. */
  readonly address: string;
  readonly port: number;
}

export interface Send {
  readonly kind: 'send';
  /** The local address and port to send from (the port the peer reached us on, 500 or 4500). */
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly bytes: Uint8Array;
  /** What it is (traffic.ts), when the engine knows. */
  readonly note?: TrafficNote;
}

/** A CHILD_SA as the data plane needs it: SPIs, algorithms, keys and selectors. */
export interface ChildSaInfo {
  /** The SPI we receive on, and the one we send with (RFC 4303). */
  readonly spiIn: number;
  readonly spiOut: number;
  readonly encr: number;
  readonly keyLength?: number;
  readonly integ?: number;
  readonly esn: boolean;
  /** Keys for what we receive and what we send. */
  readonly keysIn: SkKeys;
  readonly keysOut: SkKeys;
  readonly localTs: readonly string[];
  readonly remoteTs: readonly string[];
}

export type IkeEvent =
  | { readonly kind: 'ike-up'; readonly sa: string; readonly peerId: string; readonly peer: Endpoint; readonly virtualIp: string | null }
  | { readonly kind: 'ike-down'; readonly sa: string; readonly reason: 'deleted-by-peer' | 'deleted' | 'dpd-failed' | 'replaced' | 'auth-failed' | 'expired' | 'rekeyed' | 'redundant' }
  | { readonly kind: 'ike-rekeyed'; readonly sa: string; readonly newSa: string }
  | { readonly kind: 'child-up'; readonly sa: string; readonly child: ChildSaInfo; readonly rekeyOf: number | null }
  | { readonly kind: 'child-down'; readonly sa: string; readonly spiIn: number; readonly reason: string }
  | { readonly kind: 'peer-moved'; readonly sa: string; readonly peer: Endpoint }
  /** An IKE SA taken over from a snapshot (gateway/snapshot.ts), with its CHILD_SAs. */
  | { readonly kind: 'ike-restored'; readonly sa: string; readonly peerId: string; readonly peer: Endpoint; readonly virtualIp: string | null; readonly children: readonly ChildSaInfo[] }
  /** RFC 6311 message ID synchronisation done (ok) or refused: the IDs now in use. */
  | { readonly kind: 'mid-sync'; readonly sa: string; readonly ok: boolean; readonly nextId: number; readonly expectId: number }
  | { readonly kind: 'mobike-update'; readonly sa: string; readonly peer: Endpoint; readonly peerBehindNat: boolean }
  /** Our liveness check went unanswered; with dpd.action "keep" the SA stays (else ike-down follows). */
  | { readonly kind: 'dpd-failed'; readonly sa: string; readonly action: 'clear' | 'keep' }
  | { readonly kind: 'exchange'; readonly sa: string; readonly exchange: string; readonly dir: 'in' | 'out'; readonly request: boolean; readonly messageId: number; readonly summary: string }
  | { readonly kind: 'drop'; readonly reason: string; readonly detail: string; readonly from: Endpoint }
  | { readonly kind: 'keepalive'; readonly from: Endpoint }
  /** The gateway's policy was changed while running (the live lab's controls): the new values. */
  | { readonly kind: 'policy-changed'; readonly changes: Readonly<Record<string, unknown>> }
  /**
   * One datagram to or from a peer (the Gateway reports every one): `bytes` is the UDP payload,
   * `ipBytes` the IPv4 packet on the wire (28 octets of IPv4 and UDP headers more), `local` our
   * end, `head` the payload's leading octets that are readable on the wire (session/wire-head.ts):
   * read only, and often a view of the datagram itself (wireHeadOf), which a consumer that keeps
   * the event keeps with it.
   */
  | {
      readonly kind: 'traffic';
      readonly dir: 'in' | 'out';
      readonly peer: Endpoint;
      readonly local: Endpoint;
      readonly head: Uint8Array;
      readonly bytes: number;
      readonly ipBytes: number;
      readonly cls: TrafficClass;
      readonly sa?: string;
      /** The IKE SA's slot in the Responder (TrafficNote.slot): a later SA may take it over. */
      readonly slot?: number;
      readonly spi?: number;
      readonly messageId?: number;
      readonly request?: boolean;
    };

export type Output = Send | { readonly kind: 'event'; readonly event: IkeEvent };

/** Collects what one call produces. */
export class Outbox {
  private items: Output[] = [];

  /** Datagrams queued since the last drain (keepalive timers look at this). */
  sends = 0;

  send(from: Endpoint, to: Endpoint, bytes: Uint8Array, note?: TrafficNote): void {
    this.items.push(note ? { kind: 'send', from, to, bytes, note } : { kind: 'send', from, to, bytes });
    this.sends++;
  }

  event(event: IkeEvent): void {
    this.items.push({ kind: 'event', event });
  }

  /** Everything produced since the last drain, in order. */
  drain(): Output[] {
    const out = this.items;
    this.items = [];
    this.sends = 0;
    return out;
  }
}

export const endpointKey = (e: Endpoint): string => `${e.address}:${e.port}`;
export const sameEndpoint = (a: Endpoint, b: Endpoint): boolean => a.address === b.address && a.port === b.port;
