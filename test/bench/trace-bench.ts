/**
 * Energy estimation over a synthetic columnar trace vs. a bare loop over the same trace, in the
 * same process: warm-up, then interleaved timed rounds (the order alternates each round so drift
 * on a shared machine hits both sides alike). Also the memory the estimator uses while it runs.
 */
import type { RadioProfile } from '../../src-main/core/radio/profile.ts';
import { estimateTrace, type TraceEnergy } from '../../src-main/core/trace/estimate.ts';
import { checkTrace, type PacketTrace } from '../../src-main/core/trace/trace.ts';
import { bareLoop, type BareChecksum } from './bare-loop.ts';
import { GcCounter, forceGc, memSample } from './memory.ts';
import { median, min, now, timeMs } from './stats.ts';
import { synthTrace, traceBytes, type SynthStats } from './synth-trace.ts';

export interface TraceBenchOptions {
  packets: number;
  seed: number;
  warmup: number;
  rounds: number;
  /** Also fill and use the cause column (the estimator's other loop). */
  withCause: boolean;
}

export interface TraceBenchResult {
  packets: number;
  withCause: boolean;
  genMs: number;
  synth: SynthStats;
  bytesPerPacket: number;
  traceBytes: number;
  estimateMs: number[];
  bareMs: number[];
  energy: TraceEnergy;
  checksum: BareChecksum;
  /** Per estimate round: heap and RSS after minus before (after a forced GC), and GCs during the round. */
  heapDelta: number[];
  rssDelta: number[];
  gcsDuring: number[];
  gcForced: boolean;
  /** Heap allocated per packet, from rounds in which no GC ran (null if a GC ran in every one). */
  allocPerPacket: number | null;
  /** The same on a prefix of the trace small enough to fit the young generation. */
  probe: { packets: number; allocPerPacket: number | null; rounds: number };
}

export async function runTraceBench(profile: RadioProfile, o: TraceBenchOptions): Promise<TraceBenchResult> {
  const gen = timeMs(() => synthTrace(o.packets, o.seed, { cause: o.withCause }));
  const { stats: synth, ...trace } = gen.value;
  const t: PacketTrace = trace;
  checkTrace(t);

  for (let w = 0; w < o.warmup; w++) {
    estimateTrace(t, profile);
    bareLoop(t);
  }

  const gc = forceGc();
  const gcs = new GcCounter();
  const estimateMs: number[] = [];
  const bareMs: number[] = [];
  const heapDelta: number[] = [];
  const rssDelta: number[] = [];
  const windows: [number, number][] = [];
  let energy: TraceEnergy | undefined;
  let checksum: BareChecksum | undefined;

  const runEstimate = (): void => {
    gc?.();
    const m0 = memSample();
    const t0 = now();
    const e = estimateTrace(t, profile);
    const t1 = now();
    const m1 = memSample();
    estimateMs.push(t1 - t0);
    windows.push([t0, t1]);
    heapDelta.push(m1.heapUsed - m0.heapUsed);
    rssDelta.push(m1.rss - m0.rss);
    if (energy && (e.energyJ !== energy.energyJ || e.radioWakeups !== energy.radioWakeups)) {
      throw new Error('estimateTrace gave different results on the same trace');
    }
    energy = e;
  };
  const runBare = (): void => {
    gc?.();
    const t0 = now();
    const c = bareLoop(t);
    bareMs.push(now() - t0);
    if (checksum && (c.timeSum !== checksum.timeSum || c.bytesSum !== checksum.bytesSum)) {
      throw new Error('bare loop gave different checksums on the same trace');
    }
    checksum = c;
  };

  for (let r = 0; r < o.rounds; r++) {
    if (r % 2 === 0) {
      runBare();
      runEstimate();
    } else {
      runEstimate();
      runBare();
    }
  }
  // Allocation probe, after the timed rounds: a prefix short enough that its allocations fit in
  // the young generation, so heapUsed after minus before is what the estimator allocated.
  const probeN = Math.min(o.packets, 1_000_000);
  const prefix: PacketTrace = {
    time: t.time.subarray(0, probeN),
    up: t.up.subarray(0, probeN),
    bytes: t.bytes.subarray(0, probeN),
    ...(t.cause ? { cause: t.cause.subarray(0, probeN) } : {}),
  };
  const probeRounds = 3;
  const probeDelta: number[] = [];
  const probeWindows: [number, number][] = [];
  for (let r = 0; r < probeRounds; r++) {
    gc?.();
    const h0 = process.memoryUsage().heapUsed;
    const t0 = now();
    estimateTrace(prefix, profile);
    const t1 = now();
    probeDelta.push(process.memoryUsage().heapUsed - h0);
    probeWindows.push([t0, t1]);
  }

  await gcs.flush();
  const gcsDuring = windows.map(([a, b]) => gcs.count(a, b));
  const probeGcs = probeWindows.map(([a, b]) => gcs.count(a, b));
  gcs.stop();
  const clean = (deltas: number[], counts: number[], n: number): number | null => {
    const ok = deltas.filter((_, i) => counts[i] === 0);
    return ok.length > 0 ? median(ok) / n : null;
  };

  const bytes = traceBytes(t);
  return {
    packets: o.packets,
    withCause: o.withCause,
    genMs: gen.ms,
    synth,
    bytesPerPacket: bytes / o.packets,
    traceBytes: bytes,
    estimateMs,
    bareMs,
    energy: energy!,
    checksum: checksum!,
    heapDelta,
    rssDelta,
    gcsDuring,
    gcForced: gc !== null,
    allocPerPacket: clean(heapDelta, gcsDuring, o.packets),
    probe: { packets: probeN, allocPerPacket: clean(probeDelta, probeGcs, probeN), rounds: probeRounds },
  };
}

export function summarizeTrace(r: TraceBenchResult) {
  const estMed = median(r.estimateMs);
  const bareMed = median(r.bareMs);
  return {
    estMedMs: estMed,
    estMinMs: min(r.estimateMs),
    bareMedMs: bareMed,
    bareMinMs: min(r.bareMs),
    pktPerSMedian: r.packets / (estMed / 1000),
    pktPerSBest: r.packets / (min(r.estimateMs) / 1000),
    barePktPerSMedian: r.packets / (bareMed / 1000),
    ratioMedian: estMed / bareMed,
    ratioMin: min(r.estimateMs) / min(r.bareMs),
  };
}
