/**
 * The lab notebook (docs/database.md): definitions, runs, their metrics and per-wakeup rows in
 * one SQLite file. Statements are prepared once per connection; every write is one transaction,
 * so a run that fails to store (too large, disk full, a constraint) leaves nothing behind.
 */
import type Database from 'better-sqlite3';
import { WakeLabError } from '../../core/errors.ts';
import type { RadioProfile } from '../../core/radio/profile.ts';
import type { Scenario } from '../../core/sim/scenario.ts';
import { dbError, openDatabase } from './open.ts';
import {
  causeName,
  flattenMetrics,
  overriddenTargets,
  toComparisonSummary,
  toDefinition,
  toRunRecord,
  toRunSummary,
  toWakeupRow,
  type ComparisonRecord,
  type ComparisonSummary,
  type DefinitionKind,
  type DefinitionRecord,
  type DefinitionSource,
  type DefinitionTypes,
  type RunInput,
  type RunRecord,
  type RunSummary,
  type WakeupRow,
} from './records.ts';
import { prepareStatements, type Statements } from './statements.ts';

export type {
  ComparisonRecord,
  ComparisonSummary,
  DefinitionKind,
  DefinitionRecord,
  DefinitionSource,
  RunInput,
  RunRecord,
  RunSummary,
  WakeupRow,
} from './records.ts';

export type ComparisonRunInput = Omit<RunInput, 'kind' | 'comparisonId'>;
export interface ComparisonInput {
  radio: RadioProfile;
  scenario: Scenario;
  seed: number;
  durationS: number;
  /** The comparison's own settings (e.g. the ranking used), stored as JSON. */
  settings: object;
  runs: ComparisonRunInput[];
}
export interface PageOptions {
  limit?: number;
  offset?: number;
}

export class Store {
  private readonly q: Statements;
  private readonly saveRunTx: (r: RunInput) => number;
  private readonly saveComparisonTx: (c: ComparisonInput) => { comparisonId: number; runIds: number[] };
  private readonly saveDefinitionTx: (kind: DefinitionKind, def: { id: string; name: string }, source: DefinitionSource) => void;

  private constructor(
    /** The file this store was opened on, as given. */
    readonly path: string,
    private readonly db: Database.Database,
    /** `PRAGMA user_version` after migrations. */
    readonly schemaVersion: number,
  ) {
    this.q = prepareStatements(db);
    this.saveRunTx = db.transaction((r: RunInput) => this.insertRun(r, new Date().toISOString()));
    this.saveComparisonTx = db.transaction((c: ComparisonInput) => this.insertComparison(c, new Date().toISOString()));
    this.saveDefinitionTx = db.transaction((kind: DefinitionKind, def: { id: string; name: string }, source: DefinitionSource) =>
      this.upsertDefinition(kind, def, source, new Date().toISOString()),
    );
  }

  /**
   * Opens the database at `path`, creating it and its folder if need be, and migrates it.
   * Throws DB_TOO_NEW (file untouched) for a newer schema, DB_ERROR for anything else.
   */
  static open(path: string): Store {
    const { db, version } = openDatabase(path);
    return new Store(path, db, version);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Stores a run with its metrics and wakeups; returns its id. */
  saveRun(r: RunInput): number {
    return this.write(() => this.saveRunTx(r));
  }

  /** Stores a comparison and all its runs, all or nothing. */
  saveComparison(c: ComparisonInput): { comparisonId: number; runIds: number[] } {
    return this.write(() => this.saveComparisonTx(c));
  }

  /** Adds or replaces one policy, radio profile or scenario by id. */
  saveDefinition(kind: DefinitionKind, def: { id: string; name: string }, source: DefinitionSource = 'user'): void {
    this.write(() => this.saveDefinitionTx(kind, def, source));
  }

  /** Run summaries, newest first. */
  listRuns(opts: PageOptions & { comparisonId?: number } = {}): RunSummary[] {
    const page = pageOf(opts);
    const rows =
      opts.comparisonId === undefined
        ? this.q.listRuns.all(page)
        : this.q.listRunsOfComparison.all({ ...page, comparisonId: opts.comparisonId });
    return rows.map(toRunSummary);
  }

  /** Runs that belong to no comparison (`wakelab simulate`), newest first. */
  listSingleRuns(opts: PageOptions = {}): RunSummary[] {
    return this.q.listSingleRuns.all(pageOf(opts)).map(toRunSummary);
  }

  getRun(id: number): RunRecord | null {
    const row = this.q.getRun.get(id);
    return row ? toRunRecord(row) : null;
  }

  /** A run's wakeups in time order (empty for an unknown run or one stored without them). */
  getWakeups(runId: number, opts: PageOptions = {}): WakeupRow[] {
    return this.q.getWakeups.all({ ...pageOf(opts), runId }).map(toWakeupRow);
  }

  /** Comparisons, newest first. */
  listComparisons(): ComparisonSummary[] {
    return this.q.listComparisons.all().map(toComparisonSummary);
  }

  getComparison(id: number): ComparisonRecord | null {
    const row = this.q.getComparison.get(id);
    if (!row) return null;
    return { ...toComparisonSummary(row), runs: this.q.runsOfComparison.all(id).map(toRunSummary) };
  }

  /** Deletes a run with its metrics and wakeups; false when there was no such run. */
  deleteRun(id: number): boolean {
    return this.write(() => this.q.deleteRun.run(id).changes > 0);
  }

  /** Deletes a comparison with all its runs; false when there was no such comparison. */
  deleteComparison(id: number): boolean {
    return this.write(() => this.q.deleteComparison.run(id).changes > 0);
  }

  listDefinitions<K extends DefinitionKind>(kind: K): DefinitionRecord<DefinitionTypes[K]>[] {
    return this.q.listDefinitions[kind].all().map((r) => toDefinition<DefinitionTypes[K]>(r));
  }

  /** Runs a write, reporting SQLite failures as DB_ERROR naming the file. */
  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw dbError(this.path, e, 'cannot write to database');
    }
  }

  private upsertDefinition(kind: DefinitionKind, def: { id: string; name: string }, source: DefinitionSource, now: string): void {
    this.q.upsertDefinition[kind].run({ id: def.id, name: def.name, json: JSON.stringify(def), source, now });
  }

  private insertComparison(c: ComparisonInput, now: string): { comparisonId: number; runIds: number[] } {
    const info = this.q.insertComparison.run({
      createdAt: now,
      radioId: c.radio.id,
      scenarioId: c.scenario.id,
      seed: c.seed,
      durationS: c.durationS,
      settingsJson: JSON.stringify(c.settings),
    });
    const comparisonId = Number(info.lastInsertRowid);
    const runIds = c.runs.map((r) => this.insertRun({ ...r, kind: 'compare', comparisonId }, now));
    return { comparisonId, runIds };
  }

  /** Inserts one run and its rows; the caller holds the transaction. */
  private insertRun(r: RunInput, now: string): number {
    // A definition changed by --set is not the definition under that id: the run keeps its
    // effective copy, and the definition table is left as it was.
    const overridden = overriddenTargets(r.overrides);
    const defs = [
      ['policy', 'policies', r.policy],
      ['radio', 'radio_profiles', r.radio],
      ['scenario', 'scenarios', r.scenario],
    ] as const;
    for (const [target, kind, def] of defs) {
      if (!overridden.has(target)) this.upsertDefinition(kind, def, r.sources?.[target] ?? 'user', now);
    }
    const info = this.q.insertRun.run({
      createdAt: now,
      kind: r.kind,
      comparisonId: r.comparisonId ?? null,
      policyId: r.policy.id,
      policyJson: JSON.stringify(r.policy),
      radioId: r.radio.id,
      radioJson: JSON.stringify(r.radio),
      scenarioId: r.scenario.id,
      scenarioJson: JSON.stringify(r.scenario),
      seed: r.seed,
      durationS: r.metrics.durationS,
      overridesJson: JSON.stringify(r.overrides),
      pareto: r.pareto === undefined ? null : r.pareto ? 1 : 0,
      metricsJson: JSON.stringify(r.metrics),
      version: r.version,
    });
    const runId = Number(info.lastInsertRowid);
    for (const [name, value] of flattenMetrics(r.metrics)) this.q.insertMetric.run(runId, name, value);
    const w = r.wakeups;
    if (w) {
      const insert = this.q.insertWakeup;
      for (let i = 0; i < w.time.length; i++) {
        insert.run(runId, i, w.time[i]!, causeName(w.cause[i]!), w.stateLeft[i]!, w.energyJ[i]!, w.apWoken[i] ? 1 : 0);
      }
    }
    return runId;
  }
}

/** LIMIT/OFFSET values; -1 is SQLite's "no limit". */
function pageOf(opts: PageOptions): { limit: number; offset: number } {
  const check = (name: string, v: number | undefined): number => {
    if (v === undefined) return name === 'limit' ? -1 : 0;
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new WakeLabError('INVALID_ARGUMENT', `${name} must be a whole number of at least 0 (got ${v})`);
    }
    return v;
  };
  return { limit: check('limit', opts.limit), offset: check('offset', opts.offset) };
}
