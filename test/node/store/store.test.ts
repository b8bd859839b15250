// Saving, reading and deleting runs and comparisons.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CAUSES } from '../../../src-main/core/causes.ts';
import { WakeLabError } from '../../../src-main/core/errors.ts';
import { flattenMetrics, type RunInput } from '../../../src-main/node/store/records.ts';
import { Store } from '../../../src-main/node/store/store.ts';
import { cleanup, policies, radio, runInput, scenario, tempDir } from './fixtures.ts';

let dir: string;
let store: Store;
/** A second, plain connection for looking at the tables directly. */
let peek: Database.Database;
let runs: RunInput[];

beforeAll(() => {
  runs = policies.map((p) => runInput(p));
});
beforeEach(() => {
  dir = tempDir();
  const file = path.join(dir, 'lab.db');
  store = Store.open(file);
  peek = new Database(file, { readonly: true });
});
afterEach(() => {
  peek.close();
  store.close();
  cleanup(dir);
});

const count = (table: string, where = '1'): number =>
  peek.prepare(`SELECT count(*) FROM ${table} WHERE ${where}`).pluck().get() as number;
const tableCounts = () =>
  Object.fromEntries(
    ['policies', 'radio_profiles', 'scenarios', 'comparisons', 'runs', 'run_metrics', 'wakeups'].map((t) => [t, count(t)]),
  );

describe('saveRun', () => {
  it('round-trips the run, its definitions and metrics', () => {
    const input = runs[0]!;
    const id = store.saveRun(input);
    const run = store.getRun(id)!;
    expect(run).toMatchObject({ id, kind: 'simulate', comparisonId: null, seed: 1, overrides: [], pareto: null });
    expect(run.policy).toEqual(input.policy);
    expect(run.radio).toEqual(input.radio);
    expect(run.scenario).toEqual(input.scenario);
    expect(run.metrics).toEqual(input.metrics);
    expect(run.durationS).toBe(7200);
    expect(run.version).toBe('0.1.0-test');
    expect(run.wakeupCount).toBe(input.wakeups!.time.length);
    expect(Date.parse(run.createdAt)).not.toBeNaN();
    expect(store.getRun(id + 1)).toBeNull();
  });

  it('flattens every numeric metric into run_metrics, with dotted names', () => {
    const input = runs[0]!;
    const id = store.saveRun(input);
    const rows = peek.prepare('SELECT name, value FROM run_metrics WHERE run_id = ?').all(id) as { name: string; value: number }[];
    const byName = new Map(rows.map((r) => [r.name, r.value]));
    expect(byName.get('energyJ')).toBe(input.metrics.energyJ);
    expect(byName.get('energyByCause.keepalive')).toBe(input.metrics.energyByCause.keepalive);
    expect(byName.get('promotionDelay.meanS')).toBe(input.metrics.promotionDelay.meanS);
    expect(byName.get('lostPackets.downlink')).toBe(input.metrics.lostPackets.downlink);
    // The idle scenario has no vanish event: latency is null and has no row.
    expect(input.metrics.detectionLatencyS.gateway).toBeNull();
    expect(byName.has('detectionLatencyS.gateway')).toBe(false);
    expect(rows).toHaveLength(flattenMetrics(input.metrics).length);
  });

  it('stores one wakeup row per logged wakeup, with cause names', () => {
    const input = runs[0]!;
    const log = input.wakeups!;
    const id = store.saveRun(input);
    const rows = store.getWakeups(id);
    expect(rows).toHaveLength(log.time.length);
    expect(rows[0]).toEqual({
      seq: 0,
      tS: log.time[0],
      cause: CAUSES[log.cause[0]!],
      stateLeft: log.stateLeft[0],
      energyJ: log.energyJ[0],
      apWoken: log.apWoken[0] === 1,
    });
    expect(store.getWakeups(id, { offset: 2, limit: 3 }).map((w) => w.seq)).toEqual([2, 3, 4]);
    // Counted by cause in SQL they agree with the run's own metrics.
    const byCause = peek.prepare('SELECT cause, count(*) AS n FROM wakeups WHERE run_id = ? GROUP BY cause').all(id) as {
      cause: string;
      n: number;
    }[];
    for (const c of CAUSES) {
      expect(byCause.find((r) => r.cause === c)?.n ?? 0).toBe(input.metrics.radioWakeupsByCause[c]);
    }
  });

  it('stores a run without a wakeup log', () => {
    const id = store.saveRun({ ...runs[0]!, wakeups: null });
    expect(store.getRun(id)!.wakeupCount).toBe(0);
    expect(store.getWakeups(id)).toEqual([]);
  });

  it('writes nothing when a wakeup row cannot be stored', () => {
    const log = runs[0]!.wakeups!;
    const bad = { ...log, cause: [...log.cause.slice(0, -1), 99] } as typeof log;
    expect(() => store.saveRun({ ...runs[0]!, wakeups: bad })).toThrow(/cause code 99/);
    expect(Object.values(tableCounts()).every((n) => n === 0)).toBe(true);
  });

  it('upserts definitions with their source, but not those changed by --set', () => {
    store.saveRun({ ...runs[0]!, sources: { policy: 'builtin', radio: 'builtin' } });
    const changed = { ...runs[1]!.policy, client: { ...runs[1]!.policy.client, keepaliveS: 600 } };
    const id = store.saveRun({ ...runs[1]!, policy: changed, overrides: ['policy.client.keepaliveS=600'] });
    const defs = store.listDefinitions('policies');
    expect(defs.map((d) => [d.id, d.source])).toEqual([[runs[0]!.policy.id, 'builtin']]);
    expect(defs[0]!.value).toEqual(runs[0]!.policy);
    expect(store.listDefinitions('radio_profiles').map((d) => [d.id, d.name, d.source])).toEqual([[radio.id, radio.name, 'user']]);
    expect(store.listDefinitions('scenarios').map((d) => d.value)).toEqual([scenario]);
    expect(store.getRun(id)!.policy.client.keepaliveS).toBe(600);
    expect(store.getRun(id)!.overrides).toEqual(['policy.client.keepaliveS=600']);
  });

  it('moves updated_at only when a definition changes', () => {
    const old = '2000-01-01T00:00:00.000Z';
    store.saveDefinition('policies', runs[0]!.policy, 'builtin');
    peek.close();
    peek = new Database(store.path);
    peek.prepare('UPDATE policies SET updated_at = ?').run(old);
    store.saveRun({ ...runs[0]!, sources: { policy: 'builtin' } }); // the same definition again
    expect(store.listDefinitions('policies')[0]!.updatedAt).toBe(old);
    store.saveDefinition('policies', { ...runs[0]!.policy, name: 'renamed' }, 'file');
    const after = store.listDefinitions('policies')[0]!;
    expect([after.name, after.source]).toEqual(['renamed', 'file']);
    expect(after.updatedAt > old).toBe(true);
  });

  it('reports a constraint failure as DB_ERROR', () => {
    const err = (() => {
      try {
        store.saveRun({ ...runs[0]!, seed: -1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WakeLabError);
    expect((err as WakeLabError).code).toBe('DB_ERROR');
    expect((err as WakeLabError).message).toMatch(/^cannot write to database .*lab\.db: CHECK constraint failed/);
    expect(count('runs')).toBe(0);
  });
});

describe('listing', () => {
  it('lists runs newest first, with their headline numbers, and pages', () => {
    const ids = [store.saveRun(runs[0]!), store.saveRun(runs[1]!), store.saveRun({ ...runs[0]!, pareto: true })];
    const list = store.listRuns();
    expect(list.map((r) => r.id)).toEqual([...ids].reverse());
    expect(list[2]).toEqual({
      id: ids[0],
      createdAt: expect.any(String),
      kind: 'simulate',
      comparisonId: null,
      policyId: runs[0]!.policy.id,
      policyName: runs[0]!.policy.name,
      radioId: radio.id,
      scenarioId: scenario.id,
      seed: 1,
      durationS: 7200,
      energyJPerHour: runs[0]!.metrics.energyJPerHour,
      radioWakeupsPerHour: runs[0]!.metrics.radioWakeupsPerHour,
      pareto: null,
    });
    expect(list[0]!.pareto).toBe(true);
    expect(store.listRuns({ limit: 1, offset: 1 }).map((r) => r.id)).toEqual([ids[1]]);
    expect(() => store.listRuns({ limit: -2 })).toThrow(/limit must be a whole number/);
  });
});

describe('comparisons', () => {
  const comparison = () => ({
    radio,
    scenario,
    seed: 1,
    durationS: 7200,
    settings: { rankBy: 'energy' },
    runs: runs.map((r, i) => {
      const { kind: _kind, ...rest } = r;
      return { ...rest, pareto: i === 0 };
    }),
  });

  it('stores a comparison and its runs', () => {
    const { comparisonId, runIds } = store.saveComparison(comparison());
    const c = store.getComparison(comparisonId)!;
    expect(c).toMatchObject({ id: comparisonId, radioId: radio.id, scenarioId: scenario.id, seed: 1, durationS: 7200, runCount: 2 });
    expect(c.settings).toEqual({ rankBy: 'energy' });
    expect(c.runs.map((r) => [r.id, r.kind, r.comparisonId, r.pareto])).toEqual([
      [runIds[0], 'compare', comparisonId, true],
      [runIds[1], 'compare', comparisonId, false],
    ]);
    expect(store.listComparisons().map((x) => x.id)).toEqual([comparisonId]);
    expect(store.listRuns({ comparisonId }).map((r) => r.id)).toEqual([...runIds].reverse());
    expect(store.listRuns({ comparisonId: comparisonId + 1 })).toEqual([]);
    expect(store.getComparison(comparisonId + 1)).toBeNull();
  });

  it('writes nothing at all when one run fails', () => {
    const c = comparison();
    c.runs[1] = { ...c.runs[1]!, seed: 'one' as unknown as number };
    expect(() => store.saveComparison(c)).toThrow(WakeLabError);
    expect(Object.values(tableCounts()).every((n) => n === 0)).toBe(true);
  });

  it('deleting a comparison deletes its runs and their rows', () => {
    const kept = store.saveRun(runs[0]!);
    const { comparisonId } = store.saveComparison(comparison());
    expect(store.deleteComparison(comparisonId)).toBe(true);
    expect(store.deleteComparison(comparisonId)).toBe(false);
    expect(store.listRuns().map((r) => r.id)).toEqual([kept]);
    expect(count('run_metrics', `run_id <> ${kept}`)).toBe(0);
    expect(count('wakeups', `run_id <> ${kept}`)).toBe(0);
  });
});

describe('deleteRun', () => {
  it('deletes the run with its metrics and wakeups, and nothing else', () => {
    const a = store.saveRun(runs[0]!);
    const b = store.saveRun(runs[1]!);
    expect(count('wakeups', `run_id = ${a}`)).toBeGreaterThan(0);
    expect(store.deleteRun(a)).toBe(true);
    expect(store.deleteRun(a)).toBe(false);
    expect(store.getRun(a)).toBeNull();
    expect(count('run_metrics', `run_id = ${a}`)).toBe(0);
    expect(count('wakeups', `run_id = ${a}`)).toBe(0);
    expect(store.getRun(b)!.wakeupCount).toBe(runs[1]!.wakeups!.time.length);
    expect(count('policies')).toBe(2); // definitions stay
  });
});
