// A group's ended wakeups as binary records, and each session's chunk JSON written from them byte
// by byte (wakeup-records.ts): exactly the text JSON.stringify gives for the documented arrays
// (docs/database.md, `live_wakeup_chunks`: microseconds and nanojoules as integers).
import { describe, expect, it } from 'vitest';
import { CAUSES } from '../../../src-main/core/causes.ts';
import type { ClosedWakeup } from '../../../src-main/core/live/client-meter.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { JsonBytes } from '../../../src-main/node/live/json-bytes.ts';
import { WakeupRecords } from '../../../src-main/node/live/wakeup-records.ts';

const element = (w: ClosedWakeup): unknown[] => [w.n, Math.round(w.t * 1e6), w.cause, w.stateLeft, Math.round(w.energyJ * 1e9)];

describe('WakeupRecords', () => {
  it('writes each session its wakeups as the JSON of the documented arrays, over several rounds of one buffer', () => {
    const r = new Rng(5);
    const records = new WakeupRecords();
    const out = new JsonBytes(16);
    const odd = [0, 1e-7, 0.1 + 0.2, 1e21, 123456789.125, 5e-324, 2 ** 53 + 2, 4.9999995e-7];
    for (let round = 0; round < 4; round++) {
      const sent = new Map<number, ClosedWakeup[]>();
      for (let i = 0; i < 100 * round + 1; i++) {
        const session = [3, 0, 40, 3][Math.floor(r.next() * 4)]!;
        const prior = sent.get(session) ?? [];
        const w: ClosedWakeup = {
          client: `c${session}`,
          n: prior.length + (session === 40 ? 4294967295 - 500 : 0),
          t: i < odd.length ? odd[i]! : r.next() * 1e6,
          cause: CAUSES[Math.floor(r.next() * CAUSES.length)]!,
          stateLeft: ['RRC_IDLE', 'RRC_INACTIVE', 'h\u00f4 "q"'][Math.floor(r.next() * 3)]!,
          energyJ: i < odd.length ? odd[odd.length - 1 - i]! : r.next() * 20,
        };
        records.push(w, session);
        sent.set(session, [...prior, w]);
      }
      expect(records.count).toBe(100 * round + 1);
      const by = records.bySession();
      expect([...by.keys()].sort()).toEqual([...sent.keys()].sort());
      for (const [session, offsets] of by) {
        const ws = sent.get(session)!;
        expect(records.pack(out, offsets)).toEqual({ wakeups: JSON.stringify(ws.map(element)), firstN: ws[0]!.n, count: ws.length, lastT: ws.at(-1)!.t });
      }
      records.clear();
      expect(records.count).toBe(0);
    }
  });

  it('writes no wakeups as an empty array', () => {
    expect(new WakeupRecords().pack(new JsonBytes())).toEqual({ wakeups: '[]', firstN: 0, count: 0, lastT: 0 });
  });
});
