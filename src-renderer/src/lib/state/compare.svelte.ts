/**
 * The Compare view's state: the scenario being edited, the chosen policies (presets and custom
 * ones), the running comparison with its progress, and the result with its sort order.
 */
import type { CompareRun, CompareView, Policy, Scenario } from '../../../../src-main/contract.ts';
import { api, ApiError, errorText } from '../api.ts';
import { cleanScenario } from '../scenario-edit.ts';
import { catalog } from './catalog.svelte.ts';

export type SortKey = 'policy' | 'avgPowerMw' | 'energyJPerHour' | 'batteryPctPerDay' | 'radioWakeupsPerHour' | 'apWakeupsPerHour' | 'detectionS' | 'connectedFraction';

const DEFAULT_POLICIES = ['strongswan-android', 'ios-dpd-medium', 'battery-lean'];

function sortValue(r: CompareRun, key: SortKey): number | string {
  switch (key) {
    case 'policy':
      return r.policy.name.toLowerCase();
    case 'detectionS':
      return r.detectionS ?? Infinity;
    default:
      return r.metrics[key];
  }
}

export class CompareState {
  scenarioId = $state('idle');
  /** An editable copy of the chosen scenario. */
  scenario = $state<Scenario | null>(null);
  radioId = $state('lte');
  hours = $state(24);
  selected = $state<string[]>([...DEFAULT_POLICIES]);
  /** Custom policies made in the editor, by id. */
  custom = $state<Policy[]>([]);

  running = $state(false);
  progress = $state({ done: 0, total: 0 });
  result = $state<CompareView | null>(null);
  error = $state<string | null>(null);
  sortKey = $state<SortKey>('energyJPerHour');
  sortAsc = $state(true);
  private jobId = '';

  rows = $derived.by(() => {
    const runs = this.result?.runs ?? [];
    const dir = this.sortAsc ? 1 : -1;
    return [...runs].sort((a, b) => {
      const x = sortValue(a, this.sortKey);
      const y = sortValue(b, this.sortKey);
      return x < y ? -dir : x > y ? dir : 0;
    });
  });

  canRun = $derived(!this.running && this.scenario !== null && this.selected.length > 0 && this.hours > 0);

  /** Picks a scenario to start from; its settings become the editable copy. */
  useScenario(id: string): void {
    const s = catalog.scenarios.find((x) => x.id === id);
    if (!s) return;
    this.scenarioId = id;
    this.scenario = structuredClone($state.snapshot(s.value)) as Scenario;
    this.hours = Math.round((s.value.durationS / 3600) * 100) / 100;
  }

  toggle(id: string): void {
    this.selected = this.selected.includes(id) ? this.selected.filter((x) => x !== id) : [...this.selected, id];
  }

  saveCustom(p: Policy): void {
    this.custom = [...this.custom.filter((c) => c.id !== p.id), p];
    if (!this.selected.includes(p.id)) this.selected = [...this.selected, p.id];
  }

  removeCustom(id: string): void {
    this.custom = this.custom.filter((c) => c.id !== id);
    this.selected = this.selected.filter((x) => x !== id);
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortAsc = !this.sortAsc;
    else {
      this.sortKey = key;
      this.sortAsc = key === 'policy';
    }
  }

  async run(): Promise<void> {
    if (!this.canRun || !this.scenario) return;
    this.jobId = `job-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    this.running = true;
    this.error = null;
    this.progress = { done: 0, total: this.selected.length };
    const stop = api.on('progress', (p) => {
      if (p.jobId === this.jobId) this.progress = { done: p.done, total: p.total };
    });
    try {
      const customById = new Map(this.custom.map((c) => [c.id, c]));
      this.result = await api.compare({
        jobId: this.jobId,
        policies: this.selected.map((id) => (customById.has(id) ? { value: $state.snapshot(customById.get(id)) } : id)),
        radio: this.radioId,
        scenario: { value: cleanScenario($state.snapshot(this.scenario) as Scenario, this.hours * 3600) },
      });
    } catch (e) {
      this.error = e instanceof ApiError && e.code === 'CANCELLED' ? 'Cancelled: nothing was stored.' : errorText(e);
    } finally {
      stop();
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    if (this.running) await api.cancel({ jobId: this.jobId });
  }

  /** Shows a stored comparison (from the Runs view). */
  show(view: CompareView): void {
    this.result = view;
    this.error = null;
  }
}

export const compare = new CompareState();
