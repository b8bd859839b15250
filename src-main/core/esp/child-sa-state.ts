/**
 * The restorable state of one CHILD_SA's ESP processing, plain data (no classes, structured-clone
 * safe), in the spirit of Linux's `struct xfrm_replay_state { oseq, seq, bitmap }` (and its ESN
 * variant), which userspace reads and sets through XFRMA_REPLAY_VAL / XFRMA_REPLAY_ESN_VAL.
 * Keys and selectors are not in it: they come from the ChildSaInfo the IKE layer keeps.
 *
 * Restoring after a failover: our outbound counter in the snapshot may lag behind what the peer
 * has already seen (packets sent after the snapshot was taken). Resuming there makes the peer's
 * anti-replay window (RFC 4303 3.4.3) drop every packet until the counter passes its highest
 * number. RFC 6311 (IPSEC_REPLAY_COUNTER_SYNC, section 4.2) has the restored side jump its
 * outbound counter forward by at least the packets it may have sent since; `seqJump` does that.
 * A jump never makes the counter cycle (RFC 4303 3.3.3): it may at most exhaust the SA.
 */
import { expectInt } from '../crypto/args.ts';
import type { ChildSaInfo } from '../ike/io.ts';
import { countersFromState, type EspCounters } from './counters.ts';
import { ReplayWindow, type ReplayWindowState } from './replay-window.ts';
import { SEQ_LAST_32 } from './seq-limits.ts';

export interface EspChildSaState {
  readonly spiIn: number;
  readonly spiOut: number;
  /** The sequence number the next outbound packet will carry (1 on a fresh SA; last + 1 when exhausted). */
  readonly nextSeqOut: number;
  /** The inbound anti-replay window (replay-window.ts). */
  readonly replay: ReplayWindowState;
  readonly counters: EspCounters;
}

/** What a restore needs, checked. */
export interface RestoredParts {
  /** The last outbound sequence number used (0: none yet). */
  readonly seqOut: number;
  readonly window: ReplayWindow;
  readonly counters: EspCounters;
}

/**
 * Checks `state` against `info` and applies `seqJump`; throws naming the field. `lastSeq` is the
 * SA's last usable outbound number (seq-limits.ts).
 */
export function restoreParts(info: ChildSaInfo, state: EspChildSaState, seqJump: number, lastSeq: number): RestoredParts {
  if (typeof state !== 'object' || state === null) throw new TypeError(`"state" expected an ESP CHILD_SA state object, got ${state === null ? 'null' : typeof state}`);
  if (state.spiIn !== info.spiIn) throw new RangeError(`"state.spiIn" is ${String(state.spiIn)}, the CHILD_SA's is ${info.spiIn}`);
  if (state.spiOut !== info.spiOut) throw new RangeError(`"state.spiOut" is ${String(state.spiOut)}, the CHILD_SA's is ${info.spiOut}`);
  const next = state.nextSeqOut;
  // lastSeq + 1 is exact (at most 2^53) though not a safe integer with ESN.
  if (typeof next !== 'number' || !Number.isInteger(next) || next < 1 || next > lastSeq + 1) {
    throw new RangeError(`"state.nextSeqOut" expected a whole number from 1 to ${lastSeq + 1}, got ${String(next)}`);
  }
  expectInt('seqJump', seqJump, 0, Number.MAX_SAFE_INTEGER);
  const room = lastSeq + 1 - next; // exact: both terms at most 2^53
  if (seqJump > room) {
    throw new RangeError(`"seqJump" ${seqJump} would move the outbound sequence number past ${lastSeq} (next is ${next}); sequence numbers never cycle (RFC 4303 3.3.3): rekey instead`);
  }
  const window = ReplayWindow.fromState(state.replay);
  if (!info.esn && window.highest > SEQ_LAST_32) throw new RangeError(`"state.replay.highest" ${window.highest} does not fit in 32 bits and the CHILD_SA has no ESN`);
  return { seqOut: next - 1 + seqJump, window, counters: countersFromState(state.counters) };
}
