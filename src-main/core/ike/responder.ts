/**
 * The IKEv2 responder, sans-IO (architecture.md): `receive(now, datagram, from, to)` and
 * `tick(now)` feed it; `drain()` gives what to send and what happened; `nextDeadline()` says when
 * to call `tick` next. It keeps the IKE SAs by our SPI, answers retransmitted requests from the
 * cache (RFC 7296 2.1), follows the peer's address on authenticated packets (2.23), runs DPD
 * (2.4) and its own rekeys (2.8), and counts every dropped datagram by reason.
 */
import { toHex } from '../bytes/hex.ts';
import { formatIpv4 } from '../net/ipv4.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { ExchangeType, NotifyError } from './constants.ts';
import { CookieJar } from './cookie.ts';
import { TimerHeap } from '../timer-heap.ts';
import { notify } from './exchanges/build.ts';
import type { Env } from './exchanges/env.ts';
import { handleRequest } from './exchanges/requests-in.ts';
import { destroy, scheduleDpd } from './exchanges/lifecycle.ts';
import { rekeyChild } from './exchanges/create-child-initiator.ts';
import { startMidSync } from './exchanges/mid-sync.ts';
import { handleResponse } from './exchanges/requests-out.ts';
import { runTimers } from './exchanges/timers.ts';
import { respondSaInit } from './exchanges/sa-init-responder.ts';
import type { IkeSa } from './ike-sa.ts';
import { endpointKey, Outbox, type Endpoint, type Output } from './io.ts';
import type { IkePolicy } from './policy.ts';
import type { TrafficNote } from './traffic.ts';
import { checkPayloadRules } from './rules.ts';
import { decodeMessage, encodeMessage, type Datagram } from './wire/message.ts';
import type { Payload } from './wire/payloads.ts';

/** The NAT-T port (RFC 3948): IKE with the non-ESP marker, ESP and keepalives share it. */
export interface Ports {
  readonly ike: number;
  readonly natt: number;
}

/** The notes of a received keepalive and of a datagram that was dropped: one each, read only. */
const KEEPALIVE_IN: TrafficNote = Object.freeze({ cls: 'keepalive' });
const INVALID_IN: TrafficNote = Object.freeze({ cls: 'invalid' });

/** charon's default half_open_timeout (strongswan.conf), s. */
const HALF_OPEN_TIMEOUT_S = 30;

export class Responder {
  private readonly sas = new Map<string, IkeSa>();
  /** Half-open SAs by SPIi and peer, to answer a retransmitted IKE_SA_INIT request (2.1). */
  private readonly byInit = new Map<string, IkeSa>();
  readonly drops = new Map<string, number>();
  keepalives = 0;
  private readonly out = new Outbox();
  private readonly cookies: CookieJar;
  private readonly deadlines = new TimerHeap<IkeSa>((sa) => (sa.state === 'dead' ? Number.NaN : sa.deadline()));
  /** SAs added while handling another (a rekey's new SA): their deadlines are recorded afterwards. */
  private readonly touched: IkeSa[] = [];

  /** Authenticated IKE SAs by peer identity (INITIAL_CONTACT, 2.4). */
  private readonly byPeer = new Map<string, Set<IkeSa>>();

  /** Half-open SAs, for the COOKIE threshold (2.6) and their expiry. */
  private readonly halfOpenSas = new Set<IkeSa>();

  /** Slots (IkeSa.slot) of SAs that are gone, to be taken again; and the next never used. */
  private readonly freeSlots: number[] = [];
  private slots = 0;

  /** Holds `sa` from now on, found by its SPIr, with a slot of its own. */
  private admit(sa: IkeSa): void {
    if (sa.slot < 0) sa.slot = this.freeSlots.pop() ?? this.slots++;
    this.sas.set(toHex(sa.spiR), sa);
  }

  private halfOpen(): number {
    return this.halfOpenSas.size;
  }

  constructor(
    readonly suite: CryptoSuite,
    private currentPolicy: IkePolicy,
    readonly ports: Ports,
  ) {
    this.cookies = new CookieJar(suite);
  }

  get policy(): IkePolicy {
    return this.currentPolicy;
  }

  /**
   * Changes the DPD delay, DPD retransmissions or keepalive interval while running (the live lab's
   * policy controls). No exchange in flight is touched: each established SA's next liveness check
   * is moved to its last inbound packet plus the new delay (now at the earliest; never with delay
   * 0), and the new retransmission schedule applies from the next DPD on.
   */
  updatePolicy(now: number, patch: { readonly dpd?: Partial<IkePolicy['dpd']>; readonly keepaliveS?: number }): void {
    const p = this.currentPolicy;
    this.currentPolicy = { ...p, ...(patch.dpd ? { dpd: { ...p.dpd, ...patch.dpd } } : {}), ...(patch.keepaliveS !== undefined ? { keepaliveS: patch.keepaliveS } : {}) };
    if (!patch.dpd || patch.dpd.delayS === undefined) return;
    const delay = this.currentPolicy.dpd.delayS;
    for (const sa of this.sas.values()) {
      if (sa.state !== 'established' || sa.pending) continue;
      sa.dpdAt = delay > 0 ? Math.max(now, sa.lastInbound + delay) : Infinity;
      this.deadlines.touch(sa);
    }
  }

  /** All IKE SAs (established, half-open, being deleted). */
  get ikeSas(): readonly IkeSa[] {
    return [...this.sas.values()];
  }

  drain(): Output[] {
    return this.out.drain();
  }

  nextDeadline(): number {
    return Math.min(this.cookies.nextRotation, this.deadlines.next());
  }

  tick(now: number): void {
    this.cookies.rotate(now);
    for (const sa of this.deadlines.due(now)) {
      if (sa.state === 'half-open' && now >= sa.expireAt) {
        destroy(this.env(), sa, 'expired');
        continue;
      }
      runTimers(this.env(), sa, now);
      this.deadlines.touch(sa);
      for (const other of this.touched.splice(0)) this.deadlines.touch(other);
    }
  }

  /** What the datagram of the last `receive` was (traffic.ts); `invalid` when it was dropped. */
  lastIn: TrafficNote = INVALID_IN;

  receive(now: number, datagram: Uint8Array, from: Endpoint, to: Endpoint): void {
    const natt = to.port === this.ports.natt;
    const d = decodeMessage(datagram, { natt });
    this.lastIn = INVALID_IN;
    switch (d.kind) {
      case 'keepalive':
        // RFC 3948 2.3: keeps the NAT mapping open; never proof that the peer is alive (DPD).
        this.lastIn = KEEPALIVE_IN;
        this.keepalives++;
        this.out.event({ kind: 'keepalive', from });
        return;
      case 'esp':
        return this.drop('esp-not-handled', `ESP SPI ${d.spi.toString(16)} (the data plane is not attached)`, from);
      case 'drop':
        return this.onDecodeDrop(d, from, to, natt);
      default:
        return this.onIke(now, d, from, to, natt);
    }
  }

  /** The IKE SA named "SPIi_SPIr" (io.ts), if we hold it. */
  ikeSa(name: string): IkeSa | undefined {
    const sa = this.sas.get(name.slice(name.indexOf('_') + 1));
    return sa && sa.name === name ? sa : undefined;
  }

  /**
   * An authenticated ESP packet arrived on a CHILD_SA of this IKE SA: proof that the peer is alive,
   * so the next liveness check waits (RFC 7296 2.4; charon counts inbound ESP the same way).
   */
  espAlive(now: number, name: string): void {
    const sa = this.ikeSa(name);
    // Per ESP packet, so O(1) and nothing allocated: when the DPD deadline comes, checkDeadlines
    // sees the later lastInbound and moves the check on instead of sending it.
    if (sa && sa.state === 'established') sa.lastInbound = now;
  }

  /**
   * Takes over an IKE SA rebuilt from a snapshot (gateway/snapshot.ts): it is found by its SPIs
   * again, its virtual IP is leased to it, and its liveness check and rekeys are scheduled from now
   * (`rekeyInS`: what was left of the IKE SA's rekey time, null for the policy's full time). With
   * `midSync`, message IDs are synchronised with a peer that supports it (RFC 6311 5).
   */
  restoreIkeSa(now: number, sa: IkeSa, rekeyInS: number | null, midSync: boolean): void {
    this.admit(sa);
    if (sa.peerId) this.index(sa);
    if (sa.virtualIp !== null) this.policy.pool?.claim(sa.virtualIp, sa.peerId);
    sa.lastInbound = now;
    scheduleDpd(this.env(), sa, now);
    if (this.policy.ikeRekeyS > 0) sa.rekeyAt = now + (rekeyInS ?? this.policy.ikeRekeyS);
    this.deadlines.touch(sa);
    this.out.event({ kind: 'ike-restored', sa: sa.name, peerId: sa.peerId, peer: sa.peer, virtualIp: sa.virtualIp === null ? null : formatIpv4(sa.virtualIp), children: sa.children.map((c) => c.info()) });
    // RFC 6311 5: the saved message IDs may be stale; agree on them with the peer first.
    if (midSync && sa.msgIdSync) startMidSync(this.env(), sa, now);
    this.deadlines.touch(sa);
  }

  /** Rekeys one CHILD_SA now (the data plane asks when its sequence numbers run low, RFC 4303 3.3.3). */
  rekeyChildSa(now: number, name: string, spiIn: number): boolean {
    const sa = this.ikeSa(name);
    const child = sa?.children.find((c) => c.spiIn === spiIn);
    if (!sa || !child || sa.state !== 'established' || child.rekeyed || child.closing || child.rekeying) return false;
    rekeyChild(this.env(), sa, child, now);
    this.deadlines.touch(sa);
    return true;
  }

  private onIke(now: number, d: Extract<Datagram, { kind: 'ike' }>, from: Endpoint, to: Endpoint, natt: boolean): void {
    const h = d.header;
    const spiR = toHex(h.spiR);
    if (h.exchangeType === ExchangeType.IKE_SA_INIT && !h.response) {
      if (!h.initiator || h.messageId !== 0 || /^0+$/.test(spiR) === false) return this.drop('bad-init', 'IKE_SA_INIT request with SPIr, a message ID or without the I flag', from);
      const initKey = `${toHex(h.spiI)}/${endpointKey(from)}`;
      const known = this.byInit.get(initKey);
      if (known) {
        // 2.1: the same request again gets the same response, while it is the last one we gave;
        // once IKE_AUTH is answered, ID 0 is out of the window.
        this.lastIn = { cls: 'ike-setup', sa: known.name, slot: known.slot, messageId: 0, request: true };
        if (known.lastResponse?.messageId === 0) this.out.send(to, from, known.lastResponse.bytes, { cls: 'ike-setup', sa: known.name, slot: known.slot, messageId: 0, request: false });
        else this.drop('bad-message-id', `IKE_SA_INIT retransmitted after IKE_AUTH on ${known.name}`, from);
        return;
      }
      const problem = checkPayloadRules(h.exchangeType, false, d.payloads);
      if (problem) return this.drop('rules', problem.message, from);
      const r = respondSaInit({ suite: this.suite, policy: this.policy, cookies: this.cookies, halfOpen: this.halfOpen(), now, from, to, natt }, h, d.payloads, d.message);
      if (r.kind === 'drop') return this.drop(r.reason, r.detail, from);
      if (r.kind === 'sa') this.admit(r.sa);
      const setup: TrafficNote = r.kind === 'sa' ? { cls: 'ike-setup', sa: r.sa.name, slot: r.sa.slot, messageId: 0 } : { cls: 'ike-setup', messageId: 0 };
      this.lastIn = { ...setup, request: true };
      this.out.send(to, from, r.response, { ...setup, request: false });
      this.exchangeEvent(r.kind === 'sa' ? r.sa.name : `${toHex(h.spiI)}_0000000000000000`, 'IKE_SA_INIT', r.kind === 'sa' ? 'SA, KE, Nr' : r.why);
      if (r.kind === 'sa') {
        r.sa.lastResponse = { messageId: 0, bytes: r.response, to: from, from: to };
        r.sa.initKey = initKey;
        this.byInit.set(initKey, r.sa);
        this.halfOpenSas.add(r.sa);
        // charon's half_open_timeout: an IKE_AUTH that never comes does not hold state for long.
        r.sa.expireAt = now + HALF_OPEN_TIMEOUT_S;
        this.deadlines.touch(r.sa);
      }
      return;
    }
    const sa = this.sas.get(spiR);
    if (!sa || toHex(sa.spiI) !== toHex(h.spiI)) return this.drop('unknown-spi', `no IKE SA ${toHex(h.spiI)}_${spiR}`, from);
    if (h.response) handleResponse(this.env(), sa, d, from, to, now);
    else handleRequest(this.env(), sa, d, from, to, now);
    if (sa.state !== 'half-open') this.halfOpenSas.delete(sa);
    this.deadlines.touch(sa);
    for (const other of this.touched.splice(0)) this.deadlines.touch(other);
  }

  private onDecodeDrop(d: Extract<Datagram, { kind: 'drop' }>, from: Endpoint, to: Endpoint, natt: boolean): void {
    this.drop(d.reason, d.detail, from);
    const h = d.header;
    if (!h || h.exchangeType !== ExchangeType.IKE_SA_INIT || h.response) return;
    // 2.5: an unprotected IKE_SA_INIT request with an unknown critical payload, or of a major
    // version we do not speak, gets told so (our header carries version 2.0, 3.10.1).
    let payloads: Payload[] | null = null;
    if (d.reason === 'unsupported-critical-payload' && d.payloadType !== undefined) payloads = [notify(NotifyError.UNSUPPORTED_CRITICAL_PAYLOAD, Uint8Array.of(d.payloadType))];
    else if (d.reason === 'bad-version' && h.majorVersion > 2) payloads = [notify(NotifyError.INVALID_MAJOR_VERSION)];
    if (payloads) {
      const header = { spiI: h.spiI, spiR: new Uint8Array(8), exchangeType: h.exchangeType, initiator: false, response: true, messageId: 0 };
      this.out.send(to, from, encodeMessage({ header, payloads }, { nonEspMarker: natt }), { cls: 'invalid', messageId: 0, request: false });
    }
  }

  /**
   * What the exchange handlers may do to the responder's state. Made once: it is asked for with
   * every IKE datagram and timer, and seven closures each time showed in the lab's CPU profile
   * (under tsx each one is also named by a helper). The policy can change while running: a getter.
   */
  private env(): Env {
    if (this.envMade) return this.envMade;
    const self = this;
    this.envMade = {
      suite: this.suite,
      get policy(): IkePolicy {
        return self.policy;
      },
      out: this.out,
      nattPort: this.ports.natt,
      drop: (reason, detail, from) => this.drop(reason, detail, from),
      remove: (sa) => this.remove(sa),
      add: (sa) => {
        this.admit(sa);
        this.touched.push(sa);
        if (sa.peerId) this.index(sa);
      },
      current: () => {},
      noteIn: (note) => {
        this.lastIn = note;
      },
      identified: (sa) => [...this.index(sa)].filter((s) => s !== sa),
    };
    return this.envMade;
  }

  private envMade: Env | null = null;

  private exchangeEvent(sa: string, exchange: string, summary: string): void {
    this.out.event({ kind: 'exchange', sa, exchange, dir: 'in', request: true, messageId: 0, summary });
  }

  /** Files `sa` under its peer's identity; returns that identity's SAs. */
  private index(sa: IkeSa): Set<IkeSa> {
    let set = this.byPeer.get(sa.peerId);
    if (!set) this.byPeer.set(sa.peerId, (set = new Set()));
    set.add(sa);
    return set;
  }

  private remove(sa: IkeSa): void {
    const peers = this.byPeer.get(sa.peerId);
    if (peers?.delete(sa) && peers.size === 0) this.byPeer.delete(sa.peerId);
    this.sas.delete(toHex(sa.spiR));
    if (sa.slot >= 0) {
      this.freeSlots.push(sa.slot);
      sa.slot = -1;
    }
    this.halfOpenSas.delete(sa);
    if (this.byInit.get(sa.initKey) === sa) this.byInit.delete(sa.initKey);
    if (sa.virtualIp !== null) this.policy.pool?.release(sa.virtualIp);
  }

  private drop(reason: string, detail: string, from: Endpoint): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.out.event({ kind: 'drop', reason, detail, from });
  }
}
