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
import type { Packet } from './packet.ts';
import { Peer } from './peer.ts';
import { TIME_EPS_S as EPS } from './time.ts';
import { WIRE } from './wire-sizes.ts';
import type { World } from './world.ts';


export class Client extends Peer {
  state: 'up' | 'down' | 'connecting' = 'up';
  lastOut = 0;
  lastIn = 0;
  private nextSa = 2;
  private retryS: number;
  private upSince = 0;
  private offloadStart = 0;
  private dpdNotBefore = 0;

  constructor(
    w: World,
    private readonly p: ClientPolicy,
    rng: Rng,
  ) {
    super(w, p, rng);
    this.retryS = p.reconnect.retryS;
  }

  start(): void {
    this.up();
  }

  /** Seconds the client held an established IKE_SA so far. */
  connectedS(now: number): number {
    return this.w.obs.connectedS + (this.state === 'up' ? now - this.upSince : 0);
  }

  protected get active(): boolean {
    return this.state === 'up';
  }

  /** Schedules fn at `due` as the platform would: alarm (exact or inexact) or wake lock. */
  protected schedule(due: number, cause: CauseCode, fn: () => void): Timer {
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

  // ---- lifecycle ----

  private up(): void {
    const now = this.w.now;
    this.state = 'up';
    this.upSince = now;
    this.lastIn = now;
    this.lastOut = now;
    this.dpdNotBefore = 0;
    this.retryS = this.p.reconnect.retryS;
    if (this.keepalives && this.p.keepaliveOffload) {
      this.offloadStart = now;
      this.armOffload(now + this.p.keepaliveS);
    } else if (this.keepalives) {
      this.armKeepalive();
    }
    this.armDpd();
    this.armRekey('rekey-ike');
    this.armRekey('rekey-child');
  }

  /** NAT-T keepalives are sent only behind a NAT (strongswan-behaviour.md). */
  private get keepalives(): boolean {
    return this.p.keepaliveS > 0 && this.w.nat.present;
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
    this.clear();
    this.scheduleReconnect(this.p.reconnect.delayS);
  }

  protected rekeyFailed(): void {
    this.fail();
  }

  private scheduleReconnect(delayS: number): void {
    if (this.p.reconnect.mode === 'never') return;
    this.setTimer('reconnect', this.schedule(this.w.now + delayS, CAUSE.reconnect, () => this.connect()));
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
    this.setTimer('keepalive', this.schedule(this.lastOut + this.p.keepaliveS, CAUSE.keepalive, () => this.onKeepaliveTimer()));
  }

  /** charon's send_keepalive: only after keepaliveS without sending; a late alarm past the margin sends a DPD instead. */
  private onKeepaliveTimer(): void {
    if (this.state !== 'up') return;
    const now = this.w.now;
    const idle = now - this.lastOut;
    if (idle >= this.p.keepaliveS - EPS) {
      const margin = this.p.keepaliveDpdMarginS;
      const dpdInstead =
        !this.ex && ((this.p.dpdWithKeepalive && this.dpdDue(now)) || (margin > 0 && idle > this.p.keepaliveS + margin));
      if (dpdInstead) this.startDpd();
      else this.sendKeepalive();
    }
    this.armKeepalive();
  }

  /** Offloaded keepalives: the modem sends one every keepaliveS without waking the processor. */
  private armOffload(at: number): void {
    this.setTimer(
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
    let due = Math.max(this.lastIn + d, this.dpdNotBefore);
    if (this.p.dpdWithKeepalive && this.keepalives) {
      const k = this.p.keepaliveS;
      if (this.p.keepaliveOffload) {
        // The next offloaded keepalive slot, so the DPD shares its radio tail.
        due = this.offloadStart + Math.ceil((due - this.offloadStart) / k - EPS) * k;
      } else {
        // The keepalive handler sends a due DPD in place of a keepalive; this timer is the
        // fallback for when outbound traffic held keepalives back (the radio is busy then anyway).
        due += k;
      }
    }
    this.setTimer('dpd', this.schedule(due, CAUSE.dpd, () => this.onDpdTimer()));
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

  // ---- packets ----

  protected send(p: Packet): void {
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
    this.sendEsp(innerBytes, replyBytes);
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
    this.respond(p);
    if (p.purpose === 'rekey-ike' || p.purpose === 'rekey-child') this.armRekey(p.purpose);
  }
}
