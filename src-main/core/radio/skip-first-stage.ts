/**
 * The skipping loops of `RadioModel.packets` (radio-model.ts), the trace fast path: over a run of
 * packets that only restart the first tail stage, nothing changes but that stage's start, so these
 * step over the run with one comparison a packet, summing its bytes. Standalone functions whose
 * running values are locals with no call inside the loop: V8 keeps them unboxed in registers.
 */

/**
 * From index i, the end of the run of packets that each only restart the first tail stage:
 * time[k] < s + d0, where stage0 = [s, d0] holds the stage's start s (moved up to each packet's
 * time, and written back) and its length d0. Their bytes are added to sums[cause * 2 + up].
 * Returns the index of the first packet after the run (n if none).
 */
export function skipFirstStage(time: Float64Array, up: Uint8Array, bytes: Uint32Array, i: number, n: number, cause: number, stage0: Float64Array, sums: Float64Array): number {
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
export function skipFirstStageCaused(time: Float64Array, up: Uint8Array, bytes: Uint32Array, causes: Uint8Array, i: number, n: number, cause: number, stage0: Float64Array, sums: Float64Array): number {
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
