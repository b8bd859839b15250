/**
 * The baseline for the estimator: a loop over the same columnar trace that only reads each
 * packet's time and size once and accumulates them, so the JIT cannot drop the reads. The two
 * sums are returned (and printed) as a checksum.
 */
import type { PacketTrace } from '../../src-main/core/trace/trace.ts';

export interface BareChecksum {
  timeSum: number;
  bytesSum: number;
}

export function bareLoop(trace: PacketTrace): BareChecksum {
  const { time, bytes } = trace;
  const n = time.length;
  let timeSum = 0;
  let bytesSum = 0;
  for (let i = 0; i < n; i++) {
    timeSum += time[i]!;
    bytesSum += bytes[i]!;
  }
  return { timeSum, bytesSum };
}
