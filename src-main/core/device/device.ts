/**
 * The client's application processor (AP) and battery (energy-models.md, "Application
 * processor"). The AP sleeps until an alarm fires or the modem hands up a packet; each resume is
 * an AP wakeup that costs `wakeupJ`. It then stays awake for `awakeS`; anything it must do in that
 * window costs no second wakeup. Keepalives offloaded to the modem never wake it.
 */
import { z } from 'zod';
import type { CauseCode } from '../causes.ts';

export const deviceSchema = z
  .object({
    /** Energy per AP wakeup, J. energy-models.md: 0.02 to 0.3 J on phones of the last decade; 0.1 J default (assumption). */
    apWakeupJ: z.number().finite().min(0, 'must be at least 0').max(10, 'must be at most 10 J').default(0.1),
    /** How long the AP stays awake after a wakeup, s (assumption: "up to a second", energy-models.md). */
    apAwakeS: z.number().finite().min(0, 'must be at least 0').max(60, 'must be at most 60 s').default(1),
    /** Battery capacity, mAh (default 4000 mAh, energy-models.md). */
    batteryMah: z.number().finite().gt(0, 'must be greater than 0').max(100000, 'must be at most 100000 mAh').default(4000),
    /** Nominal battery voltage, V (default 3.85 V, energy-models.md). */
    batteryV: z.number().finite().gt(0, 'must be greater than 0').max(50, 'must be at most 50 V').default(3.85),
  })
  .strict();
export type Device = z.output<typeof deviceSchema>;

export function batteryJ(d: Device): number {
  return d.batteryMah * 3.6 * d.batteryV; // mAh x 3.6 C/mAh x V = J
}

/** Tracks AP wakeups by cause. */
export class ApModel {
  readonly wakeups = new Float64Array(6);
  readonly energyJ = new Float64Array(6);
  private awakeUntil = -Infinity;

  constructor(private readonly device: Device) {}

  /** Whether the AP is awake at time t (up to and including the end of its awake window). */
  awake(t: number): boolean {
    return t <= this.awakeUntil;
  }

  /** The AP must run code at time t for `cause`: a new wakeup unless it is awake already. */
  wake(t: number, cause: CauseCode): void {
    if (t <= this.awakeUntil) {
      this.awakeUntil = Math.max(this.awakeUntil, t + this.device.apAwakeS);
      return;
    }
    this.awakeUntil = t + this.device.apAwakeS;
    this.wakeups[cause] += 1;
    this.energyJ[cause] += this.device.apWakeupJ;
  }

  /** A wake lock keeps the AP awake until t, so a timer firing then costs no new wakeup. */
  holdUntil(t: number): void {
    if (t > this.awakeUntil) this.awakeUntil = t;
  }

  get total(): number {
    let s = 0;
    for (let i = 0; i < 6; i++) s += this.wakeups[i]!;
    return s;
  }
}
