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
import { compileProfile, StageKind } from './compiled-profile.ts';
import type { RadioProfile } from './profile.ts';

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

/** The name timelines give the time a promotion takes. */
export const PROMOTION_STATE = 'promotion';

export class RadioModel {
  readonly profile: RadioProfile;
  /** Energy so far by cause code, J. */
  readonly energyJ = new Float64Array(6);
  /** Radio wakeups so far by cause code. */
  readonly wakeups = new Float64Array(6);
  readonly log: WakeupLog | null;

  // The compiled profile (compiled-profile.ts), shared with every radio on the same profile.
  private readonly n: number;
  private readonly dur: Float64Array;
  private readonly pw: Float64Array;
  private readonly kind: Uint8Array;
  private readonly stageIdle: Uint8Array;
  private readonly stPromoS: Float64Array;
  private readonly stPromoJ: Float64Array;
  private readonly thrUp: Float64Array;
  private readonly thrDown: Float64Array;
  private readonly stateNames: readonly string[];
  private readonly idleName: string;
  private readonly idleW: number;
  private readonly promoS: number;
  private readonly promoJ: number;
  private readonly jPerBitUp: number;
  private readonly jPerBitDown: number;
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
  /** Entries in the wakeup log (read without touching the log: live meters ask per datagram). */
  private logged = 0;

  constructor(profile: RadioProfile, opts: { startS?: number; record?: boolean } = {}) {
    this.profile = profile;
    this.log = opts.record ? emptyWakeupLog() : null;
    this.acc = opts.startS ?? 0;
    const c = compileProfile(profile);
    this.n = c.n;
    this.dur = c.dur;
    this.pw = c.pw;
    this.kind = c.kind;
    this.stageIdle = c.stageIdle;
    this.stPromoS = c.stPromoS;
    this.stPromoJ = c.stPromoJ;
    this.thrUp = c.thrUp;
    this.thrDown = c.thrDown;
    this.stateNames = c.stateNames;
    this.idleName = c.idleName;
    this.idleW = c.idleW;
    this.promoS = c.promoS;
    this.promoJ = c.promoJ;
    this.jPerBitUp = c.jPerBitUp;
    this.jPerBitDown = c.jPerBitDown;
    this.lazy0 = c.lazy0;
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
    this.step(t, uplink, bytes, cause);
    // After a step, energy is charged up to t unless a promotion is still running: then up to its
    // end, which is how long this packet waits. (step returns nothing: V8 boxes a double returned
    // from a call it does not inline, garbage on every slow packet of a trace.)
    const wait = this.acc - t;
    return wait > 0 ? wait : 0;
  }

  /**
   * Many packets of a columnar trace at once: the same result as `packet` for each (up to
   * floating-point rounding), without per-packet work where nothing changes state.
   *
   * Packets during a promotion (which ends where the first tail stage starts) and packets that
   * only restart the first tail stage change nothing but that stage's start, so `skipFirstStage`
   * steps over runs of them with one comparison each, summing their bytes; the stage is charged in
   * one piece when the radio leaves it. Only the packets it stops at (about one in seventy in the
   * benchmark's trace) take `step`. Transfer energy does not depend on the radio's state: bytes
   * are summed per cause and direction and charged once at the end.
   *
   * Written for V8: the skipping loops are small standalone functions whose running values are
   * locals with no call inside the loop, so they stay unboxed doubles in registers. (A single loop
   * that also called `step` boxed them: 16 B of garbage a packet.)
   */
  packets(time: Float64Array, up: Uint8Array, bytes: Uint32Array, cause: Uint8Array | undefined, fallback: CauseCode): void {
    const sums = new Float64Array(12); // bytes by cause * 2 + up
    // The first stage's start and length go to the skipping loops in a typed array, not as
    // arguments: V8 boxes each double passed to a call it does not inline.
    const stage0 = new Float64Array(2);
    stage0[1] = this.lazy0 ? this.dur[0]! : 0;
    const n = time.length;
    let i = 0;
    while (i < n) {
      const c = cause === undefined ? fallback : (cause[i]! as CauseCode);
      if (this.lazy0 && this.inTail && this.stage === 0) {
        stage0[0] = this.stageStart;
        const j =
          cause === undefined
            ? skipFirstStage(time, up, bytes, i, n, c, stage0, sums)
            : skipFirstStageCaused(time, up, bytes, cause, i, n, c, stage0, sums);
        if (j > i) {
          this.stageStart = stage0[0]!;
          i = j;
          continue; // it stopped where the stage ends (the next call returns at once) or the cause changes
        }
      }
      const b = bytes[i]!;
      const u = up[i]!;
      sums[c * 2 + u] += b;
      this.step(time[i]!, u === 1, b, c);
      i++;
    }
    for (let k = 0; k < 6; k++) this.energyJ[k] += 8 * (sums[k * 2 + 1]! * this.jPerBitUp + sums[k * 2]! * this.jPerBitDown);
  }

  /** The state change one packet causes (its transfer energy is charged by the caller). */
  /** The state change one packet causes (its transfer energy is charged by the caller). */
  private step(t: number, uplink: boolean, bytes: number, cause: CauseCode): void {
    if (t < this.acc) return; // still promoting: it waits, and pays only its transfer
    if (this.lazy0 && this.inTail && this.stage === 0 && t < this.stageStart + this.dur[0]!) {
      // It restarts the first tail stage. Charging waits until the radio leaves that stage:
      // from acc to then it was in stage 0 all along, so advance() charges it in one piece.
      this.stageStart = t;
      return;
    }
    this.advance(t);
    if (!this.inTail) {
      this.wake(t, cause, -1);
      return;
    }
    const k = this.stage;
    switch (this.kind[k]) {
      case StageKind.Reset:
        this.stage = 0;
        this.stageStart = t;
        return;
      case StageKind.Threshold:
        if (bytes <= (uplink ? this.thrUp[k]! : this.thrDown[k]!)) this.stageStart = t;
        else this.promote(t, cause, k);
        return;
      case StageKind.Promote:
        this.promote(t, cause, k);
        return;
      default:
        this.wake(t, cause, k);
    }
  }

  /**
   * For timelines: the states the radio passes through from `from` to `to` if no packet comes,
   * as [start, state] pairs ("promotion" while a promotion runs). `from` must not be before the
   * last packet. Changes nothing.
   */
  statesBetween(from: number, to: number): [number, string][] {
    if (!this.inTail) return [[from, this.idleName]];
    const out: [number, string][] = [];
    if (from < this.acc) out.push([from, PROMOTION_STATE]); // a promotion ends where its first stage starts
    let start = this.stageStart;
    for (let k = this.stage; k < this.n; k++) {
      const end = start + this.dur[k]!;
      if (end > from && start < to) out.push([Math.max(start, from), this.stateNames[k]!]);
      start = end;
      if (start >= to) return out;
    }
    out.push([Math.max(start, from), this.idleName]);
    return out;
  }

  /**
   * Charges energy up to time t and leaves the open wakeup open (live totals while a tail runs;
   * `finish` closes it).
   */
  chargeTo(t: number): void {
    if (t > this.acc) this.advance(t);
  }

  /** The log index of the wakeup whose tail is still running, -1 when none. */
  /** How many wakeups the log holds now (`log.time.length`; 0 without a log). */
  get loggedWakeups(): number {
    return this.logged;
  }

  get openWakeup(): number {
    return this.openIdx;
  }

  /** Charges energy up to time t and closes the open wakeup's record. */
  finish(t: number): void {
    if (t > this.acc) this.advance(t);
    this.closeWakeup();
  }

  /**
   * Forgets the first `count` entries of the wakeup log (a live meter has reported them: a radio
   * that runs for days would otherwise keep every wakeup it ever had). Only ended wakeups can go;
   * the indexes of the rest, `openWakeup` among them, move down by `count`.
   */
  dropLog(count: number): void {
    const log = this.log;
    if (!log || count <= 0) return;
    const n = Math.min(count, this.openIdx >= 0 ? this.openIdx : log.time.length);
    log.time.splice(0, n);
    log.cause.splice(0, n);
    log.stateLeft.splice(0, n);
    log.energyJ.splice(0, n);
    log.apWoken.splice(0, n);
    this.logged = log.time.length;
    if (this.openIdx >= 0) this.openIdx -= n;
  }

  /** Marks the most recent wakeup as one that also woke the application processor. */
  markApWoken(): void {
    if (this.log && this.openIdx >= 0) this.log.apWoken[this.openIdx] = 1;
  }

  /**
   * A radio wakeup from idle (from = -1) or from the idle-like tail stage `from`. Takes a stage
   * index rather than the promotion's figures: V8 boxes each double passed to a call it does not
   * inline, and this one is not inlined.
   */
  private wake(t: number, cause: CauseCode, from: number): void {
    const promoS = from < 0 ? this.promoS : this.stPromoS[from]!;
    const promoJ = from < 0 ? this.promoJ : this.stPromoJ[from]!;
    this.closeWakeup();
    this.wakeups[cause] += 1;
    this.openCause = cause;
    this.openEnergy = promoJ;
    this.energyJ[cause] += promoJ;
    if (this.log) {
      this.openIdx = this.log.time.length;
      this.logged = this.openIdx + 1;
      this.log.time.push(t);
      this.log.cause.push(cause);
      this.log.stateLeft.push(from < 0 ? this.idleName : this.stateNames[from]!);
      this.log.energyJ.push(0);
      this.log.apWoken.push(0);
    }
    this.inTail = true;
    this.stage = 0;
    this.acc = t + promoS;
    this.stageStart = this.acc;
  }

  /** The promotion out of tail stage k (a FACH buffer overflow, say): charged to the packet's cause. */
  private promote(t: number, cause: CauseCode, k: number): void {
    const promoS = this.stPromoS[k]!;
    const promoJ = this.stPromoJ[k]!;
    this.energyJ[cause] += promoJ;
    this.stage = 0;
    this.acc = t + promoS;
    this.stageStart = this.acc;
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

/**
 * From index i, the end of the run of packets that each only restart the first tail stage:
 * time[k] < s + d0, where stage0 = [s, d0] holds the stage's start s (moved up to each packet's
 * time, and written back) and its length d0. Their bytes are added to sums[cause * 2 + up].
 * Returns the index of the first packet after the run (n if none).
 */
function skipFirstStage(time: Float64Array, up: Uint8Array, bytes: Uint32Array, i: number, n: number, cause: number, stage0: Float64Array, sums: Float64Array): number {
  let s = stage0[0]!;
  const d0 = stage0[1]!;
  let all = 0;
  let upward = 0;
  let k = i;
  for (; k < n; k++) {
    const t = time[k]!;
    if (t >= s + d0) break;
    const b = bytes[k]!;
    all += b;
    upward += b * up[k]!;
    s = t > s ? t : s;
  }
  stage0[0] = s;
  sums[cause * 2 + 1] += upward;
  sums[cause * 2] += all - upward;
  return k;
}

/**
 * `skipFirstStage` with a cause column: the run also ends where the cause changes. A copy rather
 * than an optional argument: one function testing `causes !== undefined` in its loop measured
 * 2.7-3.4x the bare loop with causes, against 2.5-2.7x for this one.
 */
function skipFirstStageCaused(time: Float64Array, up: Uint8Array, bytes: Uint32Array, causes: Uint8Array, i: number, n: number, cause: number, stage0: Float64Array, sums: Float64Array): number {
  let s = stage0[0]!;
  const d0 = stage0[1]!;
  let all = 0;
  let upward = 0;
  let k = i;
  for (; k < n; k++) {
    const t = time[k]!;
    if (t >= s + d0 || causes[k] !== cause) break;
    const b = bytes[k]!;
    all += b;
    upward += b * up[k]!;
    s = t > s ? t : s;
  }
  stage0[0] = s;
  sums[cause * 2 + 1] += upward;
  sums[cause * 2] += all - upward;
  return k;
}
