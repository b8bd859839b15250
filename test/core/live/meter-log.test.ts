// A live meter runs for as long as the lab does: the radio's wakeup log must not keep every wakeup
// it ever had. Reported wakeups leave it; numbering, energy and totals carry on unchanged.
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../../src-main/core/causes.ts';
import { ClientMeter, FORGET_AT } from '../../../src-main/core/live/client-meter.ts';
import { RadioModel } from '../../../src-main/core/radio/radio-model.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { radioProfile } from '../../support/builtins.ts';

const LTE = radioProfile('lte');

describe('ClientMeter wakeup log', () => {
  it('stays a few dozen entries long over 5000 wakeups, numbering them 0..4999 with the energy a recording radio finds', () => {
    const m = new ClientMeter('phone', LTE, 0);
    const ref = new RadioModel(LTE, { startS: 0, record: true });
    const opened: number[] = [];
    const closed: Array<[number, number]> = [];
    let longest = 0;
    for (let i = 1; i <= 5000; i++) {
      const t = i * 30; // a keepalive every 30 s: each one a wakeup on LTE
      m.packet(t, true, 29, 'keepalive');
      ref.packet(t, true, 29, CAUSE.keepalive);
      if (i % 7 === 0) {
        const a = m.advance(t + 1);
        opened.push(...a.opened.map((w) => w.n));
        closed.push(...a.closed.map((c): [number, number] => [c.n, c.energyJ]));
      }
      longest = Math.max(longest, m.radio.log!.time.length);
      expect(m.radio.loggedWakeups).toBeLessThanOrEqual(m.radio.log!.time.length);
    }
    const last = m.advance(5000 * 30 + 1);
    opened.push(...last.opened.map((w) => w.n));
    closed.push(...last.closed.map((c): [number, number] => [c.n, c.energyJ]));
    closed.push(...m.finish(5001 * 30).map((c): [number, number] => [c.n, c.energyJ]));
    ref.finish(5001 * 30);
    // At most FORGET_AT - 1 reported ones kept, the 7 an advance finds opened and closed (reported
    // opened by it after its forgetting) and the 7 since.
    expect(longest).toBeLessThanOrEqual(FORGET_AT + 14);
    expect(opened).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(closed.map(([n]) => n)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    for (const [n, e] of closed) expect(e, `wakeup ${n}`).toBeCloseTo(ref.log!.energyJ[n]!, 12);
    expect(m.totals(5001 * 30).wakeups.keepalive).toBe(5000);
  });

  it('keeps numbering across a profile change after the log was trimmed', () => {
    const m = new ClientMeter('phone', LTE, 0);
    for (let i = 1; i <= 20; i++) m.packet(i * 30, true, 29, 'keepalive');
    m.advance(20 * 30 + 60);
    const r = m.switchProfile(700, radioProfile('nr-sa'));
    expect(r.opened).toEqual([]);
    m.packet(800, true, 29, 'keepalive');
    expect(m.advance(800).opened.map((w) => w.n)).toEqual([20]);
  });

  it('reports every wakeup opened exactly once, in order, whatever mix of packets, background and advances', () => {
    for (const id of ['lte', 'nr-nsa', 'umts']) {
      const r = new Rng(id.length);
      const m = new ClientMeter('phone', radioProfile(id), 0, { everyS: 47, bytes: 300 });
      const opened: number[] = [];
      let t = 0;
      for (let i = 0; i < 3000; i++) {
        t += r.next() < 0.3 ? r.next() * 0.5 : r.next() * 40;
        if (r.next() < 0.8) m.packet(t, r.next() < 0.5, 29 + Math.floor(r.next() * 2000), r.next() < 0.5 ? 'keepalive' : 'data');
        else opened.push(...m.advance(t).opened.map((w) => w.n));
      }
      opened.push(...m.advance(t + 100).opened.map((w) => w.n)); // the background's last ones
      m.finish(t + 100);
      const total = Object.values(m.totals(t + 100).wakeups).reduce((a, b) => a + b, 0);
      expect(total, id).toBeGreaterThan(500);
      expect(opened, id).toEqual(Array.from({ length: total }, (_, i) => i));
    }
  });

  it('queues datagrams until the radio is read, more than its ring holds included, with the result of feeding each at once', () => {
    const r = new Rng(7);
    const m = new ClientMeter('phone', LTE, 0, { everyS: 53, bytes: 300 });
    const ref = new RadioModel(LTE, { startS: 0, record: true });
    let refBackground = 53;
    let t = 0;
    // 2000 datagrams, advances far apart (the ring holds 400): bursts inside tails, gaps past them.
    for (let i = 0; i < 2000; i++) {
      t += r.next() < 0.5 ? r.next() * 0.2 : r.next() * 30;
      const up = r.next() < 0.5;
      const bytes = 29 + Math.floor(r.next() * 1400);
      for (; refBackground <= t; refBackground += 53) ref.packet(refBackground, false, 300, CAUSE.data);
      m.packet(t, up, bytes, 'dpd');
      ref.packet(t, up, bytes, CAUSE.dpd);
      if (i % 900 === 899) m.advance(t);
    }
    for (; refBackground <= t + 100; refBackground += 53) ref.packet(refBackground, false, 300, CAUSE.data);
    ref.chargeTo(t + 100);
    const got = m.totals(t + 100);
    expect(got.totalJ).toBeCloseTo(ref.totalJ, 9);
    expect(got.wakeups.dpd).toBe(ref.wakeups[CAUSE.dpd]);
    expect(got.wakeups.data).toBe(ref.wakeups[CAUSE.data]);
    expect(got.wakeups.dpd).toBeGreaterThan(100);
    expect(got.packetsIn + got.packetsOut).toBe(2000);
  });
});
