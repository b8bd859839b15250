/**
 * The LabService: the one facade every front end (CLI now; Electron and browser mode next) calls.
 * It resolves inputs, runs the core simulator (in worker threads for large comparisons), stores
 * runs in SQLite, and reads them back.
 */
import { WakeLabError } from '../core/errors.ts';
import { detectionForRanking, paretoSet } from '../core/sim/compare.ts';
import type { Metrics } from '../core/sim/metrics.ts';
import type { Policy } from '../core/policy/schema.ts';
import type { RadioProfile } from '../core/radio/profile.ts';
import type { RadioTimeline } from '../core/radio/timeline.ts';
import type { Scenario } from '../core/sim/scenario.ts';
import { simulate } from '../core/sim/simulator.ts';
import { Catalog, type Kind } from './catalog.ts';
import { checkSeed, parseOverrides, resolvePolicy, resolveRadio, resolveScenario, type Ref, type Resolved } from './run-spec.ts';
import { SimPool, type SimJobResult } from './sim-pool.ts';
import type { SimJob } from './sim-worker.ts';
import type { Store } from './store/store.ts';
import { VERSION } from './version.ts';
import type { HistoryEntry } from '../contract.ts';

export interface SimulateRequest {
  policy: Ref;
  radio?: Ref;
  scenario?: Ref;
  hours?: number;
  seed?: number;
  /** `--set KEY=VALUE` overrides (policy., scenario., radio.). */
  set?: string[];
  store?: boolean;
}

export interface CompareRequest extends Omit<SimulateRequest, 'policy'> {
  policies: Ref[];
  /** Worker threads to use; default: one per core, only when there are enough policies. */
  workers?: number;
  /** Keep the radio-state timeline of each run's first this-many seconds (0: none). */
  timelineS?: number;
  /** Aborting stops the comparison between runs; it then rejects with CANCELLED. */
  signal?: AbortSignal;
}

export interface RunOutput {
  runId: number | null;
  policy: Policy;
  metrics: Metrics;
}

export interface SimulateResult extends RunOutput {
  radio: RadioProfile;
  scenario: Scenario;
  seed: number;
  overrides: string[];
  /** Things the user should know that are not errors (printed on stderr by the CLI). */
  warnings: string[];
}

export interface CompareRow extends RunOutput {
  timeline: RadioTimeline | null;
  /** The detection latency the Pareto set is made on, s (null = never). */
  detectionS: number | null;
  pareto: boolean;
}

export interface CompareResult {
  comparisonId: number | null;
  /** When the comparison was stored (null when it was not). */
  createdAt: string | null;
  radio: RadioProfile;
  scenario: Scenario;
  seed: number;
  overrides: string[];
  warnings: string[];
  runs: CompareRow[];
}

export type Progress = (done: number, total: number) => void;

/** Below this many policies a comparison runs in this thread (workers cost ~100 ms to start). */
const POOL_THRESHOLD = 8;

export class LabService {
  constructor(
    readonly catalog: Catalog,
    private readonly openStore: () => Store,
    /** Simulation worker script for SimPool (the Electron build bundles its own). */
    private readonly workerUrl?: URL,
  ) {}

  private store: Store | null = null;
  private closed = false;

  private db(): Store {
    if (this.closed) throw new WakeLabError('CANCELLED', 'the lab is shutting down');
    this.store ??= this.openStore();
    return this.store;
  }

  close(): void {
    this.closed = true;
    this.store?.close();
    this.store = null;
  }

  list(kind: Kind) {
    const { entries, problems } = this.catalog.list(kind);
    return {
      items: entries.map((e) => ({ id: e.value.id, name: e.value.name, description: e.value.description, origin: e.origin, path: e.path, value: e.value })),
      problems,
    };
  }

  simulate(req: SimulateRequest, onProgress?: Progress): SimulateResult {
    const overrides = parseOverrides(req.set);
    const policy = resolvePolicy(this.catalog, req.policy, overrides);
    const radio = resolveRadio(this.catalog, req.radio ?? 'lte', overrides);
    const scenario = resolveScenario(this.catalog, req.scenario ?? 'idle', overrides, req.hours);
    const seed = checkSeed(req.seed);
    const store = req.store ?? true;
    if (store) this.db(); // a bad database is reported before a long run, not after
    const r = simulate(policy.value, radio.value, scenario.value, {
      seed,
      record: store,
      onProgress: onProgress ? (f) => onProgress(f, 1) : undefined,
    });
    const set = effectiveOverrides(req);
    const runId = store ? this.db().saveRun({ kind: 'simulate', ...runInput(policy, radio, scenario, seed, set, r) }) : null;
    return { runId, policy: policy.value, radio: radio.value, scenario: scenario.value, seed, overrides: set, metrics: r.metrics, warnings: eventWarnings(scenario.value) };
  }

  async compare(req: CompareRequest, onProgress?: Progress): Promise<CompareResult> {
    const overrides = parseOverrides(req.set, ['scenario', 'radio']);
    if (req.policies.length === 0) throw new WakeLabError('INVALID_ARGUMENT', 'compare needs at least one --policy');
    const policies = req.policies.map((p) => resolvePolicy(this.catalog, p, []));
    const radio = resolveRadio(this.catalog, req.radio ?? 'lte', overrides);
    const scenario = resolveScenario(this.catalog, req.scenario ?? 'idle', overrides, req.hours);
    const seed = checkSeed(req.seed);
    const store = req.store ?? true;
    if (store) this.db();
    const set = effectiveOverrides(req);
    const jobs = policies.map((p) => ({ policy: p.value, radio: radio.value, scenario: scenario.value, seed, record: store, timelineS: req.timelineS ?? 0 }));
    const workers = Math.min(req.workers ?? (jobs.length >= POOL_THRESHOLD ? SimPool.defaultSize() : 0), jobs.length);
    const results = workers > 1 ? await runPooled(jobs, workers, onProgress, req.signal, this.workerUrl) : await runHere(jobs, onProgress, req.signal);

    if (req.signal?.aborted) throw cancelled(); // cancelled during the last run: store nothing
    const detection = results.map((r, i) => detectionForRanking(policies[i]!.value, r.metrics));
    const pareto = paretoSet(results.map((r, i) => ({ energy: r.metrics.energyJ, latency: detection[i]! })));
    let comparisonId: number | null = null;
    let createdAt: string | null = null;
    let runIds: (number | null)[] = results.map(() => null);
    if (store) {
      const saved = this.db().saveComparison({
        radio: radio.value,
        scenario: scenario.value,
        seed,
        durationS: scenario.value.durationS,
        settings: { policies: req.policies, set },
        runs: results.map((r, i) => ({ ...runInput(policies[i]!, radio, scenario, seed, set, r), pareto: pareto[i]! })),
      });
      comparisonId = saved.comparisonId;
      runIds = saved.runIds;
      createdAt = this.db().getComparison(comparisonId)?.createdAt ?? null;
    }
    return {
      comparisonId,
      createdAt,
      radio: radio.value,
      scenario: scenario.value,
      seed,
      overrides: set,
      warnings: eventWarnings(scenario.value),
      runs: results.map((r, i) => ({
        runId: runIds[i] ?? null,
        policy: policies[i]!.value,
        metrics: r.metrics,
        detectionS: Number.isFinite(detection[i]!) ? detection[i]! : null,
        pareto: pareto[i]!,
        timeline: r.timeline ?? null,
      })),
    };
  }

  listRuns(opts: { limit?: number; offset?: number } = {}) {
    return this.db().listRuns(opts);
  }

  getRun(id: number) {
    return this.db().getRun(id);
  }

  getWakeups(id: number) {
    return this.db().getWakeups(id);
  }

  deleteRun(id: number): boolean {
    return this.db().deleteRun(id);
  }

  getComparison(id: number) {
    return this.db().getComparison(id);
  }

  deleteComparison(id: number): boolean {
    return this.db().deleteComparison(id);
  }

  /** Comparisons and single runs, newest first. */
  history(limit: number): HistoryEntry[] {
    const db = this.db();
    const comparisons: HistoryEntry[] = db.listComparisons().slice(0, limit).map((c) => ({
      kind: 'comparison',
      id: c.id,
      createdAt: c.createdAt,
      radioId: c.radioId,
      scenarioId: c.scenarioId,
      durationS: c.durationS,
      seed: c.seed,
      policyIds: db.getComparison(c.id)?.runs.map((r) => r.policyId) ?? [],
    }));
    const runs: HistoryEntry[] = db
      .listSingleRuns({ limit })
      .map((r) => ({ kind: 'run', id: r.id, createdAt: r.createdAt, radioId: r.radioId, scenarioId: r.scenarioId, durationS: r.durationS, seed: r.seed, policyIds: [r.policyId] }));
    return [...comparisons, ...runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id).slice(0, limit);
  }
}

const cancelled = (): WakeLabError => new WakeLabError('CANCELLED', 'the comparison was cancelled');

/** Runs the jobs in this thread, one after another, letting other work (a cancel) in between. */
async function runHere(jobs: readonly SimJob[], onProgress: Progress | undefined, signal: AbortSignal | undefined): Promise<SimJobResult[]> {
  const results: SimJobResult[] = [];
  for (const [i, j] of jobs.entries()) {
    if (signal) {
      await new Promise((r) => setImmediate(r));
      if (signal.aborted) throw cancelled();
    }
    results.push(simulate(j.policy, j.radio, j.scenario, { seed: j.seed, record: j.record, timelineS: j.timelineS }));
    onProgress?.(i + 1, jobs.length);
  }
  return results;
}

/** Runs the jobs on worker threads; a cancel terminates the workers at once. */
async function runPooled(
  jobs: readonly SimJob[],
  workers: number,
  onProgress: Progress | undefined,
  signal: AbortSignal | undefined,
  workerUrl: URL | undefined,
): Promise<SimJobResult[]> {
  if (signal?.aborted) throw cancelled();
  const pool = new SimPool(workers, workerUrl);
  const run = pool.runAll(jobs, onProgress);
  run.catch(() => {}); // after a cancel the terminated workers may still reject it: nobody waits then
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([run, aborted]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }
}

/** What the store keeps of one run. */
function runInput(policy: Resolved<Policy>, radio: Resolved<RadioProfile>, scenario: Resolved<Scenario>, seed: number, set: string[], r: SimJobResult) {
  return {
    policy: policy.value,
    radio: radio.value,
    scenario: scenario.value,
    seed,
    overrides: set,
    metrics: r.metrics,
    wakeups: r.wakeups,
    version: VERSION,
    sources: { policy: policy.origin, radio: radio.origin, scenario: scenario.origin },
  };
}

/** The overrides a run was made with; --hours counts as one, so the stored scenario stays as defined. */
function effectiveOverrides(req: { set?: string[]; hours?: number }): string[] {
  return [...(req.set ?? []), ...(req.hours !== undefined ? [`scenario.durationS=${req.hours * 3600}`] : [])];
}

/** Scenario events that fall after the end of the run (and so do not happen). */
export function eventWarnings(scenario: Scenario): string[] {
  return scenario.events
    .filter((e) => e.atS > scenario.durationS)
    .map((e) => `scenario event ${e.kind} at ${e.atS} s is after the end of the run (${scenario.durationS} s) and does not happen`);
}
