/**
 * What the store takes and gives back, and the conversions between those objects and table rows
 * (docs/database.md describes the rows).
 */
import { CAUSES, type Cause } from '../../core/causes.ts';
import type { Policy } from '../../core/policy/schema.ts';
import type { RadioProfile } from '../../core/radio/profile.ts';
import type { WakeupLog } from '../../core/radio/radio-model.ts';
import type { Metrics } from '../../core/sim/metrics.ts';
import type { Scenario } from '../../core/sim/scenario.ts';

export type DefinitionSource = 'builtin' | 'user' | 'file';
export type DefinitionKind = 'policies' | 'radio_profiles' | 'scenarios';
export interface DefinitionTypes {
  policies: Policy;
  radio_profiles: RadioProfile;
  scenarios: Scenario;
}

export interface RunInput {
  kind: 'simulate' | 'compare';
  comparisonId?: number;
  /** The effective definitions the run used (after any --set overrides). */
  policy: Policy;
  radio: RadioProfile;
  scenario: Scenario;
  seed: number;
  /** The --set strings, as given. */
  overrides: string[];
  metrics: Metrics;
  wakeups: WakeupLog | null;
  pareto?: boolean;
  /** WakeLab version that produced the run. */
  version: string;
  /** Where each definition came from, for the definition tables; 'user' when not given. */
  sources?: { policy?: DefinitionSource; radio?: DefinitionSource; scenario?: DefinitionSource };
}

export interface RunSummary {
  id: number;
  createdAt: string;
  kind: 'simulate' | 'compare';
  comparisonId: number | null;
  policyId: string;
  policyName: string;
  radioId: string;
  scenarioId: string;
  seed: number;
  durationS: number;
  energyJPerHour: number;
  radioWakeupsPerHour: number;
  pareto: boolean | null;
}

/** A stored run. The JSON objects are returned as stored, not validated again. */
export interface RunRecord {
  id: number;
  createdAt: string;
  kind: 'simulate' | 'compare';
  comparisonId: number | null;
  policy: Policy;
  radio: RadioProfile;
  scenario: Scenario;
  seed: number;
  durationS: number;
  overrides: string[];
  pareto: boolean | null;
  metrics: Metrics;
  version: string;
  wakeupCount: number;
}

export interface WakeupRow {
  seq: number;
  tS: number;
  cause: Cause;
  stateLeft: string;
  energyJ: number;
  apWoken: boolean;
}

export interface ComparisonSummary {
  id: number;
  createdAt: string;
  radioId: string;
  scenarioId: string;
  seed: number;
  durationS: number;
  settings: unknown;
  runCount: number;
}

export interface ComparisonRecord extends ComparisonSummary {
  /** In the order they were given to saveComparison. */
  runs: RunSummary[];
}

export interface DefinitionRecord<T> {
  id: string;
  name: string;
  source: DefinitionSource;
  updatedAt: string;
  value: T;
}

/** Rows as the SELECTs in store.ts alias them. */
export interface RunSummaryRow extends Omit<RunSummary, 'pareto'> {
  pareto: number | null;
}
export interface RunRow {
  id: number;
  createdAt: string;
  kind: 'simulate' | 'compare';
  comparisonId: number | null;
  policyJson: string;
  radioJson: string;
  scenarioJson: string;
  seed: number;
  durationS: number;
  overridesJson: string;
  pareto: number | null;
  metricsJson: string;
  version: string;
  wakeupCount: number;
}
export interface WakeupDbRow extends Omit<WakeupRow, 'apWoken'> {
  apWoken: number;
}
export interface ComparisonRow extends Omit<ComparisonSummary, 'settings'> {
  settingsJson: string;
}
export interface DefinitionRow extends Omit<DefinitionRecord<unknown>, 'value'> {
  json: string;
}

const bool = (v: number | null): boolean | null => (v === null ? null : v !== 0);

export function toRunSummary(r: RunSummaryRow): RunSummary {
  return { ...r, pareto: bool(r.pareto) };
}

export function toRunRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    createdAt: r.createdAt,
    kind: r.kind,
    comparisonId: r.comparisonId,
    policy: JSON.parse(r.policyJson) as Policy,
    radio: JSON.parse(r.radioJson) as RadioProfile,
    scenario: JSON.parse(r.scenarioJson) as Scenario,
    seed: r.seed,
    durationS: r.durationS,
    overrides: JSON.parse(r.overridesJson) as string[],
    pareto: bool(r.pareto),
    metrics: JSON.parse(r.metricsJson) as Metrics,
    version: r.version,
    wakeupCount: r.wakeupCount,
  };
}

export function toWakeupRow(r: WakeupDbRow): WakeupRow {
  return { ...r, apWoken: r.apWoken !== 0 };
}

export function toComparisonSummary(r: ComparisonRow): ComparisonSummary {
  const { settingsJson, ...rest } = r;
  return { ...rest, settings: JSON.parse(settingsJson) as unknown };
}

export function toDefinition<T>(r: DefinitionRow): DefinitionRecord<T> {
  const { json, ...rest } = r;
  return { ...rest, value: JSON.parse(json) as T };
}

/**
 * The numeric leaves of a Metrics object as `[dotted name, value]`, e.g. `energyByCause.keepalive`.
 * Booleans become 1/0; nulls and non-finite numbers have no row.
 */
export function flattenMetrics(value: unknown, prefix = ''): [string, number][] {
  if (typeof value === 'boolean') return [[prefix, value ? 1 : 0]];
  if (typeof value === 'number') return Number.isFinite(value) ? [[prefix, value]] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => flattenMetrics(v, prefix ? `${prefix}.${k}` : k));
}

/** Cause name of a WakeupLog cause code. */
export function causeName(code: number): Cause {
  const name = CAUSES[code];
  if (name === undefined) throw new RangeError(`unknown cause code ${code}`);
  return name;
}

/** The definition kinds a --set override changed, e.g. `policy.client.keepaliveS=600` -> policy. */
export function overriddenTargets(overrides: readonly string[]): Set<string> {
  return new Set(overrides.map((o) => o.split('=')[0]!.trim().split('.')[0]!));
}
