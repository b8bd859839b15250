/**
 * One simulated IKE request in flight and its retransmissions (RFC 7296 section 2.1), on charon's
 * schedule (policy/retransmit.ts).
 */
import type { Timer } from './event-queue.ts';
import type { Packet } from './packet.ts';

/** Schedules fn at `due` the way the owning side's timers work (alarms on the client). */
export type TimerFn = (due: number, fn: () => void) => Timer;

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
