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
import { compileProfile, StageKind, type CompiledProfile } from './compiled-profile.ts';
import { skipFirstStage, skipFirstStageCaused } from './skip-first-stage.ts';
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

/**
 * Where the radio's running doubles sit in its one Float64Array (`RadioModel.s`): energy and
 * wakeups by cause code, then the times and the open wakeup's energy. One array rather than
 * fields: V8 keeps each double field in a box of its own, and a live lab of a thousand radios
 * then met several scattered cache lines a packet, and allocated a box for each double it passed
 * on (BENCHMARKS.md, "The live lab").
 */
// Cause codes are 0-5 (causes.ts), and only those may reach a radio: a larger one would land in
// the next slots rather than be dropped. Traces are checked where they are made (trace/trace.ts).
const ENERGY = 0;
const WAKEUPS = 6;
/** Energy has been charged up to this time. */
const ACC = 12;
const STAGE_START = 13;
const OPEN_ENERGY = 14;
/**
 * The time of the packet or charge being worked on: `step`, `advance`, `wake` and `promote` read
 * it here, not as an argument. V8 boxes a double passed to a call it does not inline (a new heap
 * number each time), and these are not inlined: 16 bytes of garbage per call, per packet, in the
 * simulator's slow path and in every live client's radio (BENCHMARKS.md).
 */
const NOW = 15;
const SLOTS = 16;

export class RadioModel {
  readonly profile: RadioProfile;
  /** Energy so far by cause code, J (a view of the radio's state array). */
  readonly energyJ: Float64Array;
  /** Radio wakeups so far by cause code (a view of the radio's state array). */
  readonly wakeups: Float64Array;
  readonly log: WakeupLog | null;

  /** The compiled profile (compiled-profile.ts), shared with every radio on the same profile. */
  private readonly c: CompiledProfile;
  /** The running doubles, at the slots above. */
  private readonly s = new Float64Array(SLOTS);

  // State.
  private inTail = false;
  private stage = 0;
  private openCause: CauseCode = BASELINE;
  private openIdx = -1;
  /** Entries in the wakeup log (read without touching the log: live meters ask per datagram). */
  private logged = 0;

  constructor(profile: RadioProfile, opts: { startS?: number; record?: boolean } = {}) {
    this.profile = profile;
    this.log = opts.record ? emptyWakeupLog() : null;
    this.s[ACC] = opts.startS ?? 0;
    this.energyJ = this.s.subarray(ENERGY, ENERGY + 6);
    this.wakeups = this.s.subarray(WAKEUPS, WAKEUPS + 6);
    this.c = compileProfile(profile);
  }

  /** The state the radio is in at the last time seen. */
  get state(): string {
    return this.inTail ? this.c.stateNames[this.stage]! : this.c.idleName;
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
    this.carry(t, uplink, bytes, cause);
    // After a step, energy is charged up to t unless a promotion is still running: then up to its
    // end, which is how long this packet waits. (step returns nothing: V8 boxes a double returned
    // from a call it does not inline, garbage on every slow packet of a trace.)
    const wait = this.s[ACC]! - t;
    return wait > 0 ? wait : 0;
  }

  /**
   * `packet` for a caller that does not want the delay (a live meter): nothing returned, as V8
   * boxes a double returned from a call it does not inline.
   */
  carry(t: number, uplink: boolean, bytes: number, cause: CauseCode): void {
    this.s[ENERGY + cause] += bytes * 8 * (uplink ? this.c.jPerBitUp : this.c.jPerBitDown);
    this.s[NOW] = t;
    this.step(uplink, bytes, cause);
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
    stage0[1] = this.c.lazy0 ? this.c.dur[0]! : 0;
    const n = time.length;
    let i = 0;
    while (i < n) {
      const code = cause === undefined ? fallback : (cause[i]! as CauseCode);
      if (this.c.lazy0 && this.inTail && this.stage === 0) {
        stage0[0] = this.s[STAGE_START]!;
        const j =
          cause === undefined
            ? skipFirstStage(time, up, bytes, i, n, code, stage0, sums)
            : skipFirstStageCaused(time, up, bytes, cause, i, n, code, stage0, sums);
        if (j > i) {
          this.s[STAGE_START] = stage0[0]!;
          i = j;
          continue; // it stopped where the stage ends (the next call returns at once) or the cause changes
        }
      }
      const b = bytes[i]!;
      const u = up[i]!;
      sums[code * 2 + u] += b;
      this.s[NOW] = time[i]!;
      this.step(u === 1, b, code);
      i++;
    }
    for (let k = 0; k < 6; k++) this.s[ENERGY + k] += 8 * (sums[k * 2 + 1]! * this.c.jPerBitUp + sums[k * 2]! * this.c.jPerBitDown);
  }

  /** The state change one packet at `s[NOW]` causes (its transfer energy is charged by the caller). */
  private step(uplink: boolean, bytes: number, cause: CauseCode): void {
    const t = this.s[NOW]!;
    if (t < this.s[ACC]!) return; // still promoting: it waits, and pays only its transfer
    if (this.c.lazy0 && this.inTail && this.stage === 0 && t < this.s[STAGE_START]! + this.c.dur[0]!) {
      // It restarts the first tail stage. Charging waits until the radio leaves that stage:
      // from acc to then it was in stage 0 all along, so advance() charges it in one piece.
      this.s[STAGE_START] = t;
      return;
    }
    this.advance();
    if (!this.inTail) {
      this.wake(cause, -1);
      return;
    }
    const k = this.stage;
    switch (this.c.kind[k]) {
      case StageKind.Reset:
        this.stage = 0;
        this.s[STAGE_START] = t;
        return;
      case StageKind.Threshold:
        if (bytes <= (uplink ? this.c.thrUp[k]! : this.c.thrDown[k]!)) this.s[STAGE_START] = t;
        else this.promote(cause, k);
        return;
      case StageKind.Promote:
        this.promote(cause, k);
        return;
      default:
        this.wake(cause, k);
    }
  }

  /**
   * For timelines: the states the radio passes through from `from` to `to` if no packet comes,
   * as [start, state] pairs ("promotion" while a promotion runs). `from` must not be before the
   * last packet. Changes nothing.
   */
  statesBetween(from: number, to: number): [number, string][] {
    if (!this.inTail) return [[from, this.c.idleName]];
    const out: [number, string][] = [];
    if (from < this.s[ACC]!) out.push([from, PROMOTION_STATE]); // a promotion ends where its first stage starts
    let start = this.s[STAGE_START]!;
    for (let k = this.stage; k < this.c.n; k++) {
      const end = start + this.c.dur[k]!;
      if (end > from && start < to) out.push([Math.max(start, from), this.c.stateNames[k]!]);
      start = end;
      if (start >= to) return out;
    }
    out.push([Math.max(start, from), this.c.idleName]);
    return out;
  }

  /**
   * Charges energy up to time t and leaves the open wakeup open (live totals while a tail runs;
   * `finish` closes it).
   */
  chargeTo(t: number): void {
    if (t > this.s[ACC]!) {
      this.s[NOW] = t;
      this.advance();
    }
  }

  /**
   * How many wakeups the log holds now: its arrays' first `loggedWakeups` entries (their length,
   * unless `dropLog` was called; 0 without a log).
   */
  get loggedWakeups(): number {
    return this.logged;
  }

  /** The log index of the wakeup whose tail is still running, -1 when none. */
  get openWakeup(): number {
    return this.openIdx;
  }

  /** Charges energy up to time t and closes the open wakeup's record. */
  finish(t: number): void {
    this.chargeTo(t);
    this.closeWakeup();
  }

  /**
   * Forgets the first `count` entries of the wakeup log (a live meter has reported them: a radio
   * that runs for days would otherwise keep every wakeup it ever had). Only ended wakeups can go;
   * the indexes of the rest, `openWakeup` among them, move down by `count`. The arrays keep their
   * length, so from then on only their first `loggedWakeups` entries are the log's (the rest are
   * stale, written over by the next wakeups): shortened, V8 gave their storage back and regrew it,
   * each copy kept for seconds and so promoted to the old generation, a steady feed of the
   * collector in a lab of a thousand clients (BENCHMARKS.md, "The live lab").
   */
  dropLog(count: number): void {
    const log = this.log;
    if (!log || count <= 0) return;
    const n = Math.min(count, this.openIdx >= 0 ? this.openIdx : this.logged);
    const keep = this.logged - n;
    moveNumbers(log.time, n, keep);
    moveNumbers(log.cause, n, keep);
    moveStrings(log.stateLeft, n, keep);
    moveNumbers(log.energyJ, n, keep);
    moveNumbers(log.apWoken, n, keep);
    this.logged = keep;
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
  private wake(cause: CauseCode, from: number): void {
    const t = this.s[NOW]!;
    const promoS = from < 0 ? this.c.promoS : this.c.stPromoS[from]!;
    const promoJ = from < 0 ? this.c.promoJ : this.c.stPromoJ[from]!;
    this.closeWakeup();
    this.s[WAKEUPS + cause] += 1;
    this.openCause = cause;
    this.s[OPEN_ENERGY] = promoJ;
    this.s[ENERGY + cause] += promoJ;
    if (this.log) {
      // At `logged`, the end of the log unless `dropLog` left stale entries there.
      const i = this.logged;
      this.openIdx = i;
      this.logged = i + 1;
      this.log.time[i] = t;
      this.log.cause[i] = cause;
      this.log.stateLeft[i] = from < 0 ? this.c.idleName : this.c.stateNames[from]!;
      this.log.energyJ[i] = 0;
      this.log.apWoken[i] = 0;
    }
    this.inTail = true;
    this.stage = 0;
    this.s[ACC] = t + promoS;
    this.s[STAGE_START] = this.s[ACC]!;
  }

  /** The promotion out of tail stage k (a FACH buffer overflow, say): charged to the packet's cause. */
  private promote(cause: CauseCode, k: number): void {
    const t = this.s[NOW]!;
    const promoS = this.c.stPromoS[k]!;
    const promoJ = this.c.stPromoJ[k]!;
    this.s[ENERGY + cause] += promoJ;
    this.stage = 0;
    this.s[ACC] = t + promoS;
    this.s[STAGE_START] = this.s[ACC]!;
  }

  private closeWakeup(): void {
    if (this.log && this.openIdx >= 0) this.log.energyJ[this.openIdx] = this.s[OPEN_ENERGY]!;
    this.openIdx = -1;
    this.s[OPEN_ENERGY] = 0;
  }

  /** Charges [acc, s[NOW]] stage by stage; the tail may run out into idle. */
  private advance(): void {
    const s = this.s;
    const t = s[NOW]!;
    const c = this.c;
    if (!this.inTail) {
      s[ENERGY + BASELINE] += (t - s[ACC]!) * c.idleW;
      s[ACC] = t;
      return;
    }
    let k = this.stage;
    let start = s[STAGE_START]!;
    for (;;) {
      const end = start + c.dur[k]!;
      const upto = t < end ? t : end;
      const e = (upto - s[ACC]!) * c.pw[k]!;
      if (c.stageIdle[k]) {
        s[ENERGY + BASELINE] += e;
      } else {
        s[ENERGY + this.openCause] += e;
        s[OPEN_ENERGY] += e;
      }
      s[ACC] = upto;
      if (t < end) break;
      k++;
      start = end;
      if (k === c.n) {
        this.inTail = false;
        this.closeWakeup();
        s[ENERGY + BASELINE] += (t - s[ACC]!) * c.idleW;
        s[ACC] = t;
        k = 0;
        break;
      }
    }
    this.stage = k;
    s[STAGE_START] = start;
  }
}

// Entries n .. n + keep - 1 moved to 0 .. keep - 1 (`copyWithin` is a slow generic builtin). One
// function for numbers and one for strings: a store that has seen the strings' array would turn
// the number arrays it sees afterwards into arrays of objects, each double then a boxed number of
// its own (garbage kept as long as the log keeps it).
function moveNumbers(a: number[], n: number, keep: number): void {
  for (let i = 0; i < keep; i++) a[i] = a[i + n]!;
}

function moveStrings(a: string[], n: number, keep: number): void {
  for (let i = 0; i < keep; i++) a[i] = a[i + n]!;
}
