import { describe, expect, it } from 'vitest';
import { applyOverrides, parseOverride } from '../../../src-main/core/overrides.ts';
import { detectionBounds, paretoSet } from '../../../src-main/core/sim/compare.ts';
import { EventQueue } from '../../../src-main/core/sim/event-queue.ts';
import { retransmitWaits } from '../../../src-main/core/policy/retransmit.ts';
import { NatBinding } from '../../../src-main/core/nat/nat.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { policyWith, preset } from '../../support/builtins.ts';

describe('EventQueue', () => {
  it('runs events in time order, ties in insertion order, and skips cancelled ones', () => {
    const q = new EventQueue();
    const seen: string[] = [];
    q.at(2, () => seen.push('b'));
    q.at(1, () => seen.push('a'));
    q.at(2, () => seen.push('c'));
    const t = q.at(1.5, () => seen.push('x'));
    q.cancel(t);
    q.at(3, () => q.at(3, () => seen.push('e')) && seen.push('d'));
    q.runUntil(10);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(q.now).toBe(10);
  });

  it('stops a model that loops at one instant', () => {
    const q = new EventQueue();
    const loop = (): void => void q.at(q.now, loop);
    q.at(1, loop);
    expect(() => q.runUntil(2)).toThrow(/stalled/);
  });
});

describe('retransmission schedules', () => {
  it("charon's defaults send at 0, 4, 11.2, 24.2, 47.5, 89.5 s", () => {
    const w = retransmitWaits({ timeoutS: 4, base: 1.8, tries: 5, jitterPct: 0, limitS: 0 });
    const sends = w.slice(0, -1).reduce<number[]>((acc, x) => [...acc, acc[acc.length - 1]! + x], [0]);
    expect(sends.map((s) => Number(s.toFixed(1)))).toEqual([0, 4, 11.2, 24.2, 47.5, 89.5]);
  });
  it('jitter only shortens waits, and the limit caps them', () => {
    const r = { timeoutS: 4, base: 1.8, tries: 5, jitterPct: 20, limitS: 30 };
    const w = retransmitWaits(r, new Rng(3));
    const plain = retransmitWaits({ ...r, jitterPct: 0, limitS: 0 });
    w.forEach((x, i) => {
      expect(x).toBeLessThanOrEqual(Math.min(plain[i]!, 30));
      expect(x).toBeGreaterThanOrEqual(Math.min(plain[i]! * 0.8, 30) - 1e-9);
    });
  });
});

describe('NatBinding', () => {
  it('expires an idle mapping, counts the loss, and gives the next outbound packet a new port', () => {
    const n = new NatBinding(30, false);
    expect(n.outbound(0)).toBe(1);
    expect(n.inbound(29, 1)).toBe(true);
    expect(n.inbound(31, 1)).toBe(false);
    expect(n.losses).toBe(1);
    expect(n.outbound(40)).toBe(2);
    expect(n.inbound(41, 1)).toBe(false); // the old port is gone
    expect(n.inbound(41, 2)).toBe(true);
  });
  it('refreshes on inbound packets only when told to', () => {
    const off = new NatBinding(30, false);
    const on = new NatBinding(30, true);
    for (const n of [off, on]) {
      n.outbound(0);
      n.inbound(20, 1);
    }
    expect(off.reachable(40, 1)).toBe(false);
    expect(on.reachable(40, 1)).toBe(true);
  });
  it('without a NAT nothing expires', () => {
    const n = new NatBinding(0, false);
    expect(n.present).toBe(false);
    expect(n.inbound(1e6, 1)).toBe(true);
  });
});

describe('Rng', () => {
  it('is deterministic per seed and uniform enough', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 10000 }, () => a.next());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.next()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(new Rng(43).next()).not.toBe(new Rng(42).next());
  });
});

describe('overrides', () => {
  const policy = preset('strongswan-android');
  it('sets a nested field, reading the value as JSON', () => {
    const o = [parseOverride('policy.client.keepaliveS=600'), parseOverride('policy.client.alarms=inexact')];
    const p = applyOverrides('policy', policy, o);
    expect(p.client.keepaliveS).toBe(600);
    expect(p.client.alarms).toBe('inexact');
    expect(policy.client.keepaliveS).toBe(45); // the original is untouched
  });
  it('rejects an unknown key, naming the known ones', () => {
    expect(() => applyOverrides('policy', policy, [parseOverride('policy.client.keepalive=5')])).toThrow(
      /unknown key "policy\.client\.keepalive"; known keys: .*policy\.client\.keepaliveS/,
    );
  });
  it('rejects malformed overrides and targets not allowed', () => {
    expect(() => parseOverride('keepaliveS')).toThrow(/KEY=VALUE/);
    expect(() => parseOverride('client.keepaliveS=1')).toThrow(/must start with/);
    expect(() => parseOverride('policy.client.keepaliveS=1', ['scenario', 'radio'])).toThrow(/"scenario\." or "radio\."/);
  });
});

describe('comparison helpers', () => {
  it('marks the Pareto set on energy vs latency', () => {
    const flags = paretoSet([
      { energy: 10, latency: 100 },
      { energy: 5, latency: 200 },
      { energy: 12, latency: 150 }, // dominated by the first
      { energy: 5, latency: Infinity }, // dominated by the second
    ]);
    expect(flags).toEqual([true, true, false, false]);
  });
  it('derives detection bounds from a policy', () => {
    const b = detectionBounds(preset('charon-dpd30'));
    expect(b.gatewayS).toBeCloseTo(30 + 165.1, 1);
    // Without DPD a side notices at its next rekey: the gateway's CHILD rekey after 1 h fails.
    const app = detectionBounds(preset('strongswan-android'));
    expect(app.gatewayS).toBeCloseTo(3600 + 165.1, 1);
    expect(app.clientS).toBeCloseTo(7200 + 14.2, 1);
    const none = detectionBounds(policyWith({ client: { ikeRekeyS: 0, ikeRekeyJitterS: 0, childRekeyS: 0, childRekeyJitterS: 0 } }));
    expect(none.clientS).toBeNull();
  });
});
