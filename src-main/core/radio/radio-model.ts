/**
 * The radio state machine of one client, driven by profile data (energy-models.md).
 *
 * Time only moves forward: `packet(t, ...)` and `finish(t)` must be called with non-decreasing t.
 * Energy is charged lazily: when time advances, the interval since the last call is charged at
 * the power of the states the radio passed through. A packet in idle (or in an idle-like stage
 * such as NR RRC_INACTIVE) is a radio wakeup: its promotion and the tail that follows are charged
 * to its cause (tail energy belongs to the packet that opened the tail, as in AT&T ARO); packets
 * inside that tail only pay their own transfer energy. Idle paging is charged to `baseline`.
 */
import { CAUSE, type CauseCode } from '../causes.ts';
import { averagePowerMw, type RadioProfile } from './profile.ts';

/** What a packet does to the tail stage it lands in. */
const enum StageKind {
  /** The tail restarts from its first stage (LTE continuous reception / DRX). */
  Reset = 0,
  /** Small packets restart this stage; larger ones pay a promotion (UMTS FACH). */
  Threshold = 1,
  /** Every packet pays a promotion, then the tail restarts. */
  Promote = 2,
  /** An idle-like state: a packet is a wakeup (NR RRC_INACTIVE resume). */
  Resume = 3,
}

/** Columnar log of radio wakeups, one entry per wakeup, filled when recording is on. */
export interface WakeupLog {
  time: number[];
  cause: CauseCode[];
  stateLeft: string[];
  /** Promotion plus tail energy of this wakeup, J (final once the tail has ended). */
  energyJ: number[];
  /** 1 where the simulator also woke the application processor for the same event. */
  apWoken: number[];
}

export function emptyWakeupLog(): WakeupLog {
  return { time: [], cause: [], stateLeft: [], energyJ: [], apWoken: [] };
}

const BASELINE = CAUSE.baseline;

export class RadioModel {
  readonly profile: RadioProfile;
  /** Energy so far by cause code, J. */
  readonly energyJ = new Float64Array(6);
  /** Radio wakeups so far by cause code. */
  readonly wakeups = new Float64Array(6);
  readonly log: WakeupLog | null;

  // Compiled profile (seconds, watts, joules, joules per bit).
  private readonly n: number;
  private readonly dur: Float64Array;
  private readonly pw: Float64Array;
  private readonly kind: Uint8Array;
  private readonly stageIdle: Uint8Array;
  private readonly stPromoS: Float64Array;
  private readonly stPromoJ: Float64Array;
  private readonly thrUp: Float64Array;
  private readonly thrDown: Float64Array;
  private readonly stateNames: string[];
  private readonly idleName: string;
  private readonly idleW: number;
  private readonly promoS: number;
  private readonly promoJ: number;
  private readonly jPerBitUp: number;
  private readonly jPerBitDown: number;
  /** The first tail stage simply restarts on a packet, so its charging can be deferred. */
  private readonly lazy0: boolean;

  // State.
  private inTail = false;
  private stage = 0;
  private stageStart = 0;
  /** Energy has been charged up to this time. */
  private acc = 0;
  private openCause: CauseCode = BASELINE;
  private openIdx = -1;
  private openEnergy = 0;

  constructor(profile: RadioProfile, opts: { startS?: number; record?: boolean } = {}) {
    this.profile = profile;
    this.log = opts.record ? emptyWakeupLog() : null;
    this.acc = opts.startS ?? 0;
    const m = profile.powerMultiplier / 1000; // mW -> W, times the profile's multiplier
    const tail = profile.tail;
    this.n = tail.length;
    this.dur = Float64Array.from(tail, (s) => s.durationS);
    this.pw = Float64Array.from(tail, (s) => averagePowerMw(s) * m);
    this.stageIdle = Uint8Array.from(tail, (s) => (s.idleState ? 1 : 0));
    this.kind = Uint8Array.from(tail, (s) =>
      s.idleState ? StageKind.Resume : s.promoteAboveBytes ? StageKind.Threshold : s.promotion ? StageKind.Promote : StageKind.Reset,
    );
    this.stPromoS = Float64Array.from(tail, (s) => s.promotion?.durationS ?? 0);
    this.stPromoJ = Float64Array.from(tail, (s) => (s.promotion ? s.promotion.durationS * s.promotion.powerMw * m : 0));
    this.thrUp = Float64Array.from(tail, (s) => s.promoteAboveBytes?.uplink ?? Infinity);
    this.thrDown = Float64Array.from(tail, (s) => s.promoteAboveBytes?.downlink ?? Infinity);
    this.stateNames = tail.map((s) => s.state);
    this.idleName = profile.idle.state;
    this.idleW = averagePowerMw(profile.idle) * m;
    this.promoS = profile.promotion.durationS;
    this.promoJ = profile.promotion.durationS * profile.promotion.powerMw * m;
    // Transfer power is alpha mW per Mbps (energy-models.md): alpha mW * bits / 1e6 bit/s = alpha * bits * 1e-9 J.
    this.jPerBitUp = profile.transfer.uplinkMwPerMbps * profile.powerMultiplier * 1e-9;
    this.jPerBitDown = profile.transfer.downlinkMwPerMbps * profile.powerMultiplier * 1e-9;
    this.lazy0 = this.kind[0] === StageKind.Reset && this.stageIdle[0] === 0;
  }

  /** The state the radio is in at the last time seen. */
  get state(): string {
    return this.inTail ? this.stateNames[this.stage]! : this.idleName;
  }

  /** Total energy so far, J. */
  get totalJ(): number {
    let s = 0;
    for (let i = 0; i < 6; i++) s += this.energyJ[i]!;
    return s;
  }

  get totalWakeups(): number {
    let s = 0;
    for (let i = 0; i < 6; i++) s += this.wakeups[i]!;
    return s;
  }

  /**
   * One packet crosses the radio at time t (s). Returns the delay the radio adds before it can
   * be carried (a promotion), 0 when the radio was already connected.
   */
  packet(t: number, uplink: boolean, bytes: number, cause: CauseCode): number {
    this.energyJ[cause] += bytes * 8 * (uplink ? this.jPerBitUp : this.jPerBitDown);
    return this.step(t, uplink, bytes, cause);
  }

  /**
   * Many packets of a columnar trace at once: the same result as `packet` for each (up to
   * floating-point rounding), without per-packet work where nothing changes state: packets during
   * a promotion (which ends where the first tail stage starts, so t < stageStart), and packets
   * that only restart the first tail stage. Those take one comparison; the first stage is charged
   * in one piece when the radio leaves it; transfer energy is summed per cause and direction and
   * charged once.
   *
   * Written for V8: the loop's running values live in a Float64Array (`run`). Kept in local
   * variables, the first-stage start was boxed on every packet once it merged with the value the
   * slow path returns (16 B of garbage a packet), and the byte sums likewise.
   */
  packets(time: Float64Array, up: Uint8Array, bytes: Uint32Array, cause: Uint8Array | undefined, fallback: CauseCode): void {
    const n = time.length;
    const d0 = this.lazy0 ? this.dur[0]! : -Infinity;
    // run[0..11]: bytes by cause * 2 + direction; run[12]: start of the first tail stage, or -Infinity.
    const run = new Float64Array(13);
    run[12] = this.fastStart();
    for (let i = 0; i < n; i++) {
      const t = time[i]!;
      const b = bytes[i]!;
      const u = up[i]!;
      const c = cause === undefined ? fallback : (cause[i]! as CauseCode);
      run[c * 2 + u] += b;
      const s0 = run[12]!;
      if (t < s0 + d0) {
        run[12] = t > s0 ? t : s0;
        continue;
      }
      if (s0 !== -Infinity) this.stageStart = s0;
      this.step(t, u === 1, b, c);
      run[12] = this.fastStart();
    }
    if (run[12]! !== -Infinity) this.stageStart = run[12]!;
    for (let c = 0; c < 6; c++) this.energyJ[c] += 8 * (run[c * 2 + 1]! * this.jPerBitUp + run[c * 2]! * this.jPerBitDown);
  }

  /** Start of the first tail stage while the radio is in it and it restarts lazily, else -Infinity. */
  private fastStart(): number {
    return this.lazy0 && this.inTail && this.stage === 0 ? this.stageStart : -Infinity;
  }

  /** The state change one packet causes (its transfer energy is charged by the caller). */
  private step(t: number, uplink: boolean, bytes: number, cause: CauseCode): number {
    if (t < this.acc) return this.acc - t; // still promoting: it waits, and pays only its transfer
    if (this.lazy0 && this.inTail && this.stage === 0 && t < this.stageStart + this.dur[0]!) {
      // It restarts the first tail stage. Charging waits until the radio leaves that stage:
      // from acc to then it was in stage 0 all along, so advance() charges it in one piece.
      this.stageStart = t;
      return 0;
    }
    this.advance(t);
    if (!this.inTail) return this.wake(t, cause, this.promoS, this.promoJ, this.idleName);
    const k = this.stage;
    switch (this.kind[k]) {
      case StageKind.Reset:
        this.stage = 0;
        this.stageStart = t;
        return 0;
      case StageKind.Threshold:
        if (bytes <= (uplink ? this.thrUp[k]! : this.thrDown[k]!)) {
          this.stageStart = t;
          return 0;
        }
        return this.promote(t, cause, this.stPromoS[k]!, this.stPromoJ[k]!);
      case StageKind.Promote:
        return this.promote(t, cause, this.stPromoS[k]!, this.stPromoJ[k]!);
      default:
        return this.wake(t, cause, this.stPromoS[k]!, this.stPromoJ[k]!, this.stateNames[k]!);
    }
  }

  /** Charges energy up to time t and closes the open wakeup's record. */
  finish(t: number): void {
    if (t > this.acc) this.advance(t);
    this.closeWakeup();
  }

  /** Marks the most recent wakeup as one that also woke the application processor. */
  markApWoken(): void {
    if (this.log && this.openIdx >= 0) this.log.apWoken[this.openIdx] = 1;
  }

  private wake(t: number, cause: CauseCode, promoS: number, promoJ: number, stateLeft: string): number {
    this.closeWakeup();
    this.wakeups[cause] += 1;
    this.openCause = cause;
    this.openEnergy = promoJ;
    this.energyJ[cause] += promoJ;
    if (this.log) {
      this.openIdx = this.log.time.length;
      this.log.time.push(t);
      this.log.cause.push(cause);
      this.log.stateLeft.push(stateLeft);
      this.log.energyJ.push(0);
      this.log.apWoken.push(0);
    }
    this.inTail = true;
    this.stage = 0;
    this.acc = t + promoS;
    this.stageStart = this.acc;
    return promoS;
  }

  private promote(t: number, cause: CauseCode, promoS: number, promoJ: number): number {
    this.energyJ[cause] += promoJ;
    this.stage = 0;
    this.acc = t + promoS;
    this.stageStart = this.acc;
    return promoS;
  }

  private closeWakeup(): void {
    if (this.log && this.openIdx >= 0) this.log.energyJ[this.openIdx] = this.openEnergy;
    this.openIdx = -1;
    this.openEnergy = 0;
  }

  /** Charges [acc, t] stage by stage; the tail may run out into idle. */
  private advance(t: number): void {
    if (!this.inTail) {
      this.energyJ[BASELINE] += (t - this.acc) * this.idleW;
      this.acc = t;
      return;
    }
    let k = this.stage;
    let start = this.stageStart;
    for (;;) {
      const end = start + this.dur[k]!;
      const upto = t < end ? t : end;
      const e = (upto - this.acc) * this.pw[k]!;
      if (this.stageIdle[k]) {
        this.energyJ[BASELINE] += e;
      } else {
        this.energyJ[this.openCause] += e;
        this.openEnergy += e;
      }
      this.acc = upto;
      if (t < end) break;
      k++;
      start = end;
      if (k === this.n) {
        this.inTail = false;
        this.closeWakeup();
        this.energyJ[BASELINE] += (t - this.acc) * this.idleW;
        this.acc = t;
        k = 0;
        break;
      }
    }
    this.stage = k;
    this.stageStart = start;
  }
}
