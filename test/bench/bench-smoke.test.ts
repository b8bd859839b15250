// Smoke test of the benchmark's building blocks on a tiny trace: the results must be sane.
// No timing here: speed is measured by `npm run bench` (BENCHMARKS.md), never in tests.
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../src-main/core/causes.ts';
import { estimateTrace } from '../../src-main/core/trace/estimate.ts';
import { checkTrace } from '../../src-main/core/trace/trace.ts';
import { bareLoop } from './bare-loop.ts';
import { behaviourKey, benchPolicies, MAX_POLICIES } from './policies.ts';
import { loadRadio } from './resources.ts';
import { median } from './stats.ts';
import { synthTrace, traceBytes } from './synth-trace.ts';

const N = 10_000;

describe('synthetic trace', () => {
  it('is deterministic, well formed and mixed', () => {
    const a = synthTrace(N, 7);
    const b = synthTrace(N, 7);
    expect(a.time).toEqual(b.time);
    expect(a.up).toEqual(b.up);
    expect(a.bytes).toEqual(b.bytes);
    expect(() => checkTrace(a)).not.toThrow();
    expect(a.time.length).toBe(N);
    expect(Math.min(...a.bytes)).toBeGreaterThanOrEqual(29);
    expect(Math.max(...a.bytes)).toBeLessThanOrEqual(1500);
    const ups = a.up.reduce((s, u) => s + u, 0);
    expect(ups).toBeGreaterThan(0);
    expect(ups).toBeLessThan(N);
    // Bursts milliseconds apart and idle gaps of seconds to minutes.
    const gaps = Array.from(a.time.subarray(1), (t, i) => t - a.time[i]!);
    expect(gaps.some((g) => g > 0 && g < 0.05)).toBe(true);
    expect(gaps.some((g) => g >= 60)).toBe(true);
    expect(a.stats.bursts).toBeGreaterThan(1);
    expect(traceBytes(a)).toBe(13 * N);
    expect(traceBytes(synthTrace(N, 7, { cause: true }))).toBe(14 * N);
  });
});

describe('estimator and bare loop on a tiny trace', () => {
  const lte = loadRadio('lte');

  it('the estimator finds energy and wakeups', () => {
    const t = synthTrace(N, 11);
    const e = estimateTrace(t, lte);
    expect(e.packets).toBe(N);
    expect(e.energyJ).toBeGreaterThan(0);
    expect(Number.isFinite(e.energyJ)).toBe(true);
    expect(e.radioWakeups).toBeGreaterThan(0);
    // At most one wakeup per burst (a burst starts after an idle gap), at least one per gap longer than the tail.
    expect(e.radioWakeups).toBeLessThanOrEqual(t.stats.bursts);
    expect(e.wakeupsByCause[CAUSE.data]).toBe(e.radioWakeups);
    expect(e.durationS).toBe(t.time[N - 1]);
  });

  it('with a cause column, energy and wakeups are split by cause and add up', () => {
    const t = synthTrace(N, 11, { cause: true });
    const e = estimateTrace(t, lte);
    expect(e.energyJ).toBeGreaterThan(0);
    expect(e.radioWakeups).toBeGreaterThan(0);
    const byCause = Array.from(e.energyByCause).reduce((s, x) => s + x, 0);
    expect(byCause).toBeCloseTo(e.energyJ, 6);
    expect(Array.from(e.wakeupsByCause).reduce((s, x) => s + x, 0)).toBe(e.radioWakeups);
    expect(e.wakeupsByCause[CAUSE.keepalive]).toBeGreaterThan(0);
  });

  it('the bare loop checksum equals the sums computed independently', () => {
    const t = synthTrace(N, 13);
    const c = bareLoop(t);
    let timeSum = 0;
    for (const x of Array.from(t.time)) timeSum += x;
    const bytesSum = Array.from(t.bytes).reduce((s, x) => s + x, 0);
    expect(c.timeSum).toBe(timeSum);
    expect(c.bytesSum).toBe(bytesSum);
    expect(c.bytesSum).toBeGreaterThanOrEqual(29 * N);
    expect(c.bytesSum).toBeLessThanOrEqual(1500 * N);
  });
});

describe('sweep policies', () => {
  it('1000 distinct policies, each passing parsePolicy', () => {
    expect(MAX_POLICIES).toBeGreaterThanOrEqual(1000);
    const ps = benchPolicies(1000); // parsePolicy throws on the first invalid one
    expect(ps).toHaveLength(1000);
    expect(new Set(ps.map((p) => p.id)).size).toBe(1000);
    expect(new Set(ps.map(behaviourKey)).size).toBe(1000);
    const ka = ps.map((p) => p.client.keepaliveS);
    expect(Math.min(...ka)).toBe(10);
    expect(Math.max(...ka)).toBeLessThanOrEqual(300);
    expect(new Set(ps.map((p) => p.gateway.dpdDelayS))).toEqual(new Set([0, 30, 120, 600]));
    expect(new Set(ps.map((p) => `${p.client.alarms}/${p.client.sleepIntervalS}`))).toEqual(new Set(['exact/0', 'inexact/300', 'inexact/900']));
    expect(new Set(ps.map((p) => p.client.keepaliveOffload))).toEqual(new Set([false, true]));
  });
});

describe('stats helpers', () => {
  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
