/**
 * The VPN gateway as the client sees it (charon as a responder, swanctl defaults unless the policy
 * says otherwise): it answers the client's requests, sends its own DPD and rekeys, follows the
 * client's NAT port on authenticated packets (RFC 7296 section 2.23), and pushes downlink data.
 */
import { CAUSE, type CauseCode } from '../causes.ts';
import type { GatewayPolicy } from '../policy/schema.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from './event-queue.ts';
import { Exchange, retransmitWaits } from './exchange.ts';
import type { ExchangeType, Packet, Purpose } from './packet.ts';
import { WIRE } from './wire-sizes.ts';
import type { Endpoint, World } from './world.ts';

const EPS = 1e-9;

type TimerName = 'dpd' | 'defer' | 'ikeRekey' | 'childRekey';

export class Gateway implements Endpoint {
  /** Generation of the IKE_SA the gateway holds for the client; 0 = none. */
  sa = 1;
  /** The client's external port as the gateway last learned it. */
  port = 1;
  lastIn = 0;
  private lastKeepalive = -Infinity;
  private dpdPending = false;
  private dpdNotBefore = 0;
  private nextXid = 1;
  private ex: Exchange | null = null;
  private pending: Purpose[] = [];
  private readonly timers: Partial<Record<TimerName, Timer>> = {};

  constructor(
    private readonly w: World,
    private readonly p: GatewayPolicy,
    private readonly rng: Rng,
  ) {}

  start(): void {
    this.armAll();
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
    for (const name of Object.keys(this.timers) as TimerName[]) this.set(name, null);
    this.ex?.abort();
    this.ex = null;
    this.pending = [];
  }

  private set(name: TimerName, t: Timer | null): void {
    this.w.q.cancel(this.timers[name]);
    if (t) this.timers[name] = t;
    else delete this.timers[name];
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
    this.set('dpd', this.w.q.at(due, () => this.onDpdTimer()));
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
          this.set('defer', this.w.q.at(now + deferMax, () => this.sendDeferredDpd()));
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
    this.set('defer', null);
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
    if (obs.clientVanishedAt !== undefined && obs.gatewayDetectedAt === undefined && now >= obs.clientVanishedAt) {
      obs.gatewayDetectedAt = now;
    }
    if (this.p.dpdAction === 'clear') this.drop();
  }

  // ---- rekeying ----

  private armRekey(kind: 'rekey-ike' | 'rekey-child'): void {
    const [base, jitter] = kind === 'rekey-ike' ? [this.p.ikeRekeyS, this.p.ikeRekeyJitterS] : [this.p.childRekeyS, this.p.childRekeyJitterS];
    if (base <= 0 || this.sa === 0) return;
    const due = this.w.now + base - this.rng.uniform(0, jitter);
    this.set(kind === 'rekey-ike' ? 'ikeRekey' : 'childRekey', this.w.q.at(due, () => this.requestRekey(kind)));
  }

  private requestRekey(kind: 'rekey-ike' | 'rekey-child'): void {
    if (this.sa === 0) return;
    if (this.ex) {
      if (!this.pending.includes(kind)) this.pending.push(kind);
      return;
    }
    this.exchange('CREATE_CHILD_SA', kind, WIRE.rekey, CAUSE.rekey, (ok) => {
      if (ok) this.armRekey(kind);
      else this.peerDead();
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
      (due, fn) => this.w.q.at(due, fn),
      (t) => this.w.q.cancel(t),
      (ok) => {
        if (this.ex === ex) this.ex = null;
        onEnd(ok);
        if (!this.ex && this.sa !== 0) {
          const next = this.pending.shift();
          if (next === 'rekey-ike' || next === 'rekey-child') this.requestRekey(next);
        }
      },
      () => this.w.now,
    );
    this.ex = ex;
    ex.start();
  }

  private send(p: Packet): void {
    this.w.gatewaySend({ ...p, port: p.port ?? this.port });
  }

  /** Downlink application data to the client (a push, a reply). */
  sendData(innerBytes: number, replyBytes = 0): void {
    if (this.sa === 0 || this.w.gatewayGone) {
      this.w.obs.lostDownlink++;
      return;
    }
    for (let left = innerBytes; left > 0; left -= WIRE.innerMtu) {
      const chunk = Math.min(left, WIRE.innerMtu);
      const last = left <= WIRE.innerMtu;
      this.send({ kind: 'esp', purpose: 'data', bytes: chunk + WIRE.espOverhead, cause: CAUSE.data, sa: this.sa, replyBytes: last ? replyBytes : 0 });
    }
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
      this.send({ ...p, response: true, bytes: WIRE.ikeSaInitResponse });
      return;
    }
    if (!p.response && p.purpose === 'auth') {
      // A new IKE_SA with INITIAL_CONTACT replaces whatever the gateway held for this identity.
      this.drop();
      this.sa = p.sa;
      this.port = p.port ?? this.port;
      this.lastIn = now;
      this.send({ ...p, response: true, bytes: WIRE.ikeAuthResponse });
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
    this.send({ ...p, response: true, port: this.port });
    if (p.purpose === 'rekey-ike' || p.purpose === 'rekey-child') this.armRekey(p.purpose);
    if (p.purpose === 'delete') this.drop();
  }
}
