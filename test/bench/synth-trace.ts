/**
 * A seeded synthetic packet trace in columnar form, for the estimator benchmark.
 *
 * The mixture: bursts of packets milliseconds apart, separated by idle gaps drawn log-uniformly
 * from 1 s to 10 min (so some gaps fall inside the LTE tail and most outlast it). Three kinds of
 * burst:
 *   - 55 % short exchanges: 1..6 packets, about 5 ms apart, sizes 29..1500, either direction;
 *   - 35 % request/response: 5 + Exp(30) packets, about 10 ms apart, sizes 29..1500, either direction;
 *   - 10 % bulk downloads: 50 + Exp(500) packets, about 2 ms apart, 1200..1500-byte downlink
 *     segments with 52..80-byte uplink ACKs (one in five packets).
 * Sizes are bytes on the wire, 29 (a NAT-T keepalive) to 1500. The same seed gives the same
 * trace on every machine. Bulk bursts hold most of the packets, as in real captures.
 */
import { CAUSE } from '../../src-main/core/causes.ts';
import { Rng } from '../../src-main/core/rng.ts';
import type { PacketTrace } from '../../src-main/core/trace/trace.ts';

export interface SynthOptions {
  /** Also fill a cause column (per burst: data, keepalive, dpd or rekey). */
  cause?: boolean;
}

export interface SynthStats {
  bursts: number;
  durationS: number;
  upShare: number;
  meanBytes: number;
}

const LN_MIN_GAP = Math.log(1);
const LN_MAX_GAP = Math.log(600);

function mixedSize(rng: Rng): number {
  const u = rng.next();
  if (u < 0.3) return 29 + Math.floor(rng.uniform(0, 92)); // 29..120: keepalives, ACKs, DNS
  if (u < 0.7) return 120 + Math.floor(rng.uniform(0, 481)); // 120..600
  return 600 + Math.floor(rng.uniform(0, 901)); // 600..1500
}

export function synthTrace(n: number, seed: number, opts: SynthOptions = {}): PacketTrace & { stats: SynthStats } {
  const rng = new Rng(seed);
  const time = new Float64Array(n);
  const up = new Uint8Array(n);
  const bytes = new Uint32Array(n);
  const cause = opts.cause ? new Uint8Array(n) : undefined;
  let t = 0;
  let i = 0;
  let bursts = 0;
  let ups = 0;
  let sumBytes = 0;
  while (i < n) {
    t += Math.exp(rng.uniform(LN_MIN_GAP, LN_MAX_GAP));
    bursts++;
    const kind = rng.next();
    let len: number;
    let gapMeanS: number;
    if (kind < 0.55) {
      len = 1 + Math.floor(rng.uniform(0, 6));
      gapMeanS = 0.005;
    } else if (kind < 0.9) {
      len = 5 + Math.floor(rng.exponential(30));
      gapMeanS = 0.01;
    } else {
      len = 50 + Math.floor(rng.exponential(500));
      gapMeanS = 0.002;
    }
    const bulk = kind >= 0.9;
    let c: number = CAUSE.data;
    if (cause) {
      const u = rng.next();
      c = u < 0.7 ? CAUSE.data : u < 0.9 ? CAUSE.keepalive : u < 0.95 ? CAUSE.dpd : CAUSE.rekey;
    }
    const end = Math.min(n, i + len);
    for (let j = i; j < end; j++) {
      if (j > i) t += rng.exponential(gapMeanS);
      let u: number;
      let b: number;
      if (bulk) {
        u = rng.next() < 0.2 ? 1 : 0;
        b = u ? 52 + Math.floor(rng.uniform(0, 29)) : 1200 + Math.floor(rng.uniform(0, 301));
      } else {
        u = rng.next() < 0.5 ? 1 : 0;
        b = mixedSize(rng);
      }
      time[j] = t;
      up[j] = u;
      bytes[j] = b;
      if (cause) cause[j] = c;
      ups += u;
      sumBytes += b;
    }
    i = end;
  }
  return {
    time,
    up,
    bytes,
    ...(cause ? { cause } : {}),
    stats: { bursts, durationS: n > 0 ? time[n - 1]! : 0, upShare: n > 0 ? ups / n : 0, meanBytes: n > 0 ? sumBytes / n : 0 },
  };
}

/** Bytes the trace's columns occupy. */
export function traceBytes(t: PacketTrace): number {
  return t.time.byteLength + t.up.byteLength + t.bytes.byteLength + (t.cause?.byteLength ?? 0);
}
