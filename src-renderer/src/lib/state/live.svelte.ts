/**
 * The Live view's state: the latest `live` snapshot (pushed by the main process about twice a
 * second while a lab runs), the lab configurations and fleet templates to start, the bounded event
 * stream, the client table's filter, sort and page, the selected client's radio timeline (fetched
 * again every few seconds), and the policy form's draft.
 *
 * Snapshots are kept with `$state.raw`: each one replaces the last as a whole, and the table's
 * keyed rows update only the cells whose text changed.
 */
import type { FleetTemplateItem, LabConfigItem, LiveEventItem, LivePolicyPatch, LiveSnapshot, Timeline } from '../../../../src-main/contract.ts';
import { api, errorText } from '../api.ts';
import { DESCENDING_FIRST, mergeEvents, pageOf, queryRows, type RowSort } from '../live.ts';
import { draftOf, draftPatch, type PolicyDraft } from '../live-policy.ts';

/** Client rows per page of the table. */
export const PAGE_SIZE = 50;
/**
 * The selected client's timeline: at most this many lab seconds (less while the lab is younger, at
 * least a minute), and how often it is fetched again (real ms).
 */
export const TIMELINE_WINDOW_S = 600;
export const TIMELINE_EVERY_MS = 3000;

type Busy = 'start' | 'stop' | 'fleet' | 'fleet-stop' | 'policy' | 'radio' | null;

export class LiveState {
  snapshot = $state.raw<LiveSnapshot | null>(null);
  events = $state.raw<readonly LiveEventItem[]>([]);
  labs = $state.raw<LabConfigItem[]>([]);
  fleets = $state.raw<FleetTemplateItem[]>([]);
  problems = $state.raw<string[]>([]);
  /** The lab configuration and fleet template picked in the selects. */
  labConfigId = $state('');
  templateId = $state('');
  busy = $state<Busy>(null);
  /** The last failed call, one line. */
  error = $state<string | null>(null);

  // The client table.
  filter = $state('');
  group = $state('');
  sortKey = $state<RowSort>('client');
  sortAsc = $state(true);
  page = $state(0);

  // The selected client.
  selected = $state<string | null>(null);
  timeline = $state.raw<Timeline | null>(null);
  timelineError = $state<string | null>(null);

  /** The policy form, filled from the running lab's policy when it starts. */
  draft = $state<PolicyDraft | null>(null);
  private draftLab: number | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  running = $derived(this.snapshot?.running ?? false);
  rows = $derived(queryRows(this.snapshot?.clients ?? [], { text: this.filter, group: this.group, sort: this.sortKey, asc: this.sortAsc }));
  shown = $derived(pageOf(this.rows, this.page, PAGE_SIZE));
  groups = $derived(this.snapshot?.fleet?.groups.map((g) => g.group) ?? []);
  selectedRow = $derived(this.snapshot?.clients.find((c) => c.client === this.selected) ?? null);
  lab = $derived(this.labs.find((l) => l.id === this.labConfigId) ?? null);
  template = $derived(this.fleets.find((f) => f.id === this.templateId) ?? null);
  /** What Apply would send, or null when the draft is unchanged. */
  patch = $derived.by(() => {
    const p = this.snapshot?.policy;
    if (!p || !this.draft) return null;
    const out = draftPatch(p, this.draft);
    return Object.keys(out).length > 0 ? out : null;
  });

  /** Subscribes to `live` and loads the lists and the lab's state; returns the unsubscribe. */
  connect(): () => void {
    const off = api.on('live', (s) => this.accept(s));
    void this.load();
    // Back on the view with a client still selected: keep its timeline coming again.
    if (this.selected !== null) this.select(this.selected);
    return () => {
      off();
      this.stopTimeline();
    };
  }

  async load(): Promise<void> {
    try {
      const [labs, fleets, s] = await Promise.all([api.listLabConfigs(), api.listFleetTemplates(), api.liveStatus()]);
      this.labs = labs.items;
      this.fleets = fleets.items;
      this.problems = [...labs.problems, ...fleets.problems];
      if (!this.labs.some((l) => l.id === this.labConfigId)) this.labConfigId = this.labs[0]?.id ?? '';
      if (!this.fleets.some((f) => f.id === this.templateId)) this.templateId = this.fleets[0]?.id ?? '';
      this.accept(s);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** A snapshot, from the event or a call's answer. */
  accept(s: LiveSnapshot): void {
    this.snapshot = s;
    this.events = mergeEvents(this.events, s.events);
    if (s.running && s.labConfigId) this.labConfigId = s.labConfigId;
    if (s.fleet) this.templateId = s.fleet.templateId;
    if (!s.policy) {
      this.draft = null;
      this.draftLab = null;
    } else if (this.draft === null || this.draftLab !== s.labId) {
      this.draft = draftOf(s.policy);
      this.draftLab = s.labId;
    }
    if (!s.running && this.selected !== null) this.select(null);
    if (this.group !== '' && !this.groups.includes(this.group)) this.group = '';
  }

  async startLab(): Promise<void> {
    await this.call('start', () => api.startLab({ configId: this.labConfigId }));
  }

  async stopLab(): Promise<void> {
    await this.call('stop', () => api.stopLab());
  }

  async startFleet(): Promise<void> {
    await this.call('fleet', () => api.startFleet({ templateId: this.templateId }));
  }

  async stopFleet(): Promise<void> {
    await this.call('fleet-stop', () => api.stopFleet());
  }

  /** Sends the policy form's changes; the form then shows the policy the lab runs. */
  async applyPolicy(): Promise<void> {
    const patch = this.patch;
    if (!patch) return;
    if (await this.call('policy', () => api.setLivePolicy(patch))) this.resetDraft();
  }

  resetDraft(): void {
    const p = this.snapshot?.policy;
    this.draft = p ? draftOf(p) : null;
  }

  async setClientRadio(client: string, radio: string): Promise<void> {
    const patch: LivePolicyPatch = { clients: { [client]: radio } };
    if (await this.call('radio', () => api.setLivePolicy(patch))) void this.refreshTimeline();
  }

  sortBy(key: RowSort): void {
    if (this.sortKey === key) this.sortAsc = !this.sortAsc;
    else {
      this.sortKey = key;
      this.sortAsc = !DESCENDING_FIRST.has(key);
    }
    this.page = 0;
  }

  /** Selects a client (null: none) and keeps its timeline fresh while it stays selected. */
  select(client: string | null): void {
    this.stopTimeline();
    this.selected = client;
    this.timeline = null;
    this.timelineError = null;
    if (client === null) return;
    void this.refreshTimeline();
    this.timer = setInterval(() => void this.refreshTimeline(), TIMELINE_EVERY_MS);
  }

  async refreshTimeline(): Promise<void> {
    const client = this.selected;
    if (client === null || !this.running) return;
    try {
      const windowS = Math.min(TIMELINE_WINDOW_S, Math.max(60, Math.ceil(this.snapshot?.t ?? 0)));
      const tl = await api.liveTimeline({ client, windowS });
      if (this.selected === client) {
        this.timeline = tl;
        this.timelineError = null;
      }
    } catch (e) {
      if (this.selected === client) this.timelineError = errorText(e);
    }
  }

  private stopTimeline(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One call at a time; its snapshot is taken, its failure shown in one line. True if it worked. */
  private async call(what: Exclude<Busy, null>, fn: () => Promise<LiveSnapshot>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = what;
    this.error = null;
    try {
      this.accept(await fn());
      return true;
    } catch (e) {
      this.error = errorText(e);
      return false;
    } finally {
      this.busy = null;
    }
  }
}

export const live = new LiveState();
