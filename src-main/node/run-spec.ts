/**
 * Turns references and `--set` overrides into the validated policy, radio profile and scenario of
 * a run. Overrides apply to the definition with its defaults filled in, and the result is
 * validated again, so an override can never produce a run the schema would refuse.
 */
import { WakeLabError } from '../core/errors.ts';
import { applyOverrides, parseOverride, type Override, type OverrideTarget } from '../core/overrides.ts';
import type { Policy } from '../core/policy/schema.ts';
import type { RadioProfile } from '../core/radio/profile.ts';
import type { Scenario } from '../core/sim/scenario.ts';
import { parseAs, type Catalog, type Origin } from './catalog.ts';

export const MAX_HOURS = 24 * 366;

export interface Resolved<T> {
  value: T;
  origin: Origin;
}

/** A definition by id or file path (the CLI), or given inline (the app's editors). */
export type Ref = string | { value: unknown };

const INLINE_WORDS = { policy: 'custom policy', radio: 'custom radio profile', scenario: 'custom scenario' } as const;

/** The catalog entry for a reference; an inline definition is validated and counts as the user's. */
function lookup(catalog: Catalog, kind: OverrideTarget, ref: Ref): { value: unknown; origin: Origin } {
  if (typeof ref === 'string') return catalog.get(kind, ref);
  return { value: parseAs(kind, ref.value, INLINE_WORDS[kind]), origin: 'user' };
}

export function parseOverrides(texts: readonly string[] = [], allowed?: readonly OverrideTarget[]): Override[] {
  return texts.map((t) => parseOverride(t, allowed));
}

export function resolvePolicy(catalog: Catalog, ref: Ref, overrides: readonly Override[]): Resolved<Policy> {
  const e = lookup(catalog, 'policy', ref);
  return { value: reparse('policy', e.value, overrides) as Policy, origin: e.origin };
}

export function resolveRadio(catalog: Catalog, ref: Ref, overrides: readonly Override[]): Resolved<RadioProfile> {
  const e = lookup(catalog, 'radio', ref);
  return { value: reparse('radio', e.value, overrides) as RadioProfile, origin: e.origin };
}

export function resolveScenario(catalog: Catalog, ref: Ref, overrides: readonly Override[], hours?: number): Resolved<Scenario> {
  const e = lookup(catalog, 'scenario', ref);
  let value = reparse('scenario', e.value, overrides) as Scenario;
  if (hours !== undefined) {
    if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_HOURS) {
      throw new WakeLabError('INVALID_ARGUMENT', `--hours must be a number greater than 0 and at most ${MAX_HOURS} (got ${hours})`);
    }
    value = { ...value, durationS: hours * 3600 };
  }
  return { value, origin: e.origin };
}

export function checkSeed(seed: number | undefined): number {
  const s = seed ?? 1;
  if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) {
    throw new WakeLabError('INVALID_ARGUMENT', `--seed must be a whole number from 0 to 4294967295 (got ${seed})`);
  }
  return s;
}

function reparse(kind: OverrideTarget, value: unknown, overrides: readonly Override[]): unknown {
  if (!overrides.some((o) => o.target === kind)) return value;
  const changed = applyOverrides(kind, value, overrides);
  const label = { policy: 'policy', radio: 'radio profile', scenario: 'scenario' }[kind] + ' after --set';
  return parseAs(kind === 'radio' ? 'radio' : kind, changed, label);
}
