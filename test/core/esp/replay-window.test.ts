// The ESP anti-replay window (RFC 4303 3.4.3, A2.1) in its RFC 6479 ring: numbered scripts run in
// order against one window, a property test against a Set-based reference model, the two-step
// check-before-accept contract, and snapshots.
import { describe, expect, it } from 'vitest';
import {
  REPLAY_WINDOW_DEFAULT,
  REPLAY_WINDOW_MAX,
  ReplayWindow,
  type ReplayVerdict,
  type ReplayWindowState,
} from '../../../src-main/core/esp/replay-window.ts';
import { Rng } from '../../../src-main/core/rng.ts';

/** [step number, sequence number, what check says]; an 'ok' is then accepted (the ICV verified). */
type Step = readonly [n: number, seq: number, expected: ReplayVerdict];

function run(w: ReplayWindow, steps: readonly Step[]): void {
  steps.forEach(([n, seq, expected], i) => {
    expect(n, 'steps are numbered from 1 without gaps').toBe(i + 1);
    expect(w.check(seq), `step ${n}: check(${seq})`).toBe(expected);
    // accept checks again: it records an 'ok' and refuses (changing nothing) everything else.
    expect(w.accept(seq), `step ${n}: accept(${seq})`).toBe(expected === 'ok');
  });
}

describe('ReplayWindow: numbered scripts', () => {
  it('size 128 (libipsec): first packet, order, duplicates, late packets, edges, jumps, stale words', () => {
    const w = new ReplayWindow(); // 128: a ring of 8 words, blocks of 32 numbers
    expect(w.size).toBe(REPLAY_WINDOW_DEFAULT);
    run(w, [
      [1, 0, 'too-old'], // 0 is never sent (RFC 4303 3.3.3: the first packet carries 1)
      [2, 1, 'ok'], // first packet
      [3, 1, 'replay'],
      [4, 2, 'ok'], // in order
      [5, 3, 'ok'],
      [6, 2, 'replay'],
      [7, 10, 'ok'], // a gap of six
      [8, 7, 'ok'], // late, inside the window
      [9, 7, 'replay'],
      [10, 4, 'ok'],
      [11, 31, 'ok'], // last bit of block 0
      [12, 32, 'ok'], // first bit of block 1: across a word boundary
      [13, 31, 'replay'],
      [14, 33, 'ok'],
      [15, 128, 'ok'], // window [1, 128], exactly full
      [16, 1, 'replay'], // bottom edge, seen
      [17, 5, 'ok'], // unseen, near the bottom
      [18, 129, 'ok'], // window [2, 129]
      [19, 1, 'too-old'], // just too old
      [20, 2, 'replay'], // bottom edge, seen
      [21, 6, 'ok'],
      [22, 40, 'ok'], // block 1, bit 8
      [23, 308, 'ok'], // block 9 takes block 1's word: blocks 5 to 9 cleared; window [181, 308]
      [24, 296, 'ok'], // block 9, bit 8: 40's bit went with its word
      [25, 180, 'too-old'], // just too old
      [26, 181, 'ok'], // bottom edge
      [27, 181, 'replay'],
      [28, 129, 'too-old'],
      [29, 308, 'replay'],
      [30, 307, 'ok'],
      [31, 10_000, 'ok'], // a jump past the whole ring: every word cleared; window [9873, 10000]
      [32, 9_873, 'ok'], // bottom edge
      [33, 9_872, 'too-old'],
      [34, 9_999, 'ok'],
      [35, 10_000, 'replay'],
      [36, 308, 'too-old'],
      [37, 10_127, 'ok'], // window [10000, 10127]
      [38, 10_000, 'replay'], // still at the bottom edge
      [39, 10_001, 'ok'],
      [40, 9_999, 'too-old'],
    ]);
    expect(w.highest).toBe(10_127);
  });

  it('size 50, not a multiple of 32: exactly 50 numbers, although the ring holds more bits', () => {
    const w = new ReplayWindow(50); // ring of 4 words: a block's word is reused every 4 blocks
    run(w, [
      [1, 100, 'ok'], // the first packet may be anywhere; window [51, 100]
      [2, 51, 'ok'], // bottom edge
      [3, 50, 'too-old'], // its bit is still in the ring (block 1), but the window is 50 wide
      [4, 51, 'replay'],
      [5, 64, 'ok'], // first bit of block 2
      [6, 63, 'ok'], // last bit of block 1
      [7, 64, 'replay'],
      [8, 101, 'ok'], // window [52, 101]
      [9, 51, 'too-old'], // accepted once, now below the window
      [10, 52, 'ok'],
      [11, 180, 'ok'], // block 5 takes block 1's word (51, 52, 63 marked): cleared; window [131, 180]
      [12, 179, 'ok'], // block 5, bit 19: where 51's bit was
      [13, 131, 'ok'], // bottom edge
      [14, 130, 'too-old'],
      [15, 180, 'replay'],
    ]);
  });

  it('size 1: only the highest number is remembered', () => {
    run(new ReplayWindow(1), [
      [1, 1, 'ok'],
      [2, 1, 'replay'],
      [3, 3, 'ok'],
      [4, 2, 'too-old'],
      [5, 3, 'replay'],
      [6, 4, 'ok'],
    ]);
  });

  it('size 32 (the Linux kernel default): one word of window', () => {
    run(new ReplayWindow(32), [
      [1, 32, 'ok'], // window [1, 32]
      [2, 1, 'ok'],
      [3, 1, 'replay'],
      [4, 33, 'ok'], // window [2, 33]
      [5, 1, 'too-old'],
      [6, 2, 'ok'],
      [7, 64, 'ok'], // window [33, 64]
      [8, 33, 'replay'],
      [9, 32, 'too-old'],
    ]);
  });

  it('size 4096 (the maximum), with 64-bit (ESN) numbers up to 2^53 - 1', () => {
    const top = 2 ** 53 - 1;
    run(new ReplayWindow(REPLAY_WINDOW_MAX), [
      [1, 1, 'ok'],
      [2, 4096, 'ok'], // window [1, 4096]
      [3, 1, 'replay'],
      [4, 2, 'ok'],
      [5, 4097, 'ok'], // window [2, 4097]
      [6, 1, 'too-old'],
      [7, 2, 'replay'],
      [8, 3, 'ok'],
      [9, 2 ** 32 + 7, 'ok'], // past 32 bits
      [10, 2 ** 32 + 7 - 4095, 'ok'], // bottom edge
      [11, 2 ** 32 + 7 - 4096, 'too-old'],
      [12, 2 ** 32 + 7, 'replay'],
      [13, top, 'ok'], // the largest exact number
      [14, top - 4095, 'ok'], // bottom edge
      [15, top - 4096, 'too-old'],
      [16, top, 'replay'],
      [17, 2 ** 53, 'too-old'], // not exact any more: refused, never thrown at
    ]);
  });

  it('size 0: no replay check, even 0 and duplicates pass, and the highest is still tracked', () => {
    const w = new ReplayWindow(0);
    run(w, [
      [1, 0, 'ok'],
      [2, 5, 'ok'],
      [3, 5, 'ok'], // duplicate
      [4, 1, 'ok'], // older
      [5, 2 ** 40, 'ok'],
      [6, 2 ** 40, 'ok'],
      [7, 3, 'ok'],
    ]);
    expect(w.highest).toBe(2 ** 40);
    expect(w.state()).toEqual({ size: 0, highest: 2 ** 40, bitmap: new Uint32Array(0) });
  });
});

describe('ReplayWindow: arguments', () => {
  it('refuses a bad size, naming it; accepts 0 to 4096', () => {
    for (const bad of [-1, 4097, 1.5, Number.NaN, Infinity, '128' as unknown as number]) {
      expect(() => new ReplayWindow(bad), String(bad)).toThrow(/"size" expected a whole number from 0 to 4096/);
    }
    expect(new ReplayWindow(undefined).size).toBe(128); // the default
    expect(new ReplayWindow(0).size).toBe(0);
    expect(new ReplayWindow(4096).size).toBe(4096);
  });

  it('network input never throws: anything that is not a whole number from 0 to 2^53 - 1 is too old', () => {
    for (const size of [0, 1, 128]) {
      const w = new ReplayWindow(size);
      w.accept(10);
      for (const bad of [-1, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, '11' as unknown as number]) {
        expect(w.check(bad), `size ${size}, ${String(bad)}`).toBe('too-old');
        expect(w.accept(bad)).toBe(false);
      }
      expect(w.highest).toBe(10);
    }
  });
});

/** The reference: every accepted number in a Set, and the highest. Obviously right, and slow. */
class ModelWindow {
  readonly seen = new Set<number>();
  highest = 0;
  constructor(readonly size: number) {}

  check(seq: number): ReplayVerdict {
    if (!Number.isSafeInteger(seq) || seq < 0) return 'too-old';
    if (this.size === 0 || seq > this.highest) return 'ok';
    if (seq === 0 || seq <= this.highest - this.size) return 'too-old';
    return this.seen.has(seq) ? 'replay' : 'ok';
  }

  accept(seq: number): void {
    this.seen.add(seq);
    this.highest = Math.max(this.highest, seq);
  }

  /** The state the window should report: bit i says whether highest - i was accepted. */
  state(): ReplayWindowState {
    const bitmap = new Uint32Array(Math.ceil(this.size / 32));
    for (let i = 0; i < this.size && i < this.highest; i++) {
      if (this.seen.has(this.highest - i)) bitmap[i >>> 5]! |= 1 << (i & 31);
    }
    return { size: this.size, highest: this.highest, bitmap };
  }
}

/**
 * A peer's packets with losses, duplicates, reordering and jumps, plus forgeries (junk numbers, 0
 * or far ahead, whose ICV never verifies).
 */
function traffic(rng: Rng, size: number, count: number): { seq: number; forged: boolean }[] {
  const out: { seq: number; forged: boolean }[] = [];
  const send = (seq: number, forged = false): void => void out.push({ seq, forged });
  let next = rng.next() < 0.2 ? 2 ** 32 - 500 + (rng.nextU32() % 1000) : 1;
  const span = Math.max(size, 8);
  for (let i = 0; i < count; i++) {
    const r = rng.next();
    if (r < 0.55) send(next++);
    else if (r < 0.65) send((next += 1 + (rng.nextU32() % 3)) - 1); // after a loss
    else if (r < 0.75 && out.length > 0) send(out[out.length - 1 - (rng.nextU32() % Math.min(out.length, 40))]!.seq);
    else if (r < 0.87) send(Math.max(1, next - 1 - (rng.nextU32() % (2 * span + 4)))); // late: in or below the window
    else if (r < 0.93) send(Math.max(1, next - span + (rng.nextU32() % 3) - 1)); // around the bottom edge
    else if (r < 0.98) send((next += rng.nextU32() % (rng.next() < 0.1 ? 2 ** 32 : 4 * span + 300)));
    else send(rng.next() < 0.5 ? 0 : next + (rng.nextU32() % 100_000), true);
  }
  return out;
}

describe('ReplayWindow: against a reference model', () => {
  it.each([0, 1, 2, 31, 32, 33, 50, 64, 100, 128, 1000, 4096])('size %i, seeded random traffic', (size) => {
    const verdicts = { ok: 0, replay: 0, 'too-old': 0 };
    for (let seed = 1; seed <= 5; seed++) {
      const rng = new Rng(size * 100 + seed);
      const model = new ModelWindow(size);
      let w = new ReplayWindow(size);
      traffic(rng, size, 3000).forEach(({ seq, forged }, step) => {
        const verdict = model.check(seq);
        verdicts[verdict]++;
        expect(w.check(seq), `seed ${seed} step ${step}: check(${seq})`).toBe(verdict);
        if (verdict !== 'ok') {
          expect(w.accept(seq)).toBe(false);
        } else if (!forged && rng.next() < 0.95) {
          // The ICV verified (else, a forgery or a damaged packet: nothing is recorded).
          expect(w.accept(seq)).toBe(true);
          model.accept(seq);
        }
        if (step % 50 === 0) expect(w.state()).toEqual(model.state());
        if (step % 301 === 0) w = ReplayWindow.fromState(w.state()); // a snapshot mid-stream
      });
      expect(w.state()).toEqual(model.state());
    }
    // The traffic reached every outcome (with no window, everything passes).
    expect(verdicts.ok).toBeGreaterThan(size === 0 ? 14_999 : 7000);
    if (size > 0) expect(Math.min(verdicts.replay, verdicts['too-old'])).toBeGreaterThan(500);
  });
});

describe('ReplayWindow: check before the ICV, accept after it', () => {
  it('check changes nothing: a forged packet far ahead does not move the window', () => {
    const w = new ReplayWindow(128);
    for (const seq of [1, 2, 3, 200]) expect(w.accept(seq)).toBe(true);
    const before = w.state();
    expect(w.check(100_000)).toBe('ok');
    expect(w.check(100_000)).toBe('ok');
    expect(w.check(150)).toBe('ok');
    // The ICVs failed: no accept. The window is where it was, and 150 is still acceptable.
    expect(w.state()).toEqual(before);
    expect(w.highest).toBe(200);
    expect(w.check(150)).toBe('ok');
    expect(w.check(72)).toBe('too-old');
    expect(w.accept(150)).toBe(true);
    expect(w.check(150)).toBe('replay');
  });

  it('two copies both checked before either is authenticated: only the first accept wins', () => {
    const w = new ReplayWindow(128);
    expect(w.check(7)).toBe('ok');
    expect(w.check(7)).toBe('ok');
    expect(w.accept(7)).toBe(true);
    expect(w.accept(7)).toBe(false);
    expect(w.check(7)).toBe('replay');
  });

  it('a number that fell out of the window between check and accept is refused, changing nothing', () => {
    const w = new ReplayWindow(32);
    expect(w.accept(10)).toBe(true);
    expect(w.check(3)).toBe('ok');
    expect(w.accept(100)).toBe(true); // another packet, authenticated first
    const before = w.state();
    expect(w.accept(3)).toBe(false);
    expect(w.state()).toEqual(before);
  });
});

describe('ReplayWindow: snapshots', () => {
  it('known answer: bit i of the bitmap is highest - i, as in Linux xfrm_replay_state.bitmap', () => {
    const w = new ReplayWindow(64);
    for (const seq of [100, 99, 97, 68, 30]) w.accept(seq); // 30 is too old by then
    expect(w.state()).toEqual({ size: 64, highest: 100, bitmap: Uint32Array.of(0b1011, 0b1) });
    const linux = ReplayWindow.fromState({ size: 32, highest: 1000, bitmap: Uint32Array.of(0x80000001) });
    expect(linux.check(1000)).toBe('replay');
    expect(linux.check(969)).toBe('replay'); // bit 31
    expect(linux.check(999)).toBe('ok');
    expect(linux.check(968)).toBe('too-old');
  });

  it('state is a copy, and fromState does not keep the caller’s array', () => {
    const w = new ReplayWindow(128);
    w.accept(5);
    const s = w.state();
    s.bitmap.fill(0xffffffff);
    expect(w.check(4)).toBe('ok');
    expect(w.check(5)).toBe('replay');
    const input = { size: 32, highest: 40, bitmap: Uint32Array.of(1) };
    const r = ReplayWindow.fromState(input);
    input.bitmap[0] = 0b10;
    expect(r.check(39)).toBe('ok');
    expect(r.check(40)).toBe('replay');
  });

  it('restores size 0 and a fresh window', () => {
    const off = ReplayWindow.fromState({ size: 0, highest: 7, bitmap: new Uint32Array(0) });
    expect(off.highest).toBe(7);
    expect(off.check(7)).toBe('ok');
    expect(ReplayWindow.fromState(new ReplayWindow(50).state()).state()).toEqual({
      size: 50,
      highest: 0,
      bitmap: new Uint32Array(2),
    });
  });

  it('refuses malformed states, naming the field', () => {
    const ok = { size: 50, highest: 100, bitmap: new Uint32Array(2) };
    const bad = (patch: object): (() => ReplayWindow) => () =>
      ReplayWindow.fromState({ ...ok, ...patch } as ReplayWindowState);
    expect(() => ReplayWindow.fromState(null as unknown as ReplayWindowState)).toThrow(/"state" expected/);
    expect(bad({ size: 5000 })).toThrow(/"state.size" expected a whole number from 0 to 4096/);
    expect(bad({ size: 1.5 })).toThrow(/"state.size"/);
    expect(bad({ highest: -1 })).toThrow(/"state.highest"/);
    expect(bad({ highest: 2 ** 53 })).toThrow(/"state.highest"/);
    const twoWords = /"state.bitmap" expected a Uint32Array of 2 words for a window of 50, got 3 words/;
    expect(bad({ bitmap: new Uint32Array(3) })).toThrow(twoWords);
    expect(bad({ bitmap: [0, 0] })).toThrow(/"state.bitmap" expected a Uint32Array/);
    expect(bad({ bitmap: Uint32Array.of(0, 1 << 18) })).toThrow(/"state.bitmap" marks bit 50, outside the window/);
    expect(bad({ highest: 3, bitmap: Uint32Array.of(0b1000, 0) })).toThrow(/"state.bitmap" marks bit 3/); // seq 0
    expect(ReplayWindow.fromState({ ...ok, bitmap: Uint32Array.of(0, 1 << 17) }).check(51)).toBe('replay'); // bit 49
  });
});
