/**
 * What the simulated client and gateway share: their IKE_SA generation, one request in flight at
 * a time (RFC 7296 section 2.3 with a window of 1) with queued rekeys behind it, named timers,
 * rekeying with random reduction, and application data split into ESP packets.
 */
import { CAUSE, type CauseCode } from '../causes.ts';
import type { Retransmit } from '../policy/schema.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from './event-queue.ts';
import { retransmitWaits } from '../policy/retransmit.ts';
import { Exchange } from './exchange.ts';
import type { ExchangeType, Packet, Purpose } from './packet.ts';
import { WIRE } from './wire-sizes.ts';
import type { Endpoint, World } from './world.ts';

export type RekeyKind = 'rekey-ike' | 'rekey-child';

export interface PeerPolicy {
  retransmit: Retransmit;
  ikeRekeyS: number;
  ikeRekeyJitterS: number;
  childRekeyS: number;
  childRekeyJitterS: number;
}

export abstract class Peer implements Endpoint {
  /** Generation number of the IKE_SA this side holds; 0 = none. */
  sa = 1;
  private nextXid = 1;
  protected ex: Exchange | null = null;
  private pending: RekeyKind[] = [];
  private readonly timers = new Map<string, Timer>();

  constructor(
    protected readonly w: World,
    private readonly peerPolicy: PeerPolicy,
    protected readonly rng: Rng,
  ) {}

  abstract receive(p: Packet): void;
  /** Schedules fn at `due` the way this side's timers work. */
  protected abstract schedule(due: number, cause: CauseCode, fn: () => void): Timer;
  /** Whether this side holds an SA it may run exchanges on. */
  protected abstract get active(): boolean;
  protected abstract send(p: Packet): void;
  /** A rekey went unanswered after every retransmission. */
  protected abstract rekeyFailed(): void;

  protected setTimer(name: string, t: Timer | null): void {
    this.w.q.cancel(this.timers.get(name));
    if (t) this.timers.set(name, t);
    else this.timers.delete(name);
  }

  /** Cancels every timer and the exchange in flight (the SA is gone). */
  protected clear(): void {
    for (const t of this.timers.values()) this.w.q.cancel(t);
    this.timers.clear();
    this.ex?.abort();
    this.ex = null;
    this.pending = [];
  }

  protected exchange(type: ExchangeType, purpose: Purpose, bytes: number, cause: CauseCode, onEnd: (ok: boolean) => void): void {
    const r = this.peerPolicy.retransmit;
    const req: Packet = { kind: 'ike', exchange: type, purpose, bytes, cause, sa: this.sa, xid: this.nextXid++ };
    const ex = new Exchange(
      req,
      retransmitWaits(r, r.jitterPct > 0 ? this.rng : undefined),
      (pk) => this.send(pk),
      (due, fn) => this.schedule(due, cause, fn),
      (t) => this.w.q.cancel(t),
      (ok) => {
        if (this.ex === ex) this.ex = null;
        onEnd(ok);
        const next = !this.ex && this.active ? this.pending.shift() : undefined;
        if (next) this.requestRekey(next);
      },
      () => this.w.now,
    );
    this.ex = ex;
    ex.start();
  }

  /** Answers a request from the peer with a response of the same kind. */
  protected respond(p: Packet, bytes = p.bytes, port?: number): void {
    this.send({ ...p, response: true, bytes, port });
  }

  // ---- rekeying (RFC 7296 sections 1.3.2 and 2.8) ----

  protected armRekey(kind: RekeyKind): void {
    const p = this.peerPolicy;
    const [base, jitter] = kind === 'rekey-ike' ? [p.ikeRekeyS, p.ikeRekeyJitterS] : [p.childRekeyS, p.childRekeyJitterS];
    if (base <= 0 || !this.active) return;
    const due = this.w.now + base - this.rng.uniform(0, jitter);
    this.setTimer(kind, this.schedule(due, CAUSE.rekey, () => this.requestRekey(kind)));
  }

  private requestRekey(kind: RekeyKind): void {
    if (!this.active) return;
    if (this.ex) {
      if (!this.pending.includes(kind)) this.pending.push(kind);
      return;
    }
    this.exchange('CREATE_CHILD_SA', kind, WIRE.rekey, CAUSE.rekey, (ok) => {
      if (ok) this.armRekey(kind);
      else this.rekeyFailed();
    });
  }

  /** Sends application data as ESP packets of at most WIRE.innerMtu inner bytes. */
  protected sendEsp(innerBytes: number, replyBytes: number): void {
    for (let left = innerBytes; left > 0; left -= WIRE.innerMtu) {
      const chunk = Math.min(left, WIRE.innerMtu);
      const last = left <= WIRE.innerMtu;
      this.send({ kind: 'esp', purpose: 'data', bytes: chunk + WIRE.espOverhead, cause: CAUSE.data, sa: this.sa, replyBytes: last ? replyBytes : 0 });
    }
  }
}
