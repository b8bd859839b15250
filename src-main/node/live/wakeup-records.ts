/**
 * The ended wakeups of a group of sessions waiting for their chunk rows (session-writer.ts), as
 * fixed binary records in one growing Buffer, in the order they came; each session's are written
 * as its chunk's JSON (docs/database.md, `live_wakeup_chunks`: `[n, t_us, cause, state_left,
 * energy_nj]` each, schema version 4) when the group is written. Times in microseconds and
 * energies in nanojoules are integers, written without the general number-to-text conversion. As with packets (packet-records.ts), a wakeup then
 * costs a few stores into warm memory, not a string and a buffer of its session's own.
 *
 * Record: f64 t | f64 energy | u32 n | u32 session | u32 state (index into `states`) | u8 cause.
 */
import { CAUSE, CAUSES } from '../../core/causes.ts';
import type { ClosedWakeup } from '../../core/live/client-meter.ts';
import { JsonBytes, raw, uint } from './json-bytes.ts';
import { getF64, getU32, putF64, putU32 } from './record-octets.ts';

const SIZE = 29;
/** `,"keepalive",` and the like, by cause code. */
const CAUSE_TOKEN = CAUSES.map((c) => Buffer.from(`,"${c}",`, 'latin1'));

/** A chunk's `wakeups` column, and the first one's number and their count. */
export interface PackedWakeups {
  readonly wakeups: string;
  readonly firstN: number;
  readonly count: number;
  readonly lastT: number;
}

/** `x` rounded to an integer, in decimal (`uint` for the usual case, at most 25 octets). */
function integer(b: Buffer, o: number, x: number): number {
  const v = Math.round(x);
  return v >= 0 && v <= Number.MAX_SAFE_INTEGER ? uint(b, o, v) : o + b.write(JSON.stringify(v), o, 'latin1');
}

export class WakeupRecords {
  private readonly records = new JsonBytes(1024);
  /** The radio states named so far (a profile has a few), and each one's index. */
  private readonly states: string[] = [];
  private readonly stateIndex = new Map<string, number>();
  /** The state of the last wakeup and its index (most wakeups end in the same state). */
  private lastState = '';
  private lastStateIndex = -1;
  /** Wakeups since the last `clear`. */
  count = 0;

  /** Queues an ended wakeup of session `session` (a number the caller chooses). */
  push(w: ClosedWakeup, session = 0): void {
    const state = w.stateLeft === this.lastState ? this.lastStateIndex : this.stateOf(w.stateLeft);
    const b = this.records.reserve(SIZE);
    const o = this.records.length;
    putF64(b, o, w.t);
    putF64(b, o + 8, w.energyJ);
    putU32(b, o + 16, w.n);
    putU32(b, o + 20, session);
    putU32(b, o + 24, state);
    b[o + 28] = CAUSE[w.cause];
    this.records.length = o + SIZE;
    this.count++;
  }

  /** The index of radio state `name` (a new one is added). */
  private stateOf(name: string): number {
    let state = this.stateIndex.get(name);
    if (state === undefined) {
      state = this.states.push(name) - 1;
      this.stateIndex.set(name, state);
    }
    this.lastState = name;
    this.lastStateIndex = state;
    return state;
  }

  /** Where each session's records start, by session, in order. */
  bySession(): Map<number, number[]> {
    const of = new Map<number, number[]>();
    const b = this.records.block;
    for (let r = 0; r < this.records.length; r += SIZE) {
      const s = getU32(b, r + 20);
      const list = of.get(s);
      if (list) list.push(r);
      else of.set(s, [r]);
    }
    return of;
  }

  /** The chunk's JSON for the records that start at `records` (bySession; default all), written in `out`. */
  pack(out: JsonBytes, records: readonly number[] = Array.from({ length: this.count }, (_, i) => i * SIZE)): PackedWakeups {
    const b = this.records.block;
    const states = this.states.map((s) => Buffer.from(JSON.stringify(s), 'utf8'));
    out.reset();
    out.reserve(1)[out.length++] = 0x5b;
    for (let k = 0; k < records.length; k++) {
      const r = records[k]!;
      const state = states[getU32(b, r + 24)]!;
      const w = out.reserve(2 + 16 + 25 + 16 + state.length + 1 + 25 + 1);
      let o = out.length;
      if (k > 0) w[o++] = 0x2c;
      w[o++] = 0x5b;
      o = uint(w, o, getU32(b, r + 16));
      w[o++] = 0x2c;
      o = integer(w, o, getF64(b, r) * 1e6);
      o = raw(w, o, CAUSE_TOKEN[b[r + 28]!]!);
      o = raw(w, o, state);
      w[o++] = 0x2c;
      o = integer(w, o, getF64(b, r + 8) * 1e9);
      w[o++] = 0x5d;
      out.length = o;
    }
    out.reserve(1)[out.length++] = 0x5d;
    const n = records.length;
    return { wakeups: out.text(), firstN: n > 0 ? getU32(b, records[0]! + 16) : 0, count: n, lastT: n > 0 ? getF64(b, records[n - 1]!) : 0 };
  }

  clear(): void {
    this.records.reset();
    this.count = 0;
  }
}
