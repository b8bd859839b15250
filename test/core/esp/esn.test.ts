// ESN on receipt (RFC 4303 Appendix A, A2.2): the high 32 bits inferred from the low 32 bits, the
// highest number accepted (T) and the window (W); the two cases, the wrap from Seqh 0 to 1, a
// brute-force model, and the window fed with inferred numbers across a wrap.
import { describe, expect, it } from 'vitest';
import { inboundSeq, inferSeqHigh, SEQ_SUBSPACE, seqHigh } from '../../../src-main/core/esp/esn.ts';
import { ReplayWindow } from '../../../src-main/core/esp/replay-window.ts';
import { Rng } from '../../../src-main/core/rng.ts';

const S = SEQ_SUBSPACE; // 2^32

/**
 * The reference: of the candidates Seqh in {Th - 1, Th, Th + 1} (none below 0), the one whose full
 * number lies in [B, B + 2^32), B = T - W + 1 (at least 0): in the window or ahead of it. Exactly
 * one candidate does.
 */
function bruteForce(seqLow: number, highest: number, windowSize: number): number {
  const w = Math.max(windowSize, 1);
  const th = Math.floor(highest / S);
  const bottom = Math.max(0, highest - w + 1);
  const fits = [th - 1, th, th + 1]
    .filter((h) => h >= 0)
    .map((h) => h * S + seqLow)
    .filter((seq) => seq >= bottom && seq < bottom + S);
  if (fits.length !== 1) throw new Error(`model: ${fits.length} fits for ${seqLow}, T ${highest}, W ${windowSize}`);
  return fits[0]!;
}

describe('inferSeqHigh: the cases of RFC 4303 A2.2', () => {
  it('Case A, Tl >= W - 1: Seqh = Th at or above Bl, Th + 1 below it', () => {
    const T = 5 * S + 1000; // Th 5, Tl 1000; W 128: Bl = 873
    expect(inferSeqHigh(1000, T, 128)).toBe(5 * S + 1000); // T itself (a replay, for the window to see)
    expect(inferSeqHigh(900, T, 128)).toBe(5 * S + 900); // in the window
    expect(inferSeqHigh(873, T, 128)).toBe(5 * S + 873); // Bl, the bottom edge
    expect(inferSeqHigh(872, T, 128)).toBe(6 * S + 872); // below Bl: taken for the next subspace
    expect(inferSeqHigh(1001, T, 128)).toBe(5 * S + 1001); // ahead
    expect(inferSeqHigh(S - 1, T, 128)).toBe(6 * S - 1); // far ahead, still Th
    expect(inferSeqHigh(0, T, 128)).toBe(6 * S); // past the wrap of the low half
  });

  it('the boundary between the cases: Tl = W - 1 is Case A, Tl = W - 2 is Case B', () => {
    // Tl = 127, W = 128: Bl = 0, the window [0, 127] of subspace 1 fills it from its start (Case B's
    // formula agrees here: its Bl would be 2^32, above every Seql).
    expect(inferSeqHigh(0, S + 127, 128)).toBe(S);
    expect(inferSeqHigh(S - 1, S + 127, 128)).toBe(2 * S - 1);
    // Tl = 126: Bl = 2^32 - 1 in subspace 0, the window's lowest number.
    expect(inferSeqHigh(S - 1, S + 126, 128)).toBe(S - 1);
    expect(inferSeqHigh(S - 2, S + 126, 128)).toBe(2 * S - 2); // below the window: next subspace
    expect(inferSeqHigh(0, S + 126, 128)).toBe(S);
  });

  it('the wrap from Seqh 0 to 1, seen before it (Case A) and after it (Case B)', () => {
    // Before: T = 2^32 - 3, Th 0; W 128, Bl = 2^32 - 130.
    const before = S - 3;
    expect(inferSeqHigh(S - 1, before, 128)).toBe(S - 1);
    expect(inferSeqHigh(0, before, 128)).toBe(S); // the first number of subspace 1
    expect(inferSeqHigh(5, before, 128)).toBe(S + 5);
    expect(inferSeqHigh(S - 130, before, 128)).toBe(S - 130); // Bl
    expect(inferSeqHigh(S - 131, before, 128)).toBe(2 * S - 131); // below the window
    // After: T = 2^32 + 5, Th 1, Tl 5 < W - 1; Bl = 2^32 - 122 lies in subspace 0.
    const after = S + 5;
    expect(inferSeqHigh(S - 122, after, 128)).toBe(S - 122); // Bl: Seqh = Th - 1 = 0
    expect(inferSeqHigh(S - 1, after, 128)).toBe(S - 1); // late, from before the wrap
    expect(inferSeqHigh(S - 123, after, 128)).toBe(2 * S - 123); // below Bl: Seqh = Th
    expect(inferSeqHigh(3, after, 128)).toBe(S + 3);
    expect(inferSeqHigh(6, after, 128)).toBe(S + 6);
  });

  it('the start of an SA (Case B with Th = 0): Seqh 0, as no subspace lies below it', () => {
    expect(inferSeqHigh(1, 0, 128)).toBe(1);
    expect(inferSeqHigh(S - 1, 0, 128)).toBe(S - 1); // A2.2 would say Th - 1 = -1
    expect(inferSeqHigh(S - 100, 5, 128)).toBe(S - 100);
    expect(inferSeqHigh(4, 5, 128)).toBe(4);
  });

  it('window 0 (no replay check) infers as W = 1: at or after T', () => {
    const T = S + 10;
    expect(inferSeqHigh(10, T, 0)).toBe(S + 10);
    expect(inferSeqHigh(11, T, 0)).toBe(S + 11);
    expect(inferSeqHigh(9, T, 0)).toBe(2 * S + 9); // just behind T: read as a subspace ahead
    expect(inferSeqHigh(9, T, 0)).toBe(inferSeqHigh(9, T, 1));
    expect(inferSeqHigh(S - 1, 0, 0)).toBe(S - 1);
  });

  it('ESN off: the 32-bit field is the number; seqHigh gives Seqh for the ICV', () => {
    expect(inboundSeq(7, 2 ** 31, 128, false)).toBe(7);
    expect(inboundSeq(S - 1, 3, 128, false)).toBe(S - 1);
    expect(inboundSeq(0, S + 5, 128, true)).toBe(S); // with ESN: A2.2
    expect(seqHigh(S + 5)).toBe(1);
    expect(seqHigh(S - 1)).toBe(0);
    expect(seqHigh(7 * S)).toBe(7);
  });

  it('refuses a bad window size, naming it', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 31 + 1]) {
      const expected = /"windowSize" expected a whole number from 0 to 2147483648, got/;
      expect(() => inferSeqHigh(1, 1, bad), String(bad)).toThrow(expected);
    }
    expect(inferSeqHigh(1, 1, 2 ** 31)).toBe(1); // A2's limit itself is fine
  });
});

describe('inferSeqHigh: against a brute-force model', () => {
  it('every case, edge and random point agrees with the candidate in [B, B + 2^32)', () => {
    const rng = new Rng(4303);
    const sizes = [0, 1, 2, 31, 32, 128, 1000, 4096, 2 ** 31];
    const wrong: string[] = [];
    let checked = 0;
    for (let round = 0; round < 40; round++) {
      for (const w of sizes) {
        const we = Math.max(w, 1);
        const th = [0, 1, 2, rng.nextU32() % 2 ** 20][round % 4]!;
        const tls = [0, 1, we - 2, we - 1, we, rng.nextU32(), S - 1, S - we, rng.nextU32() % (2 * we)];
        for (const tlRaw of tls) {
          const tl = ((tlRaw % S) + S) % S;
          const T = th * S + tl;
          const bl = (((tl - we + 1) % S) + S) % S;
          for (const l of [bl, bl - 1, bl + 1, tl, tl + 1, tl - 1, 0, S - 1, rng.nextU32()]) {
            const seqLow = ((l % S) + S) % S;
            const got = inferSeqHigh(seqLow, T, w);
            const want = bruteForce(seqLow, T, w);
            if (got !== want) wrong.push(`seqLow ${seqLow}, T ${T}, W ${w}: ${got}, not ${want}`);
            checked++;
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBe(40 * 9 * 9 * 9);
  });

  it('round trip: a genuine number in [B, B + 2^32) comes back from its low 32 bits', () => {
    const rng = new Rng(6479);
    for (let i = 0; i < 20_000; i++) {
      const w = [1, 32, 128, 4096][i % 4]!;
      const T = (rng.nextU32() % 8) * S + (i % 3 === 0 ? rng.nextU32() % (2 * w) : rng.nextU32());
      const bottom = Math.max(1, T - w + 1);
      const seq = bottom + Math.floor(rng.next() * (T - w + 1 + S - bottom));
      expect(inferSeqHigh(seq % S, T, w), `seq ${seq}, T ${T}, W ${w}`).toBe(seq);
    }
  });
});

describe('ESN with the replay window, across the wrap from Seqh 0 to 1', () => {
  it('reordered and duplicated packets: each genuine number accepted once, copies refused', () => {
    const rng = new Rng(7);
    const first = S - 300;
    // A window that has already seen everything up to first - 1 (restored, as after a failover).
    const w = ReplayWindow.fromState({ size: 128, highest: first - 1, bitmap: new Uint32Array(4).fill(0xffffffff) });
    // Each packet delayed by up to 40 places, and a copy of every tenth one 20 to 60 places later.
    const wire: { seq: number; at: number }[] = [];
    for (let i = 0; i < 600; i++) {
      wire.push({ seq: first + i, at: i + (rng.nextU32() % 40) });
      if (i % 10 === 0) wire.push({ seq: first + i, at: i + 20 + (rng.nextU32() % 40) });
    }
    wire.sort((a, b) => a.at - b.at);
    const accepted = new Set<number>();
    let copies = 0;
    for (const { seq } of wire) {
      const full = inferSeqHigh(seq % S, w.highest, w.size);
      expect(full, `low ${seq % S} after ${w.highest}`).toBe(seq); // the ICV would verify
      const verdict = w.check(full);
      if (verdict === 'ok') {
        expect(w.accept(full)).toBe(true);
        expect(accepted.has(full)).toBe(false);
        accepted.add(full);
      } else {
        expect(verdict).toBe('replay');
        copies++;
      }
    }
    expect(accepted.size).toBe(600);
    expect(copies).toBe(60);
    expect(w.highest).toBe(S + 299);
    expect(seqHigh(w.highest)).toBe(1);
  });

  it('a packet from below the window is read as the next subspace, so it is not too old but fails its ICV', () => {
    const w = ReplayWindow.fromState({ size: 128, highest: S + 500, bitmap: new Uint32Array(4) });
    const late = S + 500 - 200; // genuinely too old
    const full = inferSeqHigh(late % S, w.highest, w.size);
    expect(full).toBe(2 * S + 300); // not `late`: the ICV computed with Seqh 2 fails
    expect(w.check(full)).toBe('ok');
    expect(w.check(late)).toBe('too-old'); // what the window would say to the true number
  });
});
