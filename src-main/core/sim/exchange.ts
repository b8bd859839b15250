/**
 * One IKE request in flight and its retransmissions (RFC 7296 section 2.1), on charon's schedule:
 * attempt n waits timeoutS x base^n (reduced by up to jitterPct percent, capped at limitS); after
 * `tries` retransmissions and the last wait, the exchange has failed.
 */
import type { Retransmit } from '../policy/schema.ts';
import type { Rng } from '../rng.ts';
import type { Timer } from './event-queue.ts';
import type { Packet } from './packet.ts';

/** Schedules fn at `due` the way the owning side's timers work (alarms on the client). */
export type TimerFn = (due: number, fn: () => void) => Timer;

/** The waits after each send, s: index n is what attempt n waits before the next step. */
export function retransmitWaits(r: Retransmit, rng?: Rng): number[] {
  const waits: number[] = [];
  for (let n = 0; n <= r.tries; n++) {
    let w = r.timeoutS * Math.pow(r.base, n);
    if (r.jitterPct > 0 && rng) w -= w * (r.jitterPct / 100) * rng.next();
    if (r.limitS > 0 && w > r.limitS) w = r.limitS;
    waits.push(w);
  }
  return waits;
}

/** Seconds from the first send until the exchange gives up (no jitter). */
export function giveUpAfterS(r: Retransmit): number {
  return retransmitWaits(r).reduce((a, b) => a + b, 0);
}

export class Exchange {
  private attempt = 0;
  private timer: Timer | null = null;
  done = false;

  constructor(
    readonly request: Packet,
    private readonly waits: number[],
    private readonly send: (p: Packet) => void,
    private readonly timerAt: TimerFn,
    private readonly cancel: (t: Timer | null) => void,
    private readonly onEnd: (ok: boolean) => void,
    private readonly now: () => number,
  ) {}

  start(): void {
    this.send(this.request);
    this.arm();
  }

  /** The response arrived. */
  complete(): void {
    if (this.done) return;
    this.done = true;
    this.cancel(this.timer);
    this.onEnd(true);
  }

  /** Abandon without a verdict (the SA went away). */
  abort(): void {
    this.done = true;
    this.cancel(this.timer);
  }

  private arm(): void {
    const wait = this.waits[this.attempt]!;
    this.timer = this.timerAt(this.now() + wait, () => this.expire());
  }

  private expire(): void {
    if (this.done) return;
    this.attempt++;
    if (this.attempt >= this.waits.length) {
      this.done = true;
      this.onEnd(false);
      return;
    }
    this.send(this.request);
    this.arm();
  }
}
