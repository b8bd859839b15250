/**
 * A libipsec-style client (strongswan-behaviour.md): the strongSwan Android app and charon as a
 * road warrior, reduced to the timers and exchanges that cost energy. Its timers are processor
 * alarms: exact ones fire on time; inexact ones wait for the next maintenance window (every
 * sleepIntervalS); short ones (up to wakelockMaxS) keep the processor awake instead.
 */
import { CAUSE, type CauseCode } from '../causes.ts';
import type { ClientPolicy } from '../policy/schema.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from './event-queue.ts';
import { Exchange, retransmitWaits } from './exchange.ts';
import type { ExchangeType, Packet, Purpose } from './packet.ts';
import { WIRE } from './wire-sizes.ts';
import type { Endpoint, World } from './world.ts';

/** Float slack for "has the interval passed" checks. */
const EPS = 1e-9;

type TimerName = 'keepalive' | 'offload' | 'dpd' | 'ikeRekey' | 'childRekey' | 'reconnect';

export class Client implements Endpoint {
  state: 'up' | 'down' | 'connecting' = 'up';
  /** Generation number of the client's current IKE_SA. */
  sa = 1;
  lastOut = 0;
  lastIn = 0;
  private nextSa = 2;
  private nextXid = 1;
  private ex: Exchange | null = null;
  private pending: Purpose[] = [];
  private readonly timers: Partial<Record<TimerName, Timer>> = {};
  private retryS: number;
  private upSince = 0;
  private offloadStart = 0;
  private dpdNotBefore = 0;

  constructor(
    private readonly w: World,
    private readonly p: ClientPolicy,
    private readonly rng: Rng,
  ) {
    this.retryS = p.reconnect.retryS;
  }

  start(): void {
    this.up();
  }

  /** Seconds the client held an established IKE_SA so far. */
  connectedS(now: number): number {
    return this.w.obs.connectedS + (this.state === 'up' ? now - this.upSince : 0);
  }

  // ---- timers ----

  /** Schedules fn at `due` as the platform would: alarm (exact or inexact) or wake lock. */
  private timer(due: number, cause: CauseCode, fn: () => void): Timer {
    const w = this.w;
    const now = w.now;
    if (due - now <= this.p.wakelockMaxS && w.ap.awake(now)) {
      w.ap.holdUntil(due);
    } else if (this.p.alarms === 'inexact') {
      const s = this.p.sleepIntervalS;
      due = Math.ceil(due / s - EPS) * s;
    }
    return w.q.at(due, () => {
      w.apWake(cause);
      fn();
    });
  }

  private set(name: TimerName, t: Timer | null): void {
    this.w.q.cancel(this.timers[name]);
    if (t) this.timers[name] = t;
    else delete this.timers[name];
  }

  private cancelAll(): void {
    for (const name of Object.keys(this.timers) as TimerName[]) this.set(name, null);
  }

  // ---- lifecycle ----

  private up(): void {
    const now = this.w.now;
    this.state = 'up';
    this.upSince = now;
    this.lastIn = now;
    this.lastOut = now;
    this.dpdNotBefore = 0;
    this.retryS = this.p.reconnect.retryS;
    const keepalives = this.p.keepaliveS > 0 && this.w.nat.present;
    if (keepalives && this.p.keepaliveOffload) {
      this.offloadStart = now;
      this.armOffload(now + this.p.keepaliveS);
    } else if (keepalives) {
      this.armKeepalive();
    }
    this.armDpd();
    this.armRekey('rekey-ike');
    this.armRekey('rekey-child');
  }

  /** The client gives up on its IKE_SA (a request went unanswered, or the peer deleted it). */
  fail(): void {
    if (this.state === 'down') return;
    const obs = this.w.obs;
    const now = this.w.now;
    if (obs.gatewayVanishedAt !== undefined && obs.clientDetectedAt === undefined && now >= obs.gatewayVanishedAt) {
      obs.clientDetectedAt = now;
    }
    if (this.state === 'up') obs.connectedS += now - this.upSince;
    this.state = 'down';
    this.cancelAll();
    this.ex?.abort();
    this.ex = null;
    this.pending = [];
    this.scheduleReconnect(this.p.reconnect.delayS);
  }

  private scheduleReconnect(delayS: number): void {
    if (this.p.reconnect.mode === 'never') return;
    this.set('reconnect', this.timer(this.w.now + delayS, CAUSE.reconnect, () => this.connect()));
  }

  /** IKE_SA_INIT then IKE_AUTH (RFC 7296 section 1.2), with INITIAL_CONTACT. */
  private connect(): void {
    this.state = 'connecting';
    this.w.obs.reconnectAttempts++;
    this.sa = this.nextSa++;
    const failed = (): void => {
      this.state = 'down';
      const wait = this.retryS;
      this.retryS = Math.min(this.retryS * 2, this.p.reconnect.maxRetryS);
      this.scheduleReconnect(wait);
    };
    this.exchange('IKE_SA_INIT', 'init', WIRE.ikeSaInitRequest, CAUSE.reconnect, (ok) => {
      if (!ok) return failed();
      this.exchange('IKE_AUTH', 'auth', WIRE.ikeAuthRequest, CAUSE.reconnect, (ok2) => {
        if (!ok2) return failed();
        this.w.obs.reconnects++;
        this.up();
      });
    });
  }

  // ---- NAT-T keepalives (RFC 3948 section 4) ----

  private armKeepalive(): void {
    this.set('keepalive', this.timer(this.lastOut + this.p.keepaliveS, CAUSE.keepalive, () => this.onKeepaliveTimer()));
  }

  /** charon's send_keepalive: only after keepaliveS without sending; a late alarm past the margin sends a DPD instead. */
  private onKeepaliveTimer(): void {
    if (this.state !== 'up') return;
    const now = this.w.now;
    const idle = now - this.lastOut;
    if (idle >= this.p.keepaliveS - EPS) {
      const margin = this.p.keepaliveDpdMarginS;
      const dpdInstead =
        !this.ex &&
        ((this.p.dpdWithKeepalive && this.dpdDue(now)) || (margin > 0 && idle > this.p.keepaliveS + margin));
      if (dpdInstead) this.startDpd();
      else this.sendKeepalive();
    }
    this.armKeepalive();
  }

  /** Offloaded keepalives: the modem sends one every keepaliveS without waking the processor. */
  private armOffload(at: number): void {
    this.set(
      'offload',
      this.w.q.at(at, () => {
        if (this.state !== 'up') return;
        this.sendKeepalive();
        this.armOffload(at + this.p.keepaliveS);
      }),
    );
  }

  private sendKeepalive(): void {
    this.send({ kind: 'keepalive', bytes: WIRE.keepalive, cause: CAUSE.keepalive, sa: 0 });
  }

  // ---- dead peer detection (RFC 7296 section 2.4) ----

  private dpdDue(now: number): boolean {
    return this.p.dpdDelayS > 0 && now - this.lastIn >= this.p.dpdDelayS - EPS;
  }

  private armDpd(): void {
    const d = this.p.dpdDelayS;
    if (d <= 0 || this.state !== 'up') return;
    const offloaded = this.p.keepaliveOffload && this.p.keepaliveS > 0 && this.w.nat.present;
    if (this.p.dpdWithKeepalive && !offloaded) return; // checked at each keepalive instead
    let due = Math.max(this.lastIn + d, this.dpdNotBefore);
    if (this.p.dpdWithKeepalive) {
      // The next offloaded keepalive slot, so the DPD shares its radio tail.
      const k = this.p.keepaliveS;
      due = this.offloadStart + Math.ceil((due - this.offloadStart) / k - EPS) * k;
    }
    this.set('dpd', this.timer(due, CAUSE.dpd, () => this.onDpdTimer()));
  }

  private onDpdTimer(): void {
    if (this.state !== 'up') return;
    const now = this.w.now;
    if (this.dpdDue(now)) {
      // Never while another exchange is in flight: then this round is skipped.
      if (!this.ex) this.startDpd();
      this.dpdNotBefore = now + this.p.dpdDelayS;
    }
    this.armDpd();
  }

  private startDpd(): void {
    // An empty INFORMATIONAL request; no answer after all retransmissions means the peer is dead.
    this.exchange('INFORMATIONAL', 'dpd', WIRE.dpd, CAUSE.dpd, (ok) => {
      if (!ok) this.fail();
    });
  }

  // ---- rekeying (RFC 7296 sections 1.3.2 and 2.8) ----

  private armRekey(kind: 'rekey-ike' | 'rekey-child'): void {
    const [base, jitter] = kind === 'rekey-ike' ? [this.p.ikeRekeyS, this.p.ikeRekeyJitterS] : [this.p.childRekeyS, this.p.childRekeyJitterS];
    const name: TimerName = kind === 'rekey-ike' ? 'ikeRekey' : 'childRekey';
    if (base <= 0) return;
    const due = this.w.now + base - this.rng.uniform(0, jitter);
    this.set(name, this.timer(due, CAUSE.rekey, () => this.requestRekey(kind)));
  }

  private requestRekey(kind: 'rekey-ike' | 'rekey-child'): void {
    if (this.state !== 'up') return;
    if (this.ex) {
      if (!this.pending.includes(kind)) this.pending.push(kind);
      return;
    }
    this.exchange('CREATE_CHILD_SA', kind, WIRE.rekey, CAUSE.rekey, (ok) => {
      if (ok) this.armRekey(kind);
      else this.fail();
    });
  }

  // ---- exchanges and packets ----

  private exchange(type: ExchangeType, purpose: Purpose, bytes: number, cause: CauseCode, onEnd: (ok: boolean) => void): void {
    const req: Packet = { kind: 'ike', exchange: type, purpose, bytes, cause, sa: this.sa, xid: this.nextXid++ };
    const waits = retransmitWaits(this.p.retransmit, this.p.retransmit.jitterPct > 0 ? this.rng : undefined);
    const ex = new Exchange(
      req,
      waits,
      (pk) => this.send(pk),
      (due, fn) => this.timer(due, cause, fn),
      (t) => this.w.q.cancel(t),
      (ok) => {
        if (this.ex === ex) this.ex = null;
        onEnd(ok);
        this.drainPending();
      },
      () => this.w.now,
    );
    this.ex = ex;
    ex.start();
  }

  private drainPending(): void {
    if (this.ex || this.state !== 'up') return;
    const next = this.pending.shift();
    if (next === 'rekey-ike' || next === 'rekey-child') this.requestRekey(next);
  }

  private send(p: Packet): void {
    this.lastOut = this.w.now; // charon counts keepalives as outbound too (ike_sa.c send_keepalive)
    this.w.clientSend(p);
  }

  /** Application data from the phone (interactive use, an acknowledgement). */
  sendData(innerBytes: number, replyBytes = 0): void {
    this.w.apWake(CAUSE.data);
    if (this.state !== 'up') {
      this.w.obs.lostUplink++;
      return;
    }
    for (let left = innerBytes; left > 0; left -= WIRE.innerMtu) {
      const chunk = Math.min(left, WIRE.innerMtu);
      const last = left <= WIRE.innerMtu;
      this.send({ kind: 'esp', purpose: 'data', bytes: chunk + WIRE.espOverhead, cause: CAUSE.data, sa: this.sa, replyBytes: last ? replyBytes : 0 });
    }
  }

  receive(p: Packet): void {
    if (p.kind === 'keepalive') return;
    this.w.apWake(p.cause); // the modem hands the packet up
    if (p.sa !== this.sa || this.state === 'down') return; // unknown SPI: dropped
    this.lastIn = this.w.now;
    if (p.response) {
      if (this.ex && p.xid === this.ex.request.xid) this.ex.complete();
      return;
    }
    if (p.kind === 'esp') {
      if (p.replyBytes) this.sendData(p.replyBytes);
      return;
    }
    this.send({ ...p, response: true, port: undefined });
    if (p.purpose === 'rekey-ike' || p.purpose === 'rekey-child') this.armRekey(p.purpose);
    if (p.purpose === 'delete') this.fail();
  }
}
