/**
 * Every SQL statement the store runs, prepared once per connection. Column aliases match the row
 * types in records.ts.
 */
import type Database from 'better-sqlite3';
import type {
  ComparisonRow,
  DefinitionKind,
  DefinitionRow,
  RunRow,
  RunSummaryRow,
  WakeupDbRow,
} from './records.ts';

export interface DefinitionParams {
  id: string;
  name: string;
  json: string;
  source: string;
  now: string;
}
export interface RunParams {
  createdAt: string;
  kind: string;
  comparisonId: number | null;
  policyId: string;
  policyJson: string;
  radioId: string;
  radioJson: string;
  scenarioId: string;
  scenarioJson: string;
  seed: number;
  durationS: number;
  overridesJson: string;
  pareto: number | null;
  metricsJson: string;
  version: string;
}
export interface ComparisonParams {
  createdAt: string;
  radioId: string;
  scenarioId: string;
  seed: number;
  durationS: number;
  settingsJson: string;
}
interface Page {
  limit: number;
  offset: number;
}

const KINDS: readonly DefinitionKind[] = ['policies', 'radio_profiles', 'scenarios'];

/** One statement per definition table (a table name cannot be a parameter). */
function perKind<T>(make: (table: DefinitionKind) => T): Record<DefinitionKind, T> {
  return Object.fromEntries(KINDS.map((k) => [k, make(k)])) as Record<DefinitionKind, T>;
}

const RUN_SUMMARY = `
SELECT r.id, r.created_at AS createdAt, r.kind, r.comparison_id AS comparisonId,
       r.policy_id AS policyId, json_extract(r.policy_json, '$.name') AS policyName,
       r.radio_id AS radioId, r.scenario_id AS scenarioId, r.seed, r.duration_s AS durationS,
       (SELECT value FROM run_metrics WHERE run_id = r.id AND name = 'energyJPerHour') AS energyJPerHour,
       (SELECT value FROM run_metrics WHERE run_id = r.id AND name = 'radioWakeupsPerHour') AS radioWakeupsPerHour,
       r.pareto
FROM runs r`;

const COMPARISON = `
SELECT c.id, c.created_at AS createdAt, c.radio_id AS radioId, c.scenario_id AS scenarioId, c.seed,
       c.duration_s AS durationS, c.settings_json AS settingsJson,
       (SELECT count(*) FROM runs WHERE comparison_id = c.id) AS runCount
FROM comparisons c`;

type Stmt<P extends unknown[] | {}, R = unknown> = Database.Statement<P, R>;

export interface Statements {
  upsertDefinition: Record<DefinitionKind, Stmt<DefinitionParams>>;
  listDefinitions: Record<DefinitionKind, Stmt<[], DefinitionRow>>;
  insertComparison: Stmt<ComparisonParams>;
  insertRun: Stmt<RunParams>;
  insertMetric: Stmt<[number, string, number]>;
  insertWakeup: Stmt<[number, number, number, string, string, number, number]>;
  listRuns: Stmt<[Page], RunSummaryRow>;
  listRunsOfComparison: Stmt<[Page & { comparisonId: number }], RunSummaryRow>;
  listSingleRuns: Stmt<[Page], RunSummaryRow>;
  runsOfComparison: Stmt<[number], RunSummaryRow>;
  getRun: Stmt<[number], RunRow>;
  getWakeups: Stmt<[Page & { runId: number }], WakeupDbRow>;
  listComparisons: Stmt<[], ComparisonRow>;
  getComparison: Stmt<[number], ComparisonRow>;
  deleteRun: Stmt<[number]>;
  deleteComparison: Stmt<[number]>;
}

export function prepareStatements(db: Database.Database): Statements {
  return {
    // Upsert; updated_at moves only when the stored definition actually changes.
    upsertDefinition: perKind((t) =>
      db.prepare<DefinitionParams>(`
        INSERT INTO ${t} (id, name, json, source, updated_at) VALUES (@id, @name, @json, @source, @now)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, json = excluded.json, source = excluded.source,
          updated_at = excluded.updated_at
        WHERE name IS NOT excluded.name OR json IS NOT excluded.json OR source IS NOT excluded.source`),
    ),
    listDefinitions: perKind((t) =>
      db.prepare<[], DefinitionRow>(`SELECT id, name, json, source, updated_at AS updatedAt FROM ${t} ORDER BY id`),
    ),
    insertComparison: db.prepare<ComparisonParams>(`
      INSERT INTO comparisons (created_at, radio_id, scenario_id, seed, duration_s, settings_json)
      VALUES (@createdAt, @radioId, @scenarioId, @seed, @durationS, @settingsJson)`),
    insertRun: db.prepare<RunParams>(`
      INSERT INTO runs (created_at, kind, comparison_id, policy_id, policy_json, radio_id, radio_json, scenario_id,
        scenario_json, seed, duration_s, overrides_json, pareto, metrics_json, wakelab_version)
      VALUES (@createdAt, @kind, @comparisonId, @policyId, @policyJson, @radioId, @radioJson, @scenarioId,
        @scenarioJson, @seed, @durationS, @overridesJson, @pareto, @metricsJson, @version)`),
    insertMetric: db.prepare<[number, string, number]>('INSERT INTO run_metrics (run_id, name, value) VALUES (?, ?, ?)'),
    insertWakeup: db.prepare<[number, number, number, string, string, number, number]>(
      'INSERT INTO wakeups (run_id, seq, t_s, cause, state_left, energy_j, ap_woken) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    listRuns: db.prepare<[Page], RunSummaryRow>(
      `${RUN_SUMMARY} ORDER BY r.created_at DESC, r.id DESC LIMIT @limit OFFSET @offset`,
    ),
    listRunsOfComparison: db.prepare<[Page & { comparisonId: number }], RunSummaryRow>(
      `${RUN_SUMMARY} WHERE r.comparison_id = @comparisonId ORDER BY r.created_at DESC, r.id DESC LIMIT @limit OFFSET @offset`,
    ),
    listSingleRuns: db.prepare<[Page], RunSummaryRow>(
      `${RUN_SUMMARY} WHERE r.comparison_id IS NULL ORDER BY r.created_at DESC, r.id DESC LIMIT @limit OFFSET @offset`,
    ),
    runsOfComparison: db.prepare<[number], RunSummaryRow>(`${RUN_SUMMARY} WHERE r.comparison_id = ? ORDER BY r.id`),
    getRun: db.prepare<[number], RunRow>(`
      SELECT r.id, r.created_at AS createdAt, r.kind, r.comparison_id AS comparisonId, r.policy_json AS policyJson,
             r.radio_json AS radioJson, r.scenario_json AS scenarioJson, r.seed, r.duration_s AS durationS,
             r.overrides_json AS overridesJson, r.pareto, r.metrics_json AS metricsJson, r.wakelab_version AS version,
             (SELECT count(*) FROM wakeups WHERE run_id = r.id) AS wakeupCount
      FROM runs r WHERE r.id = ?`),
    getWakeups: db.prepare<[Page & { runId: number }], WakeupDbRow>(`
      SELECT seq, t_s AS tS, cause, state_left AS stateLeft, energy_j AS energyJ, ap_woken AS apWoken
      FROM wakeups WHERE run_id = @runId ORDER BY seq LIMIT @limit OFFSET @offset`),
    listComparisons: db.prepare<[], ComparisonRow>(`${COMPARISON} ORDER BY c.created_at DESC, c.id DESC`),
    getComparison: db.prepare<[number], ComparisonRow>(`${COMPARISON} WHERE c.id = ?`),
    deleteRun: db.prepare<[number]>('DELETE FROM runs WHERE id = ?'),
    deleteComparison: db.prepare<[number]>('DELETE FROM comparisons WHERE id = ?'),
  };
}
