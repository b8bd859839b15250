// Two DataPlanes over an in-memory link that loses, duplicates and reorders packets (reordering
// bounded by the longest delay), driven by a seeded PRNG. For every delivered copy the receiver's
// accept/drop decision must equal a reference model of the anti-replay window written here from
// RFC 4303 3.4.3 (a Set of accepted numbers, the highest, the window size), for windows 0, 32, 128
// and 4096; with a window no inner packet is delivered twice, and everything delivered is exactly
// what was sent with that sequence number.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src-main/core/bytes/hex.ts';
import { DataPlane } from '../../../src-main/core/esp/data-plane.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { CLIENT_ADDR, childSaPair, GW_HOST, testSuite, udp } from './support/pair.ts';

/** RFC 4303 3.4.3 as plainly as it reads: duplicates and numbers W or more below the highest are refused. */
class ReferenceWindow {
  private readonly accepted = new Set<number>();
  private highest = 0;
  readonly refused = { duplicate: 0, tooOld: 0 };

  constructor(
    private readonly size: number,
    start = 0,
  ) {
    this.highest = start;
  }

  offer(seq: number): boolean {
    if (this.size > 0) {
      if (seq <= this.highest && this.highest - seq >= this.size) {
        this.refused.tooOld++;
        return false;
      }
      if (this.accepted.has(seq)) {
        this.refused.duplicate++;
        return false;
      }
    }
    this.accepted.add(seq);
    if (seq > this.highest) this.highest = seq;
    return true;
  }
}

interface Flight {
  readonly packet: Uint8Array;
  readonly seq: number;
  readonly due: number;
  readonly order: number;
}

/** A one-way link: each packet is lost, or delivered after a random delay, sometimes twice. */
class LossyLink {
  private queue: Flight[] = [];
  private order = 0;
  readonly stats = { sent: 0, lost: 0, duplicated: 0 };

  constructor(private readonly rng: Rng) {}

  push(tick: number, packet: Uint8Array, seq: number): void {
    this.stats.sent++;
    if (this.rng.next() < 0.1) {
      this.stats.lost++;
      return;
    }
    const copies = this.rng.next() < 0.1 ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) this.queue.push({ packet, seq, due: tick + this.delay(), order: this.order++ });
  }

  /** Mostly short delays, a few long ones (past every window but the widest), rarely very long. */
  private delay(): number {
    const r = this.rng.next();
    const max = r < 0.9 ? 16 : r < 0.98 ? 300 : 6000;
    return Math.floor(this.rng.next() * max);
  }

  /** The copies due by `tick` (all with Infinity), in delivery order. */
  take(tick: number): Flight[] {
    const due = this.queue.filter((f) => f.due <= tick).sort((a, b) => a.due - b.due || a.order - b.order);
    this.queue = this.queue.filter((f) => f.due > tick);
    return due;
  }
}

interface Case {
  readonly window: number;
  readonly esn: boolean;
  /** Where both ends' counters start (ESN: just below 2^32, so the run crosses it). */
  readonly start: number;
}

const CASES: readonly Case[] = [
  { window: 0, esn: false, start: 0 },
  { window: 32, esn: false, start: 0 },
  { window: 128, esn: false, start: 0 },
  { window: 4096, esn: false, start: 0 },
  // ESN with a window: late packets below it are read as the next subspace and fail the ICV
  // (esn.ts), still a drop. Without a window ESN infers every late packet forward, so window 0
  // with ESN loses reordered packets and is not compared with the model.
  { window: 128, esn: true, start: 2 ** 32 - 2500 },
];

const PACKETS = 5000;

describe.each(CASES)('window $window, esn $esn', ({ window, esn, start }) => {
  it('accepts exactly what the reference window accepts, each packet at most once, unchanged', () => {
    const pair = childSaPair({ esn });
    const gw = new DataPlane({ suite: testSuite(1), replayWindow: window });
    const client = new DataPlane({ suite: testSuite(2), replayWindow: window });
    if (start === 0) {
      gw.add(0, 'ike', pair.gw);
      client.add(0, 'c', pair.client);
    } else {
      // Both ends resumed just below 2^32: sender counter and receiver window agree.
      const fresh = new DataPlane({ suite: testSuite(3), replayWindow: window });
      const st = fresh.add(0, 'x', pair.gw).state();
      const replay = { size: window, highest: start - 1, bitmap: new Uint32Array(Math.ceil(window / 32)) };
      gw.restore(0, 'ike', pair.gw, { ...st, replay });
      const cst = fresh.add(0, 'y', pair.client).state();
      client.restore(0, 'c', pair.client, { ...cst, nextSeqOut: start });
    }

    const rng = new Rng(4303 + window + (esn ? 1 : 0));
    const link = new LossyLink(rng.fork());
    const model = new ReferenceWindow(window, start - 1 < 0 ? 0 : start - 1);
    const sentInner = new Map<number, Uint8Array>();
    const delivered = new Set<number>();
    let accepted = 0;
    let refused = 0;
    const reasons = new Set<string>();

    const deliver = (tick: number): void => {
      for (const f of link.take(tick)) {
        const r = gw.receive(tick, f.packet);
        const expected = model.offer(f.seq);
        expect({ seq: f.seq, ok: r.ok }).toEqual({ seq: f.seq, ok: expected });
        if (r.ok) {
          accepted++;
          expect(toHex(r.inner)).toBe(toHex(sentInner.get(f.seq)!));
          if (window > 0) expect(delivered.has(f.seq)).toBe(false);
          delivered.add(f.seq);
        } else {
          refused++;
          reasons.add(r.reason);
        }
      }
    };

    for (let tick = 0; tick < PACKETS; tick++) {
      const inner = udp(CLIENT_ADDR, GW_HOST, rng.nextU32() % 120, tick);
      const sent = client.send(tick, inner);
      if (!sent.ok) throw new Error(`send refused: ${sent.reason}`);
      sentInner.set(sent.seq, inner);
      link.push(tick, sent.packet, sent.seq);
      deliver(tick);
    }
    deliver(Infinity);

    // The run exercised what it claims to: losses, duplicates, and (with a window) refusals of both kinds.
    expect(link.stats.lost).toBeGreaterThan(PACKETS * 0.05);
    expect(link.stats.duplicated).toBeGreaterThan(PACKETS * 0.05);
    if (window > 0) {
      expect(model.refused.duplicate).toBeGreaterThan(100);
      expect(model.refused.tooOld).toBeGreaterThan(0);
    } else {
      expect(refused).toBe(0);
      expect(accepted).toBeGreaterThan(delivered.size); // duplicates went through: nothing checks
    }
    expect([...reasons].every((r) => r === 'replay' || (esn && r === 'bad-icv'))).toBe(true);

    const c = gw.counters().total;
    expect(c.packetsIn).toBe(accepted);
    expect(Object.values(c.dropsIn).reduce((a, b) => a + b, 0)).toBe(refused);
    if (!esn) expect(c.dropsIn.replay).toBe(refused);
    if (esn) expect(gw.get(pair.gw.spiIn)!.highestSeqIn).toBeGreaterThan(2 ** 32);
  });
});
