/**
 * The IKEv2 initiator, sans-IO like the responder: it sets up one IKE SA with a pre-shared key
 * (IKE_SA_INIT, then IKE_AUTH with a virtual IP and a CHILD_SA, RFC 7296 1.2), answers the
 * responder's requests (liveness checks, deletes, rekeys) with the same exchange code, and can run
 * its own liveness check and delete. It is the base of the client emulator, and the responder's
 * counterpart in ladder tests.
 */
import { toHex } from '../bytes/hex.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { ipv4Bytes, parseIpv4 } from '../net/ipv4.ts';
import { retransmitWaits } from '../policy/retransmit.ts';
import { ExchangeType, NATT_KEEPALIVE, NotifyError, NotifyStatus, PayloadType as T, ProtocolId } from './constants.ts';
import { rekeyChild, rekeyIkeSa } from './exchanges/create-child-initiator.ts';
import { buildAuthRequest, processAuthResponse, wireProposals, type AuthRequestInput } from './exchanges/auth-initiator.ts';
import { findNotify, first, notify } from './exchanges/build.ts';
import type { Env } from './exchanges/env.ts';
import { childUp, destroy, establish } from './exchanges/lifecycle.ts';
import { handleRequest } from './exchanges/requests-in.ts';
import { handleResponse, sendRequest, startDpd } from './exchanges/requests-out.ts';
import { runTimers } from './exchanges/timers.ts';
import { IkeSa } from './ike-sa.ts';
import { Outbox, type Endpoint, type Output } from './io.ts';
import { deriveIkeSaKeys, skeyseed } from './keymat.ts';
import { natDetected, natDetectionHash, natDetectionNotifies } from './nat-detection.ts';
import type { IkePolicy } from './policy.ts';
import { acceptedTransforms } from './select.ts';
import { decodeMessage, encodeMessage } from './wire/message.ts';
import type { Payload } from './wire/payloads.ts';

const NONCE_BYTES = 32;
const MAX_INIT_RETRIES = 5;

export interface InitiatorOptions {
  readonly suite: CryptoSuite;
  /** Proposals, DPD and retransmission policy (the responder's fields it does not use are ignored). */
  readonly policy: IkePolicy;
  readonly auth: AuthRequestInput;
  /** The responder's NAT-T port (4500). */
  readonly nattPort: number;
  /** Our own NAT-T port (4500 unless both ends share one host, as in tests). */
  readonly localNattPort?: number;
  /**
   * Act as if behind a NAT (strongSwan's `encap = yes`): our NAT_DETECTION_SOURCE_IP hashes a
   * random address, so the responder sees us behind a NAT (RFC 7296 2.23), and we send NAT-T
   * keepalives (RFC 3948 4). The client emulator uses it on loopback, where there is no NAT.
   */
  readonly fakeNat?: boolean;
}

type Phase = 'idle' | 'init-sent' | 'auth-sent' | 'up' | 'failed' | 'closed';

export class Initiator {
  private readonly out = new Outbox();
  /** The current IKE SA (the newest established one). */
  private sa: IkeSa | null = null;
  /** Every IKE SA we hold: the current one, and one being replaced by a rekey until its Delete is done. */
  private readonly sas: IkeSa[] = [];
  /** When we last sent anything (NAT-T keepalives go out after keepaliveS of silence, RFC 3948 4). */
  private lastOutbound = 0;
  phase: Phase = 'idle';
  failure: string | null = null;
  readonly drops = new Map<string, number>();
  private init: { spiI: Uint8Array; Ni: Uint8Array; bytes: Uint8Array; waits: number[]; attempt: number; deadline: number; group: number; cookie: Uint8Array | null } | null = null;
  private local: Endpoint = { address: '0.0.0.0', port: 0 };
  private peer: Endpoint = { address: '0.0.0.0', port: 0 };

  constructor(readonly o: InitiatorOptions) {}

  private get localNatt(): number {
    return this.o.localNattPort ?? this.o.nattPort;
  }

  get ikeSa(): IkeSa | null {
    return this.sa;
  }

  drain(): Output[] {
    return this.out.drain();
  }

  nextDeadline(): number {
    let d = this.init ? this.init.deadline : Infinity;
    for (const sa of this.sas) d = Math.min(d, sa.deadline());
    return Math.min(d, this.keepaliveAt());
  }

  /** RFC 3948 4: a keepalive after keepaliveS without outbound packets, only behind a NAT on the NAT-T port. */
  private keepaliveAt(): number {
    const sa = this.sa;
    const k = this.o.policy.keepaliveS;
    return sa && sa.state === 'established' && sa.natt && sa.selfBehindNat && k > 0 ? this.lastOutbound + k : Infinity;
  }

  /** Notes the time of anything this call sent. */
  private sent(now: number): void {
    if (this.out.sends > 0) this.lastOutbound = now;
  }

  /** Starts IKE_SA_INIT from `local` to `peer` (both on the IKE port). */
  connect(now: number, local: Endpoint, peer: Endpoint): void {
    this.local = local;
    this.peer = peer;
    const group = this.o.policy.ikeProposals[0]?.dh[0];
    if (group === undefined) throw new Error('connect: the first IKE proposal has no DH group');
    this.sendInit(now, this.o.suite.randomBytes(8), group, null);
    this.sent(now);
  }

  /** IKE_SA_INIT retries so far (COOKIE, INVALID_KE_PAYLOAD); a responder that keeps asking is given up on. */
  private initRetries = 0;

  private sendInit(now: number, spiI: Uint8Array, group: number, cookie: Uint8Array | null): void {
    const { suite } = this.o;
    if (this.init && ++this.initRetries > MAX_INIT_RETRIES) return this.fail('the responder keeps asking for another IKE_SA_INIT (COOKIE or INVALID_KE_PAYLOAD)');
    // 2.6: a retry with a cookie repeats everything else unchanged (the cookie hashes Ni); a new
    // group needs a new KE, and keeps the nonce.
    const dh = this.pendingDh && this.pendingDh.group === group ? this.pendingDh : suite.dh(group);
    const Ni = this.init?.Ni ?? suite.randomBytes(NONCE_BYTES);
    const zero = new Uint8Array(8);
    const payloads: Payload[] = [
      ...(cookie ? [notify(NotifyStatus.COOKIE, cookie)] : []),
      { type: T.SA, proposals: wireProposals(this.o.policy.ikeProposals, ProtocolId.IKE, new Uint8Array(0)) },
      { type: T.KE, group, data: dh.publicValue },
      { type: T.Nonce, data: Ni },
      notify(NotifyStatus.NAT_DETECTION_SOURCE_IP, natDetectionHash(suite, spiI, zero, this.o.fakeNat ? suite.randomBytes(4) : ipv4Bytes(parseIpv4(this.local.address) ?? 0), this.local.port)),
      notify(NotifyStatus.NAT_DETECTION_DESTINATION_IP, natDetectionHash(suite, spiI, zero, ipv4Bytes(parseIpv4(this.peer.address) ?? 0), this.peer.port)),
    ];
    const bytes = encodeMessage({ header: { spiI, spiR: zero, exchangeType: ExchangeType.IKE_SA_INIT, initiator: true, response: false, messageId: 0 }, payloads });
    const waits = retransmitWaits(this.o.policy.retransmit);
    this.init = { spiI, Ni, bytes, waits, attempt: 0, deadline: now + waits[0]!, group, cookie };
    this.pendingDh = dh;
    this.phase = 'init-sent';
    this.out.send(this.local, this.peer, bytes, { cls: 'ike-setup', messageId: 0, request: true });
  }

  private pendingDh: ReturnType<CryptoSuite['dh']> | null = null;

  receive(now: number, datagram: Uint8Array, from: Endpoint, to: Endpoint): void {
    this.receiveInner(now, datagram, from, to);
    this.sent(now);
  }

  private receiveInner(now: number, datagram: Uint8Array, from: Endpoint, to: Endpoint): void {
    // RFC 3948 2.2: what comes from the responder's NAT-T port carries the non-ESP marker. (Our own
    // port cannot tell when one local port serves both, as the client emulator's does.)
    const d = decodeMessage(datagram, { natt: from.port === this.o.nattPort || (to.port === this.localNatt && this.local.port !== this.localNatt) });
    if (d.kind !== 'ike') return this.drop(d.kind === 'drop' ? d.reason : `unexpected-${d.kind}`, from);
    const h = d.header;
    if (this.phase === 'init-sent' && h.exchangeType === ExchangeType.IKE_SA_INIT && h.response && this.init && toHex(h.spiI) === toHex(this.init.spiI)) {
      return this.onInitResponse(now, d.payloads, d.message, h.spiR, from, to);
    }
    const sa = this.sas.find((s) => toHex(h.spiI) === toHex(s.spiI) && toHex(h.spiR) === toHex(s.spiR));
    if (!sa) return this.drop('unknown-spi', from);
    if (h.response) handleResponse(this.env(), sa, d, from, to, now);
    else handleRequest(this.env(), sa, d, from, to, now);
  }

  private onInitResponse(now: number, payloads: readonly Payload[], message: Uint8Array, spiR: Uint8Array, from: Endpoint, to: Endpoint): void {
    const init = this.init!;
    const { suite, policy } = this.o;
    const invalidKe = findNotify(payloads, NotifyError.INVALID_KE_PAYLOAD);
    if (invalidKe && invalidKe.data.length === 2) return this.sendInit(now, init.spiI, (invalidKe.data[0]! << 8) | invalidKe.data[1]!, init.cookie);
    const cookie = findNotify(payloads, NotifyStatus.COOKIE);
    if (cookie) return this.sendInit(now, init.spiI, init.group, cookie.data);
    const sa = first(payloads, T.SA);
    const ke = first(payloads, T.KE);
    const nonce = first(payloads, T.Nonce);
    if (!sa || !ke || !nonce || !this.pendingDh) return this.fail(`IKE_SA_INIT refused: ${payloads.filter((p) => p.type === T.N).map((p) => (p as { notifyType: number }).notifyType).join(', ') || 'no SA/KE/Nr'}`);
    const gir = this.pendingDh.computeShared(ke.data);
    if (!gir) return this.fail('the responder KE is not a valid public value');
    const t = acceptedTransforms(sa.proposals[0], true);
    if (!t) return this.fail('the responder accepted a proposal without ENCR or PRF');
    const transforms = { encr: t.encr, ...(t.keyLength !== undefined ? { keyLength: t.keyLength } : {}), ...(t.integ ? { integ: t.integ } : {}), prf: t.prf! };
    const keys = deriveIkeSaKeys(suite, transforms, skeyseed(suite, transforms.prf, init.Ni, nonce.data, gir), init.Ni, nonce.data, init.spiI, spiR);
    // 2.23: with NAT detection done, IKE moves to the NAT-T port (charon does this even without a NAT).
    const nattDone = findNotify(payloads, NotifyStatus.NAT_DETECTION_SOURCE_IP) !== undefined;
    const local = nattDone ? { address: to.address, port: this.localNatt } : to;
    const peer = nattDone ? { address: from.address, port: this.o.nattPort } : from;
    const ike = new IkeSa({ role: 'initiator', spiI: init.spiI, spiR: spiR.slice(), transforms, keys, Ni: init.Ni, Nr: nonce.data.slice(), initRequest: init.bytes, initResponse: message.slice(), local, peer, natt: nattDone, now });
    this.sa = ike;
    this.sas.push(ike);
    // 2.23: our NAT_DETECTION_SOURCE_IP as the responder saw it tells whether we are behind a NAT.
    const nat = natDetected(suite, init.spiI, spiR, payloads, { source: endpointBytes(from), destination: endpointBytes(to) });
    if (nat) {
      ike.selfBehindNat = nat.selfBehindNat || this.o.fakeNat === true;
      ike.peerBehindNat = nat.peerBehindNat;
    }
    this.init = null;
    this.pendingDh = null;
    this.phase = 'auth-sent';
    const { payloads: authPayloads, spiIn } = buildAuthRequest(suite, ike, { ...this.o.auth, mobike: policy.mobike });
    sendRequest(
      this.env(),
      ike,
      {
        exchange: ExchangeType.IKE_AUTH,
        payloads: authPayloads,
        retransmit: policy.retransmit,
        onResponse: (resp, t, bodies) => {
          const r = processAuthResponse(suite, ike, this.o.auth, spiIn, resp, bodies, t);
          if (!r.ok) return this.fail(r.detail);
          ike.peerId = 'responder';
          ike.mobike = policy.mobike && findNotify(resp, NotifyStatus.MOBIKE_SUPPORTED) !== undefined;
          ike.msgIdSync = findNotify(resp, NotifyStatus.IKEV2_MESSAGE_ID_SYNC_SUPPORTED) !== undefined;
          if (r.vip) ike.virtualIp = parseIpv4(r.vip);
          establish(this.env(), ike, t);
          if (r.child) childUp(this.env(), ike, r.child, null, t);
          this.phase = 'up';
        },
        onFailure: () => this.fail('IKE_AUTH went unanswered'),
      },
      now,
    );
  }

  tick(now: number): void {
    const init = this.init;
    if (init && now >= init.deadline) {
      init.attempt++;
      if (init.attempt >= init.waits.length) return this.fail('IKE_SA_INIT went unanswered');
      init.deadline = now + init.waits[init.attempt]!;
      this.out.send(this.local, this.peer, init.bytes, { cls: 'ike-setup', messageId: 0, request: true });
    }
    // Retransmissions, DPD, and rekeys on our timers (policy ike.rekeyS / esp.rekeyS, 2.8).
    for (const sa of [...this.sas]) runTimers(this.env(), sa, now);
    if (now >= this.keepaliveAt() && this.sa) {
      this.out.send(this.sa.local, this.sa.peer, Uint8Array.of(NATT_KEEPALIVE), { cls: 'keepalive' });
      this.out.event({ kind: 'keepalive', from: this.sa.local });
    }
    this.sent(now);
  }

  /** Our own liveness check now (2.4). */
  dpd(now: number): void {
    if (this.sa && this.sa.state === 'established') startDpd(this.env(), this.sa, now);
    this.sent(now);
  }

  /** Rekeys the IKE SA now (1.3.2). */
  rekeyIke(now: number): void {
    if (this.sa && this.sa.state === 'established') rekeyIkeSa(this.env(), this.sa, now);
    this.sent(now);
  }

  /** Rekeys every CHILD_SA now (1.3.3). */
  rekeyChildren(now: number): void {
    const sa = this.sa;
    if (sa && sa.state === 'established') for (const c of [...sa.children]) if (!c.rekeyed && !c.closing && !c.rekeying) rekeyChild(this.env(), sa, c, now);
    this.sent(now);
  }

  /**
   * RFC 4555 3.5: we now send from `local` (a new address or port): the IKE SA moves there and
   * the responder is told with UPDATE_SA_ADDRESSES, NAT detection for the new path and a COOKIE2
   * (3.6) it must echo. Only with MOBIKE in use; returns whether the update was sent.
   */
  roam(now: number, local: Endpoint): boolean {
    const sa = this.sa;
    if (!sa || sa.state !== 'established' || !sa.mobike) return false;
    sa.local = local;
    const cookie2 = this.o.suite.randomBytes(16);
    const payloads: Payload[] = [
      notify(NotifyStatus.UPDATE_SA_ADDRESSES),
      ...natDetectionNotifies(this.o.suite, sa.spiI, sa.spiR, endpointBytes(local), endpointBytes(sa.peer)),
      notify(NotifyStatus.COOKIE2, cookie2),
    ];
    sendRequest(
      this.env(),
      sa,
      {
        exchange: ExchangeType.INFORMATIONAL,
        payloads,
        retransmit: this.o.policy.retransmit,
        onResponse: (resp) => {
          const echoed = findNotify(resp, NotifyStatus.COOKIE2);
          if (!echoed || toHex(echoed.data) !== toHex(cookie2)) this.drop('bad-cookie2', sa.peer);
        },
        onFailure: () => this.fail('UPDATE_SA_ADDRESSES went unanswered'),
      },
      now,
    );
    this.sent(now);
    return true;
  }

  /** Deletes the IKE SA (1.4.1) and, once answered or timed out, is closed. */
  close(now: number): void {
    const sa = this.sa;
    if (!sa || sa.state !== 'established') return;
    sa.state = 'deleting';
    const done = () => {
      destroy(this.env(), sa, 'deleted');
      this.phase = 'closed';
    };
    sendRequest(this.env(), sa, { exchange: ExchangeType.INFORMATIONAL, payloads: [{ type: T.D, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }], retransmit: this.o.policy.retransmit, onResponse: done, onFailure: done }, now);
    this.sent(now);
  }

  private fail(detail: string): void {
    this.failure = detail;
    this.phase = 'failed';
    this.init = null;
    if (this.sa) destroy(this.env(), this.sa, 'auth-failed');
  }

  private drop(reason: string, from: Endpoint): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.out.event({ kind: 'drop', reason, detail: reason, from });
  }

  private env(): Env {
    return {
      suite: this.o.suite,
      policy: this.o.policy,
      out: this.out,
      nattPort: this.localNatt,
      drop: (reason, _detail, from) => this.drop(reason, from),
      remove: (sa) => {
        const i = this.sas.indexOf(sa);
        if (i >= 0) this.sas.splice(i, 1);
        if (this.sa === sa) this.sa = null;
      },
      add: (sa) => {
        this.sas.push(sa);
      },
      current: (sa) => {
        this.sa = sa;
      },
      identified: () => [],
      noteIn: () => {},
    };
  }
}

function endpointBytes(e: Endpoint): { address: Uint8Array; port: number } {
  return { address: ipv4Bytes(parseIpv4(e.address) ?? 0), port: e.port };
}
