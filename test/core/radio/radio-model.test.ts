// Analytic cases from energy-models.md, "Worked numbers".
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../../src-main/core/causes.ts';
import { RadioModel } from '../../../src-main/core/radio/radio-model.ts';
import { radioProfile } from '../../support/builtins.ts';

const lte = radioProfile('lte');
const within = (actual: number, expected: number, rel: number): void => {
  expect(Math.abs(actual - expected) / expected, `${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
};

/** Steady-state power of one packet every T seconds over `hours`, in W. */
function periodicPower(profile = lte, T: number, hours = 4): { w: number; wakeups: number } {
  const r = new RadioModel(profile);
  const end = Math.round((hours * 3600) / T) * T; // a whole number of periods
  for (let t = 0; t < end; t += T) r.packet(t, true, 29, CAUSE.keepalive);
  r.finish(end);
  return { w: r.totalJ / end, wakeups: r.totalWakeups };
}

describe('RadioModel on lte', () => {
  it('charges one isolated uplink packet 11.4 J +- 3 % (promotion plus tail) to its cause', () => {
    const r = new RadioModel(lte, { record: true });
    r.packet(100, true, 29, CAUSE.keepalive);
    r.finish(200);
    within(r.energyJ[CAUSE.keepalive]!, 11.4, 0.03);
    expect(r.wakeups[CAUSE.keepalive]).toBe(1);
    expect(r.log!.stateLeft).toEqual(['RRC_IDLE']);
    within(r.log!.energyJ[0]!, 11.4, 0.03);
    // Idle paging, about 20 mW, is baseline for the rest of the 200 s.
    within(r.energyJ[CAUSE.baseline]!, 0.01995 * (200 - 0.26 - 10.12), 0.01);
  });

  it('adds about 11.4/T W for a keepalive every T seconds longer than the tail', () => {
    const idleW = 0.01995;
    for (const [T, w] of [[20, 0.57], [30, 0.38], [110, 0.1], [300, 0.038], [600, 0.019]] as const) {
      const p = periodicPower(lte, T);
      within(p.w - idleW, w, 0.03);
    }
  });

  it('keeps the radio connected with a keepalive period shorter than the tail: one wakeup, about 1.09 W', () => {
    const p = periodicPower(lte, 5, 1);
    expect(p.wakeups).toBe(1);
    within(p.w, 1.09, 0.03);
  });

  it('adds no wakeup for a DPD inside a keepalive tail, and charges it only its transfer', () => {
    const r = new RadioModel(lte);
    r.packet(100, true, 29, CAUSE.keepalive);
    r.packet(103, true, 112, CAUSE.dpd);
    r.packet(103.1, false, 112, CAUSE.dpd);
    r.finish(300);
    expect(r.totalWakeups).toBe(1);
    expect(r.wakeups[CAUSE.dpd]).toBe(0);
    const transfer = (112 * 8 * (438.39 + 51.97)) / 1e9;
    expect(r.energyJ[CAUSE.dpd]).toBeCloseTo(transfer, 12);
  });

  it('doubles the wakeups for two independent timers', () => {
    const one = new RadioModel(lte);
    const two = new RadioModel(lte);
    for (let t = 60; t < 3600; t += 60) {
      one.packet(t, true, 29, CAUSE.keepalive);
      two.packet(t, true, 29, CAUSE.keepalive);
      two.packet(t + 30, true, 112, CAUSE.dpd);
    }
    one.finish(3600);
    two.finish(3600);
    expect(two.totalWakeups).toBe(2 * one.totalWakeups);
  });

  it('holds a packet that arrives during a promotion until it ends', () => {
    const r = new RadioModel(lte);
    expect(r.packet(10, true, 100, CAUSE.data)).toBeCloseTo(0.26, 12);
    expect(r.packet(10.1, true, 100, CAUSE.data)).toBeCloseTo(0.16, 12);
    expect(r.packet(11, true, 100, CAUSE.data)).toBe(0);
    expect(r.totalWakeups).toBe(1);
  });
});

describe('RadioModel on other profiles', () => {
  it('umts: one isolated small packet costs about 9.5 J', () => {
    const r = new RadioModel(radioProfile('umts'));
    r.packet(10, true, 29, CAUSE.keepalive);
    r.finish(100);
    within(r.totalJ, 9.5, 0.03);
  });

  it('umts: a small packet in FACH stays there; a large one is promoted to DCH', () => {
    const small = new RadioModel(radioProfile('umts'));
    small.packet(0, true, 29, CAUSE.keepalive);
    expect(small.packet(8, true, 100, CAUSE.dpd)).toBe(0); // 8 s: in FACH, 100 B < 543 B
    expect(small.state).toBe('CELL_FACH');
    const large = new RadioModel(radioProfile('umts'));
    large.packet(0, true, 29, CAUSE.keepalive);
    expect(large.packet(8, true, 1000, CAUSE.data)).toBeCloseTo(1.5, 12); // FACH -> DCH
    expect(large.state).toBe('CELL_DCH');
    expect(large.totalWakeups).toBe(1);
  });

  it('wifi: one isolated packet costs about 0.1 J above standby', () => {
    const r = new RadioModel(radioProfile('wifi'));
    r.packet(10, true, 29, CAUSE.keepalive);
    r.finish(100);
    within(r.energyJ[CAUSE.keepalive]!, 0.1, 0.03);
    expect(r.totalWakeups).toBe(1);
  });

  it('nr-sa: a packet in RRC_INACTIVE is a wakeup that costs half a promotion', () => {
    const p = radioProfile('nr-sa');
    const r = new RadioModel(p, { record: true });
    r.packet(0, true, 29, CAUSE.keepalive);
    const delay = r.packet(12, true, 29, CAUSE.dpd); // 12 s: after the 10.2 s tail, before 15 s
    expect(delay).toBeCloseTo(0.13, 12);
    expect(r.log!.stateLeft).toEqual(['RRC_IDLE', 'RRC_INACTIVE']);
    const idleWake = r.log!.energyJ[0]!;
    r.finish(100);
    expect(r.wakeups[CAUSE.dpd]).toBe(1);
    // Resume costs half the promotion energy: 0.13 s x 1.21 W.
    expect(r.log!.energyJ[1]! - (idleWake - 0.26 * 1.21)).toBeCloseTo(0.13 * 1.21, 2);
  });
});
