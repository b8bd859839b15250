/**
 * The ESP anti-replay window of an inbound SA, RFC 4303 section 3.4.3 and Appendix A2.1, kept as
 * the bitmap ring of RFC 6479 (section 2; section 3 is its example code).
 *
 * Two steps, as 3.4.3 orders them and libipsec does: `check(seq)` before the ICV (pure, so a forged
 * packet costs nothing but the lookup), `accept(seq)` only after the ICV verified, which moves the
 * window and marks the number. `accept` checks again and returns false when the number has become
 * a replay or too old in the meantime (two copies of one packet both checked before either was
 * authenticated): the caller drops that packet.
 *
 * Window: the last `size` numbers up to the highest accepted one, [highest - size + 1, highest],
 * exactly `size` even when it is not a multiple of 32. The ring holds whole 32-bit words: enough
 * for the window plus one redundant word, rounded up to a power of two so a block number maps to
 * its word with a mask (RFC 6479 section 2). A number's bit never moves; when the highest number
 * enters a new block, the words of the blocks it skipped are cleared whole, never shifted.
 *
 * Size 0 turns the check off (3.4.3: the receiver may disable anti-replay): every number is
 * accepted, duplicates and 0 included, and the highest is still tracked for snapshots.
 *
 * Sequence numbers are 64-bit with ESN (Appendix A); here they are JS numbers, exact up to
 * 2^53 - 1: 28 years at 10 million packets a second, far past any SA lifetime, so no BigInt on the
 * per-packet path. Anything that is not a whole number from 0 to 2^53 - 1 is refused as too old,
 * never thrown at: these numbers come from the network. Sequence number 0 is never sent (3.3.3:
 * the first packet carries 1), so with a window it is always too old, as in libipsec.
 */
import { expectInt } from '../crypto/args.ts';

/** libipsec's fixed window (strongSwan, ESP_DEFAULT_WINDOW_SIZE in src/libipsec/esp_context.c). */
export const REPLAY_WINDOW_DEFAULT = 128;
/** The largest window, Linux XFRM's XFRMA_REPLAY_ESN_MAX (include/uapi/linux/xfrm.h). */
export const REPLAY_WINDOW_MAX = 4096;

export type ReplayVerdict = 'ok' | 'replay' | 'too-old';

/**
 * A snapshot, plain data. Bit i of the bitmap (word i >>> 5, bit i & 31) says whether
 * `highest - i` was accepted, for i from 0 to size - 1, in ceil(size / 32) words: the layout of
 * Linux's `xfrm_replay_state.bitmap`, independent of the ring's internal layout.
 */
export interface ReplayWindowState {
  readonly size: number;
  readonly highest: number;
  readonly bitmap: Uint32Array;
}

const WORD = 32;

export class ReplayWindow {
  readonly size: number;
  private top = 0;
  private readonly ring: Uint32Array;
  private readonly mask: number;

  constructor(size: number = REPLAY_WINDOW_DEFAULT) {
    this.size = expectInt('size', size, 0, REPLAY_WINDOW_MAX);
    // The window's words and one redundant word, rounded up to a power of two (none for size 0).
    const needed = size === 0 ? 0 : Math.ceil(size / WORD) + 1;
    let words = needed === 0 ? 0 : 1;
    while (words < needed) words *= 2;
    this.ring = new Uint32Array(words);
    this.mask = words - 1;
  }

  /** The highest sequence number accepted so far (0 before the first). */
  get highest(): number {
    return this.top;
  }

  /** Whether `seq` may be authenticated; changes nothing (RFC 4303 3.4.3, before the ICV). */
  check(seq: number): ReplayVerdict {
    if (!Number.isSafeInteger(seq) || seq < 0) return 'too-old';
    if (this.size === 0 || seq > this.top) return 'ok';
    if (seq === 0 || this.top - seq >= this.size) return 'too-old';
    return this.has(seq) ? 'replay' : 'ok';
  }

  /**
   * Records `seq` after its ICV verified (3.4.3: the window is updated only then). Returns false,
   * changing nothing, when `check` would no longer say 'ok'.
   */
  accept(seq: number): boolean {
    if (this.check(seq) !== 'ok') return false;
    if (this.size === 0) {
      if (seq > this.top) this.top = seq;
      return true;
    }
    if (seq > this.top) {
      // RFC 6479 section 2: entering a new block clears the words of every block passed over,
      // at most the whole ring.
      const from = Math.floor(this.top / WORD);
      const to = Math.floor(seq / WORD);
      const n = Math.min(to - from, this.ring.length);
      for (let b = to - n + 1; b <= to; b++) this.ring[b & this.mask] = 0;
      this.top = seq;
    }
    this.mark(seq);
    return true;
  }

  /** A copy of the state (see ReplayWindowState for the bitmap layout). */
  state(): ReplayWindowState {
    const bitmap = new Uint32Array(Math.ceil(this.size / WORD));
    for (let i = 0; i < this.size && i < this.top; i++) {
      if (this.has(this.top - i)) bitmap[i >>> 5]! |= 1 << (i & 31);
    }
    return { size: this.size, highest: this.top, bitmap };
  }

  /** A window restored from `state()`; throws, naming the field, on anything malformed. */
  static fromState(state: ReplayWindowState): ReplayWindow {
    if (typeof state !== 'object' || state === null) {
      const got = state === null ? 'null' : typeof state;
      throw new TypeError(`"state" expected a replay window state object, got ${got}`);
    }
    const w = new ReplayWindow(expectInt('state.size', state.size, 0, REPLAY_WINDOW_MAX));
    const highest = expectInt('state.highest', state.highest, 0, Number.MAX_SAFE_INTEGER);
    const { bitmap } = state;
    const words = Math.ceil(w.size / WORD);
    if (!(bitmap instanceof Uint32Array) || bitmap.length !== words) {
      const got = bitmap instanceof Uint32Array ? `${bitmap.length} words` : typeof bitmap;
      throw new RangeError(
        `"state.bitmap" expected a Uint32Array of ${words} words for a window of ${w.size}, got ${got}`,
      );
    }
    w.top = highest;
    for (let i = 0; i < words * WORD; i++) {
      if (!((bitmap[i >>> 5]! >>> (i & 31)) & 1)) continue;
      if (i >= w.size || i >= highest) {
        throw new RangeError(
          `"state.bitmap" marks bit ${i}, outside the window (size ${w.size}, highest ${highest}; numbers start at 1)`,
        );
      }
      w.mark(highest - i);
    }
    return w;
  }

  // A number's bit: word (block number & mask), bit (seq mod 32). The bitwise operators take their
  // operands modulo 2^32, which keeps the low bits of any whole number below 2^53 exact.
  private has(seq: number): boolean {
    return ((this.ring[Math.floor(seq / WORD) & this.mask]! >>> (seq & (WORD - 1))) & 1) === 1;
  }

  private mark(seq: number): void {
    this.ring[Math.floor(seq / WORD) & this.mask]! |= 1 << (seq & (WORD - 1));
  }
}
