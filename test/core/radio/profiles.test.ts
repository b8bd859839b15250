import { describe, expect, it } from 'vitest';
import { numericPaths, parseRadioProfile } from '../../../src-main/core/radio/profile.ts';
import { PROFILES, rawResource } from '../../support/builtins.ts';

describe('built-in radio profiles', () => {
  it.each(PROFILES)('%s parses and every number in it has a source', (id) => {
    const raw = rawResource('radio-profiles', id) as { sources: Record<string, string> };
    const p = parseRadioProfile(raw);
    expect(p.id).toBe(id);
    const missing = numericPaths(raw).filter((path) => !raw.sources[path]);
    expect(missing).toEqual([]);
  });

  it('labels assumptions as such', () => {
    const raw = rawResource('radio-profiles', 'nr-sa') as { sources: Record<string, string> };
    expect(raw.sources['tail.3.promotion.durationS']).toMatch(/assumption/);
    expect(raw.sources['powerMultiplier']).toMatch(/assumption/);
  });
});

describe('malformed radio profiles are rejected naming the field', () => {
  const base = (): Record<string, unknown> => structuredClone(rawResource('radio-profiles', 'lte')) as Record<string, unknown>;
  const reject = (mutate: (p: Record<string, unknown>) => void, field: RegExp): void => {
    const p = base();
    mutate(p);
    expect(() => parseRadioProfile(p)).toThrow(field);
  };

  it('a negative stage duration', () => reject((p) => ((p.tail as { durationS: number }[])[0]!.durationS = -1), /tail\.0\.durationS: must be at least 0/));
  it('a missing promotion', () => reject((p) => delete p.promotion, /promotion/));
  it('a stage with two powers', () => reject((p) => ((p.tail as Record<string, unknown>[])[0]!.drx = { cycleS: 0.04, onDurationS: 0.002, onPowerMw: 1, offPowerMw: 1 }), /tail\.0\.powerMw: give exactly one/));
  it('an unknown field', () => reject((p) => (p.tailS = 3), /unknown field "tailS"/));
  it('a bad technology', () => reject((p) => (p.technology = 'lora'), /technology/));
  it('an empty tail', () => reject((p) => (p.tail = []), /tail: needs at least one stage/));
  it('names the profile in the message', () => reject((p) => (p.powerMultiplier = 0), /radio profile "lte": powerMultiplier/));
});
