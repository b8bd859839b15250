/**
 * charon's retransmission schedule (strongswan-behaviour.md, "charon defaults"; RFC 7296 2.1 and
 * 2.4): attempt n (0 = the first send) waits timeoutS x base^n, reduced by up to jitterPct percent
 * and capped at limitS; after `tries` retransmissions and the last wait, the exchange has failed.
 * The simulator and the live IKE engine both use it.
 */
import type { Retransmit } from './schema.ts';

/** A source of uniform numbers in [0, 1) for the jitter (core/rng.ts, or one over a CryptoSuite). */
export interface Uniform {
  next(): number;
}

/** The waits after each send, s: index n is what attempt n waits before the next step. */
export function retransmitWaits(r: Retransmit, rng?: Uniform): number[] {
  const waits: number[] = [];
  for (let n = 0; n <= r.tries; n++) {
    let w = r.timeoutS * Math.pow(r.base, n);
    if (r.jitterPct > 0 && rng) w -= w * (r.jitterPct / 100) * rng.next();
    if (r.limitS > 0 && w > r.limitS) w = r.limitS;
    waits.push(w);
  }
  return waits;
}

/** Seconds from the first send until the exchange gives up (no jitter). */
export function giveUpAfterS(r: Retransmit): number {
  return retransmitWaits(r).reduce((a, b) => a + b, 0);
}
