/**
 * Extended Sequence Numbers on receipt, RFC 4303 Appendix A. With ESN the sequence number is 64
 * bits but only its low 32 bits (Seql) travel in the packet; the receiver infers the high 32 bits
 * (Seqh) from the highest number authenticated so far (T) and its anti-replay window (W), by the
 * two cases of A2.2, and uses the full number for the replay check (A2.1, 3.4.3) and, appended to
 * the ICV input, for authentication (2.2.1). A wrong guess is not detected here: the ICV fails.
 *
 * Put differently, A2.2 maps Seql to the one number with those low bits in
 * [T - W + 1, T - W + 1 + 2^32): a packet at or above the window's bottom B, and below the point
 * where a number is more than 2^32 - W ahead of T. So with ESN a packet (other than number 0) is
 * never "too old" by its inferred number; a late packet from below the window is taken for the
 * next subspace and fails its ICV (A3, on losing about 2^32 packets in a row, is not handled here).
 *
 * Numbers are JS numbers, exact up to 2^53 - 1 (see replay-window.ts for why that suffices).
 */

/** The size of one sequence number subspace (A2): the numbers sharing one Seqh. */
export const SEQ_SUBSPACE = 2 ** 32;

/** The ESN assumption of A2: the window is no wider than 2^31 packets. */
const MAX_ESN_WINDOW = 2 ** 31;

/**
 * The full 64-bit sequence number of a received packet with ESN, per RFC 4303 A2.2.
 *
 * `seqLow`: the packet's 32-bit Sequence Number field (0 to 2^32 - 1, as decoded).
 * `highest`: T, the highest full number accepted so far (0 before the first packet).
 * `windowSize`: W. With 0 (anti-replay off) the inference uses W = 1: the packet is taken to be
 * at or after T, so a packet reordered across a subspace boundary is read as 2^32 ahead and fails
 * its ICV; a caller that wants to tolerate reordering without a replay check passes a wider W.
 *
 * Before T reaches W - 1 (Case B with Th = 0) A2.2 would answer Seqh = Th - 1 = -1 for the numbers
 * at or above Bl. No subspace lies below 0 (an unsigned implementation would wrap to 2^32 - 1 and
 * fail the ICV); here Seqh is 0 then, which reads such a packet as a jump ahead in subspace 0.
 */
export function inferSeqHigh(seqLow: number, highest: number, windowSize: number): number {
  if (!(Number.isInteger(windowSize) && windowSize >= 0 && windowSize <= MAX_ESN_WINDOW)) {
    throw new RangeError(`"windowSize" expected a whole number from 0 to ${MAX_ESN_WINDOW}, got ${String(windowSize)}`);
  }
  const w = windowSize === 0 ? 1 : windowSize;
  // A2: Th and Tl, the high and low halves of T.
  const th = Math.floor(highest / SEQ_SUBSPACE);
  const tl = highest - th * SEQ_SUBSPACE;
  let seqHigh: number;
  if (tl >= w - 1) {
    // Case A (Figure 1): Tl >= W - 1, the window [Bl, Tl] lies within subspace Th, Bl = Tl - W + 1.
    // A2.2: Seql >= Bl -> Seqh = Th (in or above the window); Seql < Bl -> Seqh = Th + 1 (ahead,
    // past the wrap of the low half).
    const bl = tl - w + 1;
    seqHigh = seqLow >= bl ? th : th + 1;
  } else {
    // Case B (Figure 2): Tl < W - 1, the window spans subspaces Th - 1 and Th; Bl = Tl - W + 1
    // taken modulo 2^32 lies in Th - 1. A2.2: Seql >= Bl -> Seqh = Th - 1 (the window's part in
    // the previous subspace); Seql < Bl -> Seqh = Th (the rest of the window, or ahead).
    const bl = tl - w + 1 + SEQ_SUBSPACE;
    seqHigh = seqLow >= bl ? th - 1 : th;
    if (seqHigh < 0) seqHigh = 0; // no subspace below 0, see above
  }
  return seqHigh * SEQ_SUBSPACE + seqLow;
}

/**
 * The full sequence number of a received packet: inferred per A2.2 with ESN, and the 32-bit field
 * itself without (its high bits are 0, 3.3.3).
 */
export function inboundSeq(seqLow: number, highest: number, windowSize: number, esn: boolean): number {
  return esn ? inferSeqHigh(seqLow, highest, windowSize) : seqLow;
}

/** Seqh, the high 32 bits of a full sequence number: what 2.2.1 appends to the ICV input with ESN. */
export function seqHigh(seq: number): number {
  return Math.floor(seq / SEQ_SUBSPACE);
}
