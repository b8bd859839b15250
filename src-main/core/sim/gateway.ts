/**
 * The VPN gateway as the client sees it (charon as a responder, swanctl defaults unless the policy
 * says otherwise): it answers the client's requests, sends its own DPD and rekeys, follows the
 * client's NAT port on authenticated packets (RFC 7296 section 2.23), and pushes downlink data.
 */
import { CAUSE, type CauseCode } from '../causes.ts';
import type { GatewayPolicy } from '../policy/schema.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from './event-queue.ts';
import type { Packet } from './packet.ts';
import { Peer } from './peer.ts';
import { TIME_EPS_S as EPS } from './time.ts';
import { WIRE } from './wire-sizes.ts';
import type { World } from './world.ts';


export class Gateway extends Peer {
  /** The client's external port as the gateway last learned it. */
  port = 1;
  lastIn = 0;
  private lastKeepalive = -Infinity;
  private dpdPending = false;
  private dpdNotBefore = 0;

  constructor(
    w: World,
    private readonly p: GatewayPolicy,
    rng: Rng,
  ) {
    super(w, p, rng);
  }

  start(): void {
    this.armAll();
  }

  protected get active(): boolean {
    return this.sa !== 0;
  }

  protected schedule(due: number, _cause: CauseCode, fn: () => void): Timer {
    return this.w.q.at(due, fn);
  }

  /** The gateway disappears for good (no answers, no timers). */
  vanish(): void {
    this.w.gatewayGone = true;
    this.drop();
  }

  /** The gateway restarts without its state: every SA is forgotten. */
  restart(): void {
    this.drop();
  }

  private drop(): void {
    this.sa = 0;
    this.dpdPending = false;
    this.clear();
  }

  private armAll(): void {
    this.dpdNotBefore = 0;
    this.armDpd();
    this.armRekey('rekey-ike');
    this.armRekey('rekey-child');
  }

  // ---- DPD (charon's ike_dpd: only after dpd_delay without inbound IKE or ESP) ----

  private armDpd(): void {
    if (this.p.dpdDelayS <= 0 || this.sa === 0) return;
    const due = Math.max(this.lastIn + this.p.dpdDelayS, this.dpdNotBefore);
    this.setTimer('dpd', this.w.q.at(due, () => this.onDpdTimer()));
  }

  private onDpdTimer(): void {
    if (this.sa === 0) return;
    const now = this.w.now;
    if (now - this.lastIn >= this.p.dpdDelayS - EPS) {
      // Due. Never while another exchange is in flight: then this round is skipped.
      if (!this.ex && !this.dpdPending) {
        const deferMax = this.p.dpdDeferMaxS;
        if (deferMax > 0 && now - this.lastKeepalive < deferMax) {
          // The client seems asleep but alive: wait for its next keepalive and ride its radio tail.
          this.dpdPending = true;
          this.setTimer('defer', this.w.q.at(now + deferMax, () => this.sendDeferredDpd()));
        } else {
          this.startDpd();
        }
      }
      this.dpdNotBefore = now + this.p.dpdDelayS;
    }
    this.armDpd();
  }

  private sendDeferredDpd(): void {
    if (!this.dpdPending) return;
    this.dpdPending = false;
    this.setTimer('defer', null);
    if (!this.ex && this.sa !== 0) this.startDpd();
  }

  private startDpd(): void {
    this.exchange('INFORMATIONAL', 'dpd', WIRE.dpd, CAUSE.dpd, (ok) => {
      if (!ok) this.peerDead();
    });
  }

  /** Retransmissions exhausted: the client is declared dead; 'clear' deletes its SA. */
  private peerDead(): void {
    const obs = this.w.obs;
    const now = this.w.now;
    // Detection counts only while the client is really gone (not after it came back).
    if (this.w.clientOutOfCoverage && obs.clientVanishedAt !== undefined && obs.gatewayDetectedAt === undefined) {
      obs.gatewayDetectedAt = now;
    }
    if (this.p.dpdAction === 'clear') this.drop();
  }

  protected rekeyFailed(): void {
    this.peerDead();
  }

  // ---- packets ----

  protected send(p: Packet): void {
    this.w.gatewaySend({ ...p, port: p.port ?? this.port });
  }

  /** Downlink application data to the client (a push, a reply). */
  sendData(innerBytes: number, replyBytes = 0): void {
    if (this.sa === 0 || this.w.gatewayGone) {
      this.w.obs.lostDownlink++;
      return;
    }
    this.sendEsp(innerBytes, replyBytes);
  }

  receive(p: Packet): void {
    const now = this.w.now;
    if (p.kind === 'keepalive') {
      // Counted, never taken as proof of life (RFC 3948 section 4).
      this.lastKeepalive = now;
      if (this.dpdPending) this.sendDeferredDpd();
      return;
    }
    if (!p.response && p.purpose === 'init') {
      this.respond(p, WIRE.ikeSaInitResponse, p.port);
      return;
    }
    if (!p.response && p.purpose === 'auth') {
      // A new IKE_SA with INITIAL_CONTACT replaces whatever the gateway held for this identity.
      this.drop();
      this.sa = p.sa;
      this.port = p.port ?? this.port;
      this.lastIn = now;
      this.respond(p, WIRE.ikeAuthResponse, this.port);
      this.armAll();
      return;
    }
    if (this.sa === 0 || p.sa !== this.sa) return; // unknown SPI: dropped silently
    this.lastIn = now;
    this.port = p.port ?? this.port;
    if (p.response) {
      if (this.ex && p.xid === this.ex.request.xid) this.ex.complete();
      return;
    }
    if (p.kind === 'esp') {
      if (p.replyBytes) this.sendData(p.replyBytes);
      return;
    }
    this.respond(p, p.bytes, this.port);
    if (p.purpose === 'rekey-ike' || p.purpose === 'rekey-child') this.armRekey(p.purpose);
  }
}
