/**
 * One client's radio, estimated live from the packets the gateway exchanges with it: the same
 * RadioModel the simulator uses (core/radio), fed packet by packet with the client's view of them
 * (what the gateway receives, the client sent: uplink). It reports each radio wakeup and keeps
 * running totals.
 *
 * A datagram is only queued (after waiting in the estimator's journal with the other clients',
 * estimator.ts): its time, direction, size and cause go to the client's ring of recent datagrams
 * (which the Live view's timeline replays anyway), and the radio is fed from the ring when
 * anything reads it: `advance` (the lab calls it every second), `totals`, `finish`, a profile
 * change, or a full ring. A thousand clients' datagrams come interleaved, so each one found its
 * client's radio state cold in the cache, with the responder's work in between; fed a few
 * datagrams at a time, a radio is visited once for all of them (BENCHMARKS.md, "The live lab").
 * The result is the same as feeding each at once: the same model, the same inputs, in order.
 *
 * Vantage point: the gateway sees only the tunnel's packets, not the phone's other traffic, so
 * these are the tunnel's own costs (and the wakeups it would cause on an otherwise idle phone).
 */
import { byCause, CAUSE, CAUSES, type Cause, type CauseCode } from '../causes.ts';
import type { TrafficClass } from '../ike/traffic.ts';
import type { RadioProfile } from '../radio/profile.ts';
import { RadioModel } from '../radio/radio-model.ts';
import { packetCode, RecentPackets } from './recent-packets.ts';
import { causeOf } from './traffic-cause.ts';

/** A radio wakeup the moment it happens: its energy is known once its tail has ended. */
export interface LiveWakeup {
  readonly client: string;
  /** Its number among this client's wakeups, from 0. */
  readonly n: number;
  readonly t: number;
  readonly cause: Cause;
  /** The state the radio left (idle, or an idle-like stage such as NR RRC_INACTIVE). */
  readonly stateLeft: string;
}

/** How the CLI and the Live view's event stream word a wakeup. */
export function wakeupText(w: LiveWakeup): string {
  return `radio wakeup #${w.n + 1} (${w.cause}), left ${w.stateLeft}`;
}

/** A wakeup whose tail has ended, with its promotion and tail energy, J (AT&T ARO's attribution). */
export interface ClosedWakeup extends LiveWakeup {
  readonly energyJ: number;
}

export interface MeterTotals {
  readonly client: string;
  /** Radio state at `now` if no packet comes. */
  readonly state: string;
  readonly connectedS: number;
  readonly energyJ: Record<Cause, number>;
  readonly wakeups: Record<Cause, number>;
  readonly totalJ: number;
  readonly joulesPerHour: number;
  readonly wakeupsPerHour: Record<Cause, number>;
  readonly packetsIn: number;
  readonly packetsOut: number;
  readonly lastIn: number | null;
  readonly lastOut: number | null;
}

/**
 * Reported wakeups leave the radio's log this many at a time or more. One at a time, moving the
 * log's five arrays down with `copyWithin` (and V8 shrinking and regrowing their storage) was 7 %
 * of the lab's own work per datagram (test/bench/lab/path-proc.ts, BENCHMARKS.md).
 */
export const FORGET_AT = 16;

/** Recent datagrams kept per client for its live radio timeline (timeline.ts replays them). */
const RECENT_PACKETS = 400;

/**
 * Traffic of the phone the gateway does not see (docs/lab.md "Vantage point"): a downlink datagram
 * of `bytes` every `everyS`, e.g. a push channel's heartbeat. It shares the radio with the tunnel,
 * so a tunnel packet in its tail wakes nothing; its own wakeups are charged to `data`.
 */
export interface BackgroundTraffic {
  readonly everyS: number;
  readonly bytes: number;
}

/** What `opened` and `closedWakeups` return when there is nothing (frozen: shared, read only). */
const NONE_OPENED: LiveWakeup[] = Object.freeze([]) as never;
const NONE_CLOSED: ClosedWakeup[] = Object.freeze([]) as never;

/** The one object `closedEach` refills for each wakeup (the lab's every second, no garbage). */
const CLOSED: { -readonly [K in keyof ClosedWakeup]: ClosedWakeup[K] } = { client: '', n: 0, t: 0.5, cause: 'data', stateLeft: '', energyJ: 0.5 };

// Where the meter's times sit in its Float64Array (`ClientMeter.f`): one array, not double
// fields, each of which V8 keeps in a box of its own (a cache line more a datagram; radio-model.ts).
/** The latest time a datagram came (the meter's clock). */
const LAST = 0;
/** The latest datagram from and to the client (NaN: none yet). */
const LAST_IN = 1;
const LAST_OUT = 2;
/** When the next background datagram comes (Infinity: no background model). */
const BACKGROUND_AT = 3;
/** The latest time the radio itself was fed (behind LAST while datagrams wait in the ring: `settle`). */
const FED = 4;

export class ClientMeter {
  radio: RadioModel;
  profile: RadioProfile;
  private seen = 0;
  /** Wakeups below this index (of the current radio's log) have been reported closed. */
  private closed = 0;
  /**
   * Wakeups and energy of radios this client had before a profile change; `count` also takes the
   * wakeups dropped from the current radio's log, so a log index i is wakeup number count + i.
   */
  private readonly before = { energyJ: new Float64Array(CAUSES.length), wakeups: new Float64Array(CAUSES.length), count: 0, totalJ: 0 };
  /** The latest datagrams (at most RECENT_PACKETS). */
  readonly recent = new RecentPackets(RECENT_PACKETS);
  private packetsIn = 0;
  private packetsOut = 0;
  private readonly f = new Float64Array(5);
  /** The ring's newest datagrams not yet fed to the radio. */
  private unfed = 0;

  constructor(
    readonly client: string,
    profile: RadioProfile,
    readonly since: number,
    private readonly background: BackgroundTraffic | null = null,
    /** Its number in its estimator (estimator.ts), carried with its datagrams. */
    readonly ordinal = 0,
  ) {
    this.profile = profile;
    this.radio = new RadioModel(profile, { startS: since, record: true });
    this.f[LAST] = since;
    this.f[FED] = since;
    this.f[LAST_IN] = NaN;
    this.f[LAST_OUT] = NaN;
    this.f[BACKGROUND_AT] = background ? since + background.everyS : Infinity;
  }

  /** The latest datagram's time (the meter's clock: it does not go backwards). */
  private get last(): number {
    return this.f[LAST]!;
  }

  /** The background datagrams due by `t`, fed to the radio before anything at `t`. */
  private feedBackground(t: number): void {
    const b = this.background;
    if (!b) return;
    const f = this.f;
    while (f[BACKGROUND_AT]! <= t) {
      const at = Math.max(f[BACKGROUND_AT]!, f[FED]!);
      this.radio.carry(at, false, b.bytes, CAUSE.data);
      f[FED] = at;
      if (at > f[LAST]!) f[LAST] = at;
      f[BACKGROUND_AT] += b.everyS;
    }
  }

  /** Wakeups opened since the last call (by tunnel packets or by the background model), in order. */
  private opened(): LiveWakeup[] {
    const log = this.radio.log!;
    const logged = this.radio.loggedWakeups;
    if (this.seen === logged) return NONE_OPENED; // most calls find none
    const out: LiveWakeup[] = [];
    for (; this.seen < logged; this.seen++) {
      const i = this.seen;
      out.push({ client: this.client, n: this.before.count + i, t: log.time[i]!, cause: CAUSES[log.cause[i]!]!, stateLeft: log.stateLeft[i]! });
    }
    return out;
  }

  /**
   * Moves the meter to `now`: the wakeups opened and closed since the last call; with `onClosed`,
   * the closed ones go to it (`closedEach`), not into the answer.
   */
  advance(now: number, onClosed?: (w: ClosedWakeup) => void): { opened: LiveWakeup[]; closed: ClosedWakeup[] } {
    let closed = NONE_CLOSED;
    if (onClosed) this.closedEach(now, onClosed);
    else closed = this.closedWakeups(now);
    return { opened: this.opened(), closed };
  }

  /**
   * From `t` on, the client's radio is `profile` (a per-client model setting changed while the lab
   * runs): the current radio is finished there (its running tail cut, as at the end of a run) and
   * a new one starts idle. Totals carry on across the change. Returns the wakeups opened (by the
   * background model) and closed up to the change.
   */
  switchProfile(t: number, profile: RadioProfile): { opened: LiveWakeup[]; closed: ClosedWakeup[] } {
    const closed = this.finish(t);
    const opened = this.opened();
    const b = this.before;
    for (let i = 0; i < CAUSES.length; i++) {
      b.energyJ[i]! += this.radio.energyJ[i]!;
      b.wakeups[i]! += this.radio.wakeups[i]!;
    }
    b.totalJ += this.radio.totalJ;
    b.count += this.radio.loggedWakeups;
    this.profile = profile;
    this.radio = new RadioModel(profile, { startS: this.last, record: true });
    this.seen = 0;
    this.closed = 0;
    return { opened, closed };
  }

  /**
   * One datagram: `fromClient` when the gateway received it (the client's uplink). Times must not
   * go backwards (an older one, such as a handshake's datagram charged once its client is known,
   * counts at the meter's clock). Queued: the wakeup it opens, if any, is reported by the next
   * `advance`.
   */
  packet(t: number, fromClient: boolean, ipBytes: number, cls: TrafficClass): void {
    const i = this.queue(t, fromClient);
    this.recent.entries[i + 1] = packetCode(fromClient, ipBytes, causeOf(cls));
  }

  /**
   * The datagram at `journal[k]`: its time, then its `packetCode` (recent-packets.ts), as the
   * estimator keeps them (estimator.ts), read here so that no double is passed to a call.
   */
  take(journal: Float64Array, k: number): void {
    const code = journal[k + 1]!;
    const i = this.queue(journal[k]!, (code & 0x80) !== 0);
    this.recent.entries[i + 1] = code;
  }

  /** Counts a datagram and queues its time in the ring; returns its ring slot (for its code). */
  private queue(t: number, fromClient: boolean): number {
    const f = this.f;
    if (fromClient) {
      this.packetsIn++;
      f[LAST_IN] = t;
    } else {
      this.packetsOut++;
      f[LAST_OUT] = t;
    }
    // The ring is about to drop a datagram the radio has not had.
    if (this.unfed === this.recent.capacity) this.settle();
    if (t > f[LAST]!) f[LAST] = t;
    const i = this.recent.claim();
    this.recent.entries[i] = f[LAST]!;
    this.unfed++;
    return i;
  }

  /** Feeds the radio the datagrams waiting in the ring, in order, each after the background datagrams due before it. */
  private settle(): void {
    const n = this.unfed;
    if (n === 0) return;
    this.unfed = 0;
    const r = this.recent;
    const e = r.entries;
    const f = this.f;
    for (let k = r.size - n; k < r.size; k++) {
      const i = r.slot(k);
      const t = e[i]!;
      // bytes * 256 + flags, below 2^24: integer operations keep the size a small integer (a
      // double computed and passed to a call V8 does not inline would be boxed).
      const x = e[i + 1]! | 0;
      if (f[BACKGROUND_AT]! <= t) this.feedBackground(t);
      f[FED] = t;
      this.radio.carry(t, (x & 0x80) !== 0, x >>> 8, (x & 0x7f) as CauseCode);
    }
  }

  /** Wakeups whose tails ended since the last call (charging up to `now` first). */
  closedWakeups(now: number): ClosedWakeup[] {
    const out: ClosedWakeup[] = [];
    this.closedEach(now, (w) => out.push({ ...w }));
    return out.length > 0 ? out : NONE_CLOSED;
  }

  /**
   * The same, each given to `each` in order as one object refilled for each (valid during the call
   * only): a thousand clients' wakeups every second were the largest part of the lab's garbage
   * after the traffic events (BENCHMARKS.md, "The live lab").
   */
  closedEach(now: number, each: (w: ClosedWakeup) => void): void {
    this.charge(now);
    const log = this.radio.log!;
    const open = this.radio.openWakeup;
    const upTo = open >= 0 ? open : this.radio.loggedWakeups;
    if (this.closed >= upTo) return;
    const w = CLOSED;
    for (; this.closed < upTo; this.closed++) {
      const i = this.closed;
      w.client = this.client;
      w.n = this.before.count + i;
      w.t = log.time[i]!;
      w.cause = CAUSES[log.cause[i]!]!;
      w.stateLeft = log.stateLeft[i]!;
      w.energyJ = log.energyJ[i]!;
      each(w);
    }
    this.forgetReported();
  }

  /**
   * Drops the wakeups reported both opened and closed from the radio's log, FORGET_AT or more at a
   * time: it stays a few dozen entries long.
   */
  private forgetReported(): void {
    const n = Math.min(this.seen, this.closed);
    if (n < FORGET_AT) return;
    this.radio.dropLog(n);
    this.before.count += n;
    this.seen -= n;
    this.closed -= n;
  }

  /**
   * The end of the recording at `now`: a tail still running is cut there (as the simulator does at
   * the end of a run) and its wakeup reported closed with the energy up to `now`.
   */
  finish(now: number): ClosedWakeup[] {
    this.settle();
    this.feedBackground(now);
    const t = Math.max(now, this.last);
    this.radio.finish(t);
    this.f[LAST] = t;
    this.f[FED] = t;
    return this.closedWakeups(t);
  }

  private charge(now: number): void {
    this.settle();
    this.feedBackground(now);
    const t = Math.max(now, this.last);
    this.radio.chargeTo(t);
    this.f[LAST] = t;
    this.f[FED] = t;
  }

  /** Energy is charged up to `now` (idle paging and tails included). */
  totals(now: number): MeterTotals {
    this.charge(now);
    const t = this.last;
    const hours = Math.max(t - this.since, 1e-9) / 3600;
    const b = this.before;
    const energyJ = byCause(this.radio.energyJ.map((v, i) => v + b.energyJ[i]!));
    const wakeups = byCause(this.radio.wakeups.map((v, i) => v + b.wakeups[i]!));
    const totalJ = this.radio.totalJ + b.totalJ;
    const perHour = Object.fromEntries(CAUSES.map((c) => [c, wakeups[c] / hours])) as Record<Cause, number>;
    return {
      client: this.client,
      state: this.radio.state,
      connectedS: t - this.since,
      energyJ,
      wakeups,
      totalJ,
      joulesPerHour: totalJ / hours,
      wakeupsPerHour: perHour,
      packetsIn: this.packetsIn,
      packetsOut: this.packetsOut,
      lastIn: Number.isNaN(this.f[LAST_IN]!) ? null : this.f[LAST_IN]!,
      lastOut: Number.isNaN(this.f[LAST_OUT]!) ? null : this.f[LAST_OUT]!,
    };
  }
}
