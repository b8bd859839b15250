/**
 * The limits of an outbound ESP sequence number counter, RFC 4303 3.3.3 ("Sequence Number
 * Generation"):
 *
 * - the counter starts at 0 when the SA is established and the first packet carries 1;
 * - it MUST NOT cycle: before the counter would pass 2^32 - 1 (2^64 - 1 with ESN, 2.2.1) a new SA
 *   must be set up (rekeyed), and the old one stops sending. libipsec drops packets at 2^32 - 1
 *   ("sequence numbers cycled", docs/strongswan-behaviour.md); WakeLab does the same and asks for a
 *   rekey well before, at a threshold.
 *
 * With ESN the counter here is a JS number, exact up to 2^53 - 1 (see replay-window.ts for why
 * that is far past any SA lifetime): WakeLab's ESN SAs stop at 2^53 - 1, not 2^64 - 1.
 */

/** RFC 4303 2.2, 3.3.3: the last sequence number an SA without ESN may send. */
export const SEQ_LAST_32 = 0xffff_ffff;

/** The last sequence number an ESN SA sends here: 2^53 - 1 (RFC 4303 2.2.1 would allow 2^64 - 1). */
export const SEQ_LAST_ESN = Number.MAX_SAFE_INTEGER;

/**
 * Packets left between the default rekey threshold and the last sequence number: 2^24 (about
 * 16.7 million), time enough for a CREATE_CHILD_SA (RFC 7296 2.8) even at line rate. Linux leaves
 * the choice to userspace (XFRMA_REPLAY_THRESH); strongSwan rekeys by packet count only when
 * `rekey_packets` is set.
 */
export const SEQ_REKEY_MARGIN = 2 ** 24;

/** The last sequence number an SA may send (3.3.3): 2^32 - 1, or 2^53 - 1 with ESN. */
export function lastSeqOut(esn: boolean): number {
  return esn ? SEQ_LAST_ESN : SEQ_LAST_32;
}

/**
 * The default sequence number at which a rekey is asked for: the last one less SEQ_REKEY_MARGIN,
 * plus one. 2^32 - 2^24 without ESN, 2^53 - 2^24 with ESN.
 */
export function defaultSeqRekeyThreshold(esn: boolean): number {
  return lastSeqOut(esn) - SEQ_REKEY_MARGIN + 1;
}
