// RadioModel.packets (the trace fast path) must agree with RadioModel.packet, packet by packet.
import { describe, expect, it } from 'vitest';
import { CAUSE, type CauseCode } from '../../../src-main/core/causes.ts';
import { RadioModel } from '../../../src-main/core/radio/radio-model.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { PROFILES, radioProfile } from '../../support/builtins.ts';

/** Bursts of packets milliseconds apart, gaps of seconds to minutes, a mix of sizes and causes. */
function randomTrace(n: number, seed: number) {
  const rng = new Rng(seed);
  const time = new Float64Array(n);
  const up = new Uint8Array(n);
  const bytes = new Uint32Array(n);
  const cause = new Uint8Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    t += r < 0.7 ? rng.uniform(0, 0.05) : r < 0.85 ? rng.uniform(0.05, 3) : r < 0.95 ? rng.uniform(3, 20) : rng.uniform(20, 300);
    time[i] = t;
    up[i] = rng.next() < 0.5 ? 1 : 0;
    bytes[i] = 29 + Math.floor(rng.next() * 1472);
    cause[i] = Math.floor(rng.next() * 5);
  }
  return { time, up, bytes, cause };
}

describe('RadioModel.packets', () => {
  it.each(PROFILES)('%s: same energy by cause, wakeups and wakeup log as packet() one at a time', (id) => {
    const profile = radioProfile(id);
    const tr = randomTrace(20000, 11);
    const one = new RadioModel(profile, { record: true });
    for (let i = 0; i < tr.time.length; i++) one.packet(tr.time[i]!, tr.up[i] === 1, tr.bytes[i]!, tr.cause[i]! as CauseCode);
    const many = new RadioModel(profile, { record: true });
    many.packets(tr.time, tr.up, tr.bytes, tr.cause, CAUSE.data);
    const end = tr.time[tr.time.length - 1]! + 100;
    one.finish(end);
    many.finish(end);
    expect(Array.from(many.wakeups)).toEqual(Array.from(one.wakeups));
    for (let c = 0; c < 6; c++) expect(many.energyJ[c]!).toBeCloseTo(one.energyJ[c]!, 6);
    expect(many.log!.time).toEqual(one.log!.time);
    expect(many.log!.stateLeft).toEqual(one.log!.stateLeft);
    many.log!.energyJ.forEach((e, i) => expect(e).toBeCloseTo(one.log!.energyJ[i]!, 9));
    expect(one.totalWakeups).toBeGreaterThan(100);
  });

  it('charges every packet to the fallback cause without a cause column', () => {
    const tr = randomTrace(1000, 3);
    const r = new RadioModel(radioProfile('lte'));
    r.packets(tr.time, tr.up, tr.bytes, undefined, CAUSE.data);
    r.finish(tr.time[999]! + 20);
    expect(r.wakeups[CAUSE.data]).toBe(r.totalWakeups);
    expect(r.energyJ[CAUSE.keepalive]).toBe(0);
  });
});
