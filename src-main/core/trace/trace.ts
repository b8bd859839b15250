/**
 * Columnar packet traces: one typed array per field, so millions of packets cost a few bytes each
 * and a pass over them is a tight loop. Times are seconds from the trace's start, non-decreasing.
 */
import { CAUSE, type CauseCode } from '../causes.ts';
import { WakeLabError } from '../errors.ts';

export interface PacketTrace {
  readonly time: Float64Array;
  /** 1 = uplink (from the client), 0 = downlink. */
  readonly up: Uint8Array;
  /** Bytes on the wire. */
  readonly bytes: Uint32Array;
  /** Cause code per packet (causes.ts); all `data` when absent. */
  readonly cause?: Uint8Array;
}

/** Checks a trace's shape; throws INVALID_TRACE naming the first problem. */
export function checkTrace(t: PacketTrace): void {
  const n = t.time.length;
  if (t.up.length !== n || t.bytes.length !== n || (t.cause && t.cause.length !== n)) {
    throw new WakeLabError('INVALID_TRACE', `trace: columns differ in length (time ${n}, up ${t.up.length}, bytes ${t.bytes.length})`);
  }
  for (let i = 0; i < n; i++) {
    const v = t.time[i]!;
    if (!(v >= 0) || (i > 0 && v < t.time[i - 1]!)) {
      throw new WakeLabError('INVALID_TRACE', `trace: time[${i}] = ${v} must be at least 0 and not before time[${i - 1}]`);
    }
    if (t.cause && t.cause[i]! > CAUSE.baseline) {
      throw new WakeLabError('INVALID_TRACE', `trace: cause[${i}] = ${t.cause[i]} is not a cause code`);
    }
  }
}

/** Builds a columnar trace from plain arrays (as in a scenario file). */
export function traceFromArrays(time: readonly number[], direction: readonly ('up' | 'down')[], bytes: readonly number[], cause?: readonly CauseCode[]): PacketTrace {
  const t: PacketTrace = {
    time: Float64Array.from(time),
    up: Uint8Array.from(direction, (d) => (d === 'up' ? 1 : 0)),
    bytes: Uint32Array.from(bytes),
    ...(cause ? { cause: Uint8Array.from(cause) } : {}),
  };
  checkTrace(t);
  return t;
}
