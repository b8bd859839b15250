// The contract's implementation (what the app and the bridge call), on a temp database.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from '../support/code-of.ts';
import type { LabApi, ProgressEvent } from '../../src-main/contract.ts';
import { createLab, type Lab } from '../../src-main/node/lab.ts';
import { rawResource } from '../support/builtins.ts';
import { cleanup, tempDir } from './store/fixtures.ts';

let dir: string;
let lab: Lab;
let api: LabApi;

beforeEach(() => {
  dir = tempDir();
  lab = createLab({ db: path.join(dir, 'lab.db'), mode: 'browser', userProfilesDir: path.join(dir, 'profiles') });
  api = lab.api;
});
afterEach(async () => {
  await lab.close();
  cleanup(dir);
});

const spec = (jobId: string, extra: object = {}) => ({
  jobId,
  policies: ['strongswan-android', 'ios-dpd-medium', 'battery-lean'],
  radio: 'lte',
  scenario: 'idle',
  hours: 2,
  ...extra,
});


describe('LabApiService', () => {
  it('info names the mode and where data lives', async () => {
    const info = await api.info();
    expect(info).toMatchObject({ mode: 'browser', databasePath: path.join(dir, 'lab.db'), userProfilesDir: path.join(dir, 'profiles') });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists presets, radio profiles and scenarios with their values, and field docs', async () => {
    const p = await api.listPolicies();
    expect(p.items.map((i) => i.id)).toContain('ios-dpd-medium');
    expect(p.items.find((i) => i.id === 'strongswan-android')!.value.client.keepaliveS).toBe(45);
    expect((await api.listRadioProfiles()).items[0]!.id).toBe('lte');
    expect((await api.listScenarios()).items.map((i) => i.id)).toContain('client-vanishes');
    const fields = await api.policyFields();
    expect(fields.find((f) => f.path === 'client.keepaliveS')!.strongswan).toMatch(/keep_alive/);
  });

  it('validate returns every issue with its field path', async () => {
    const bad = { ...(rawResource('presets', 'battery-lean') as object), client: { keepaliveS: -5, retransmit: { tries: 1000 } } };
    const r = await api.validate({ kind: 'policy', value: bad });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['client.keepaliveS', 'client.retransmit.tries']));
    const good = await api.validate({ kind: 'policy', value: rawResource('presets', 'battery-lean') });
    expect(good).toMatchObject({ ok: true, issues: [] });
    expect(await codeOf(api.validate({ kind: 'nonsense' as 'policy', value: {} }))).toBe('INVALID_ARGUMENT');
  });

  it('compare reports progress, returns timelines, is stored, and reopens identically', async () => {
    const events: ProgressEvent[] = [];
    lab.hub.subscribe((name, payload) => name === 'progress' && events.push(payload));
    const view = await api.compare(spec('job-1'));
    expect(events.map((e) => [e.jobId, e.done, e.total])).toEqual([
      ['job-1', 1, 3],
      ['job-1', 2, 3],
      ['job-1', 3, 3],
    ]);
    expect(view.comparisonId).toBeGreaterThan(0);
    expect(view.createdAt).toMatch(/^\d{4}-/);
    expect(view.runs.map((r) => r.policy.id)).toEqual(['strongswan-android', 'ios-dpd-medium', 'battery-lean']);
    for (const r of view.runs) {
      expect(r.timeline!.untilS).toBe(600);
      expect(r.timeline!.segments.at(-1)!.endS).toBe(600);
    }
    const again = await api.openComparison({ id: view.comparisonId! });
    expect(again.runs.map((r) => r.metrics)).toEqual(view.runs.map((r) => r.metrics));
    expect(again.runs.map((r) => r.timeline)).toEqual(view.runs.map((r) => r.timeline));
    expect(again.runs.map((r) => [r.pareto, r.detectionS])).toEqual(view.runs.map((r) => [r.pareto, r.detectionS]));

    const history = await api.listHistory();
    expect(history[0]).toMatchObject({ kind: 'comparison', id: view.comparisonId, radioId: 'lte', scenarioId: 'idle', policyIds: ['strongswan-android', 'ios-dpd-medium', 'battery-lean'] });
    expect(await api.deleteComparison({ id: view.comparisonId! })).toBe(true);
    expect(await api.listHistory()).toEqual([]);
    expect(await codeOf(api.openComparison({ id: view.comparisonId! }))).toBe('NOT_FOUND');
  });

  it('takes a custom policy inline and refuses an invalid one with the field named', async () => {
    const custom = { ...(rawResource('presets', 'battery-lean') as object), id: 'mine', name: 'Mine' };
    const view = await api.compare(spec('job-2', { policies: [{ value: custom }], store: false }));
    expect(view.runs[0]!.policy.id).toBe('mine');
    expect(view.comparisonId).toBeNull();
    const bad = { ...custom, client: { keepaliveS: -1 } };
    await expect(api.compare(spec('job-3', { policies: [{ value: bad }] }))).rejects.toThrow(/custom policy "mine": client.keepaliveS/);
  });

  it('refuses file paths and malformed requests', async () => {
    expect(await codeOf(api.compare(spec('j', { policies: ['../../etc/passwd.json'] })))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(api.compare(spec('j', { radio: '/tmp/x.json' })))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(api.compare({ ...spec('j'), extra: 1 } as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(api.compare(spec('j', { policies: [] })))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(api.openComparison({ id: -1 }))).toBe('INVALID_ARGUMENT');
  });

  it('cancel stops a running comparison, which then fails with CANCELLED', async () => {
    lab.hub.subscribe((name, payload) => {
      if (name === 'progress' && payload.done === 1) void api.cancel({ jobId: payload.jobId });
    });
    expect(await codeOf(api.compare(spec('job-4')))).toBe('CANCELLED');
    expect(await api.cancel({ jobId: 'job-4' })).toBe(false); // no longer running
    expect(await api.listHistory()).toEqual([]); // nothing stored
  });

  it('a cancel during the last run still cancels: nothing is stored', async () => {
    lab.hub.subscribe((name, payload) => {
      if (name === 'progress' && payload.done === payload.total) void api.cancel({ jobId: payload.jobId });
    });
    expect(await codeOf(api.compare(spec('job-last')))).toBe('CANCELLED');
    expect(await api.listHistory()).toEqual([]);
  });

  it('history keeps single runs however many comparison runs came after them', async () => {
    lab.service.simulate({ policy: 'battery-lean', hours: 1 });
    for (let i = 0; i < 4; i++) await api.compare(spec(`job-h${i}`, { hours: 1, policies: ['strongswan-android', 'ios-dpd-low', 'ios-dpd-medium', 'ios-dpd-high', 'battery-lean'] }));
    const h = await api.listHistory({ limit: 10 });
    expect(h.map((e) => e.kind)).toEqual(['comparison', 'comparison', 'comparison', 'comparison', 'run']);
  });

  it('a closed lab cancels what runs and refuses new work', async () => {
    const run = api.compare(spec('job-close', { hours: 24 * 30 }));
    await lab.close();
    expect(await codeOf(run)).toBe('CANCELLED');
    expect(await codeOf(api.listHistory())).toBe('CANCELLED');
  });

  it('cancel also stops a comparison running on worker threads', async () => {
    const many = Array.from({ length: 8 }, () => 'charon-dpd30');
    const run = api.compare(spec('job-5', { policies: many, hours: 24 * 60 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(await api.cancel({ jobId: 'job-5' })).toBe(true);
    expect(await codeOf(run)).toBe('CANCELLED');
  });

  it('saves, lists, replaces and deletes user radio profiles; built-in ids are refused', async () => {
    const mine = { ...(rawResource('radio-profiles', 'lte') as object), id: 'my-lte', name: 'My LTE' };
    const saved = await api.saveRadioProfile({ value: mine });
    expect(saved).toMatchObject({ id: 'my-lte', origin: 'user' });
    expect(fs.existsSync(path.join(dir, 'profiles', 'my-lte.json'))).toBe(true);
    expect((await api.listRadioProfiles()).items.map((i) => i.id)).toContain('my-lte');
    await api.saveRadioProfile({ value: { ...mine, name: 'Renamed' } });
    expect((await api.listRadioProfiles()).items.find((i) => i.id === 'my-lte')!.name).toBe('Renamed');
    expect(await codeOf(api.saveRadioProfile({ value: { ...mine, id: 'lte' } }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(api.saveRadioProfile({ value: { ...mine, promotion: { durationS: -1, powerMw: 1 } } }))).toBe('INVALID_PROFILE');
    expect(await api.deleteRadioProfile({ id: 'my-lte' })).toBe(true);
    expect(await api.deleteRadioProfile({ id: 'my-lte' })).toBe(false);
    expect(await codeOf(api.deleteRadioProfile({ id: 'lte' }))).toBe('INVALID_ARGUMENT');
  });
});
