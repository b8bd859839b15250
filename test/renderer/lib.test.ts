// The renderer's pure helpers: what the scenario form sends, ids for copies, the timeline's zoom.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src-main/core/sim/scenario.ts';
import { clip, duration, logTicks, num } from '../../src-renderer/src/lib/format.ts';
import { freshId, getPath, setPath } from '../../src-renderer/src/lib/policy-edit.ts';
import { cleanScenario, defaultTraffic } from '../../src-renderer/src/lib/scenario-edit.ts';
import { stateClass, zoomWindow } from '../../src-renderer/src/lib/timeline.ts';
import { rawResource } from '../support/builtins.ts';

describe('scenario form', () => {
  const idle = parseScenario(rawResource('scenarios', 'idle'));

  it('drops a duration left on an event whose kind was changed, and emptied inputs', () => {
    const edited = {
      ...idle,
      events: [
        { kind: 'gateway-vanishes', atS: 100, durationS: 600 },
        { kind: 'client-vanishes', atS: 200, durationS: null },
        { kind: 'client-vanishes', atS: 300, durationS: 60 },
      ],
    } as unknown as typeof idle;
    const clean = cleanScenario(edited, 7200);
    expect(clean.events).toEqual([
      { kind: 'gateway-vanishes', atS: 100 },
      { kind: 'client-vanishes', atS: 200 },
      { kind: 'client-vanishes', atS: 300, durationS: 60 },
    ]);
    expect(clean.durationS).toBe(7200);
    expect(() => parseScenario(clean)).not.toThrow();
  });

  it('starts each traffic model from values the schema accepts', () => {
    for (const kind of ['idle', 'periodic-push', 'interactive']) expect(() => parseScenario({ ...idle, traffic: defaultTraffic(kind) })).not.toThrow();
  });
});

describe('policy editor helpers', () => {
  it('reads and writes nested fields by dotted path', () => {
    const o: Record<string, unknown> = { client: { retransmit: { tries: 5 } } };
    setPath(o, 'client.retransmit.tries', 3);
    setPath(o, 'gateway.dpdDelayS', 30);
    expect(getPath(o, 'client.retransmit.tries')).toBe(3);
    expect(getPath(o, 'gateway.dpdDelayS')).toBe(30);
    expect(getPath(o, 'client.nothing.here')).toBeUndefined();
  });

  it('gives a copy an id nobody uses', () => {
    expect(freshId('lte', ['lte'])).toBe('lte-custom');
    expect(freshId('lte', ['lte', 'lte-custom'])).toBe('lte-custom-2');
    expect(freshId('lte-custom', ['lte', 'lte-custom', 'lte-custom-2'])).toBe('lte-custom-3');
  });
});

describe('formatting and the timeline', () => {
  it('shows about three significant digits and readable durations', () => {
    expect([num(1234.5), num(12.34), num(1.234), num(0.01234), num(0)]).toEqual(['1,235', '12.3', '1.23', '0.0123', '0']);
    expect([duration(30), duration(600), duration(7200), duration(3 * 86400), duration(null)]).toEqual(['30.0 s', '10.0 min', '2.00 h', '3.00 d', '—']);
    expect(clip('strongSwan Android app', 60)).toBe('strongS…'); // 60 px of 11 px text: 8 characters
    expect(clip('short', 60)).toBe('short');
    expect(logTicks([15, 900])).toEqual([20, 50, 100, 200, 500]);
  });

  it('zooms around a point and never leaves [0, until]', () => {
    expect(zoomWindow([0, 600], 0.5, 300, 600)).toEqual([150, 450]);
    expect(zoomWindow([0, 600], 0.5, 0, 600)).toEqual([0, 300]);
    expect(zoomWindow([500, 700], 1, 0, 600)).toEqual([400, 600]);
    expect(zoomWindow([0, 600], 4, 300, 600)).toEqual([0, 600]);
  });

  it('colours idle, promotion and tail stages by position', () => {
    const states = ['RRC_IDLE', 'promotion', 'CONTINUOUS_RECEPTION', 'SHORT_DRX', 'LONG_DRX'];
    expect(states.map((s) => stateClass(s, states))).toEqual(['st-idle', 'st-promotion', 'st-0', 'st-1', 'st-2']);
  });
});
