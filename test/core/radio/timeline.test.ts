// Radio-state timelines: the states a run's radio passes through, from its packets.
import { describe, expect, it } from 'vitest';
import { radioTimeline } from '../../../src-main/core/radio/timeline.ts';
import { simulate } from '../../../src-main/core/sim/simulator.ts';
import { PROFILES, preset, radioProfile, scenario } from '../../support/builtins.ts';

const round = (x: number) => Math.round(x * 1e6) / 1e6;

describe('radioTimeline', () => {
  it('one packet on lte: idle, promotion, the three tail stages, idle again', () => {
    const tl = radioTimeline(radioProfile('lte'), [{ tS: 10, up: true, bytes: 100, cause: 'keepalive' }], 60);
    // lte.json: promotion 0.26 s; CONTINUOUS_RECEPTION 0.1 s, SHORT_DRX 0.02 s, LONG_DRX 10 s.
    expect(tl.segments.map((s) => [round(s.startS), round(s.endS), s.state])).toEqual([
      [0, 10, 'RRC_IDLE'],
      [10, 10.26, 'promotion'],
      [10.26, 10.36, 'CONTINUOUS_RECEPTION'],
      [10.36, 10.38, 'SHORT_DRX'],
      [10.38, 20.38, 'LONG_DRX'],
      [20.38, 60, 'RRC_IDLE'],
    ]);
    expect(tl.states).toEqual(['RRC_IDLE', 'promotion', 'CONTINUOUS_RECEPTION', 'SHORT_DRX', 'LONG_DRX']);
  });

  it('a packet inside the tail restarts it without a new promotion', () => {
    const tl = radioTimeline(
      radioProfile('lte'),
      [
        { tS: 0, up: true, bytes: 100, cause: 'keepalive' },
        { tS: 5, up: false, bytes: 100, cause: 'dpd' },
      ],
      30,
    );
    const states = tl.segments.map((s) => s.state);
    expect(states.filter((s) => s === 'promotion')).toHaveLength(1);
    expect(states).toEqual(['promotion', 'CONTINUOUS_RECEPTION', 'SHORT_DRX', 'LONG_DRX', 'CONTINUOUS_RECEPTION', 'SHORT_DRX', 'LONG_DRX', 'RRC_IDLE']);
    expect(round(tl.segments.at(-1)!.startS)).toBe(15.12);
  });

  it.each(PROFILES)('%s: segments of a simulated run are back to back over [0, untilS]', (id) => {
    const r = simulate(preset('strongswan-android'), radioProfile(id), scenario('interactive', { durationS: 3600 }), { seed: 3, timelineS: 600 });
    const tl = r.timeline!;
    expect(tl.untilS).toBe(600);
    expect(tl.segments[0]!.startS).toBe(0);
    expect(tl.segments.at(-1)!.endS).toBe(600);
    for (let i = 1; i < tl.segments.length; i++) {
      expect(tl.segments[i]!.startS).toBe(tl.segments[i - 1]!.endS);
      expect(tl.segments[i]!.state).not.toBe(tl.segments[i - 1]!.state);
    }
    for (const s of tl.segments) expect(tl.states).toContain(s.state);
    expect(tl.packets.length).toBeGreaterThan(5);
    expect(tl.packets.every((p) => p.tS < 600)).toBe(true);
  });

  it('counts as many promotions out of idle as the run counts radio wakeups in that window', () => {
    const r = simulate(preset('strongswan-android'), radioProfile('lte'), scenario('idle', { durationS: 900 }), { seed: 1, timelineS: 900, record: true });
    const promotions = r.timeline!.segments.filter((s, i, a) => s.state === 'promotion' && (i === 0 || a[i - 1]!.state === 'RRC_IDLE')).length;
    // A wakeup at exactly 900 s (the 20th keepalive) falls outside [0, 900).
    expect(promotions).toBe(r.wakeups!.time.filter((t) => t < 900).length);
    expect(promotions).toBeGreaterThan(5);
  });

  it('is absent unless asked for', () => {
    expect(simulate(preset('battery-lean'), radioProfile('lte'), scenario('idle', { durationS: 600 })).timeline).toBeNull();
  });
});
