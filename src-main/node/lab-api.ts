/**
 * The contract (src-main/contract.ts) implemented over the LabService: what the Electron window
 * and the browser bridge call. It checks each argument at the boundary (a renderer is not
 * trusted to send well-formed requests), refers to definitions by id or inline value but never by
 * file path, tracks running comparisons for progress and cancel, and turns stored runs back into
 * comparison views.
 */
import { z } from 'zod';
import type { AppInfo, CatalogItem, CatalogList, CompareSpec, CompareView, HistoryEntry, LabApi, LivePolicyPatch, LiveSnapshot, Timeline, ValidateKind, ValidationResult } from '../contract.ts';
import { WakeLabError } from '../core/errors.ts';
import { POLICY_FIELDS } from '../core/policy/fields.ts';
import { policySchema } from '../core/policy/schema.ts';
import { radioProfileSchema } from '../core/radio/profile.ts';
import { scenarioSchema } from '../core/sim/scenario.ts';
import { issuesOf, parseWith } from '../core/validate.ts';
import type { Kind } from './catalog.ts';
import type { EventHub } from './event-hub.ts';
import { reopenComparison } from './history.ts';
import type { LabService } from './lab-service.ts';
import type { LiveService } from './live/live-service.ts';
import { VERSION } from './version.ts';

const ID = /^[a-z0-9][a-z0-9._-]*$/;
const ref = z.union([
  z.string().regex(ID, 'must be the id of a built-in or user definition').refine((s) => !s.endsWith('.json'), 'must be an id, not a file name'),
  z.object({ value: z.unknown() }).strict(),
]);
const compareSpecSchema = z
  .object({
    jobId: z.string().min(1).max(100),
    policies: z.array(ref).min(1, 'choose at least one policy').max(32, 'at most 32 policies at once'),
    radio: ref,
    scenario: ref,
    hours: z.number().optional(),
    seed: z.number().optional(),
    store: z.boolean().optional(),
    timelineS: z.number().finite().min(0).max(3600, 'must be at most 3600 s').optional(),
  })
  .strict();
const idArg = z.object({ id: z.number().int().positive() }).strict();
const textIdArg = z.object({ id: z.string().regex(ID) }).strict();
const SCHEMAS = { policy: policySchema, radio: radioProfileSchema, scenario: scenarioSchema } as const;

export const DEFAULT_TIMELINE_S = 600;

/** Validates a call's argument; a bad one is INVALID_ARGUMENT naming the call and field. */
function arg<T>(schema: z.ZodType<T>, input: unknown, call: string): T {
  return parseWith(schema, input ?? {}, 'INVALID_ARGUMENT', call);
}

export class LabApiService implements LabApi {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly service: LabService,
    private readonly hub: EventHub,
    private readonly about: Omit<AppInfo, 'version'>,
    private readonly live: LiveService,
  ) {}

  async info(): Promise<AppInfo> {
    return { version: VERSION, ...this.about };
  }

  async listPolicies() {
    return this.list('policy') as CatalogList<z.output<typeof policySchema>>;
  }

  async listRadioProfiles() {
    return this.list('radio') as CatalogList<z.output<typeof radioProfileSchema>>;
  }

  async listScenarios() {
    return this.list('scenario') as CatalogList<z.output<typeof scenarioSchema>>;
  }

  async policyFields() {
    return POLICY_FIELDS.map((f) => ({ ...f }));
  }

  async validate(req: { kind: ValidateKind; value: unknown }): Promise<ValidationResult> {
    const { kind, value } = arg(z.object({ kind: z.enum(['policy', 'radio', 'scenario']), value: z.unknown() }).strict(), req, 'validate');
    const issues = issuesOf(SCHEMAS[kind], value);
    if (issues.length > 0) return { ok: false, issues };
    return { ok: true, value: SCHEMAS[kind].parse(value), issues: [] };
  }

  async saveRadioProfile(req: { value: unknown }) {
    const { value } = arg(z.object({ value: z.unknown() }).strict(), req, 'saveRadioProfile');
    const e = this.service.catalog.saveUserProfile(value);
    return { id: e.value.id, name: e.value.name, description: e.value.description, origin: e.origin, value: e.value };
  }

  async deleteRadioProfile(req: { id: string }) {
    return this.service.catalog.deleteUserProfile(arg(textIdArg, req, 'deleteRadioProfile').id);
  }

  async compare(req: CompareSpec): Promise<CompareView> {
    const spec = arg(compareSpecSchema, req, 'compare');
    if (this.running.has(spec.jobId)) throw new WakeLabError('BUSY', `a comparison with job id ${spec.jobId} is already running`);
    const abort = new AbortController();
    this.running.set(spec.jobId, abort);
    try {
      const r = await this.service.compare(
        {
          policies: spec.policies,
          radio: spec.radio,
          scenario: spec.scenario,
          hours: spec.hours,
          seed: spec.seed,
          store: spec.store,
          timelineS: spec.timelineS ?? DEFAULT_TIMELINE_S,
          signal: abort.signal,
        },
        (done, total) => this.hub.emit('progress', { jobId: spec.jobId, done, total }),
      );
      return {
        comparisonId: r.comparisonId,
        createdAt: r.createdAt,
        radio: r.radio,
        scenario: r.scenario,
        seed: r.seed,
        warnings: r.warnings,
        runs: r.runs.map(({ runId, policy, metrics, detectionS, pareto, timeline }) => ({ runId, policy, metrics, detectionS, pareto, timeline })),
      };
    } finally {
      this.running.delete(spec.jobId);
    }
  }

  async cancel(req: { jobId: string }) {
    const { jobId } = arg(z.object({ jobId: z.string() }).strict(), req, 'cancel');
    const job = this.running.get(jobId);
    job?.abort();
    return job !== undefined;
  }

  async listHistory(req?: { limit?: number }): Promise<HistoryEntry[]> {
    const { limit } = arg(z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(), req, 'listHistory');
    return this.service.history(limit ?? 200);
  }

  async openComparison(req: { id: number }): Promise<CompareView> {
    return reopenComparison(this.service, arg(idArg, req, 'openComparison').id, DEFAULT_TIMELINE_S);
  }

  async deleteComparison(req: { id: number }) {
    return this.service.deleteComparison(arg(idArg, req, 'deleteComparison').id);
  }

  async deleteRun(req: { id: number }) {
    return this.service.deleteRun(arg(idArg, req, 'deleteRun').id);
  }

  async listLabConfigs() {
    return this.live.listLabConfigs();
  }

  async listFleetTemplates() {
    return this.live.listFleetTemplates();
  }

  async liveStatus(): Promise<LiveSnapshot> {
    return this.live.snapshot();
  }

  async startLab(req: { configId: string }): Promise<LiveSnapshot> {
    return this.live.start(arg(z.object({ configId: z.string().regex(ID, 'must be the id of a lab configuration') }).strict(), req, 'startLab').configId);
  }

  async stopLab(): Promise<LiveSnapshot> {
    return this.live.stop();
  }

  async startFleet(req: { templateId: string }): Promise<LiveSnapshot> {
    return this.live.startFleet(arg(z.object({ templateId: z.string().regex(ID, 'must be the id of a fleet template') }).strict(), req, 'startFleet').templateId);
  }

  async stopFleet(): Promise<LiveSnapshot> {
    return this.live.stopFleet();
  }

  async setLivePolicy(req: LivePolicyPatch): Promise<LiveSnapshot> {
    return this.live.setPolicy(req);
  }

  async liveTimeline(req: { client: string; windowS?: number }): Promise<Timeline> {
    const { client, windowS } = arg(z.object({ client: z.string().min(1).max(255), windowS: z.number().finite().min(10, 'must be at least 10 s').max(3600, 'must be at most 3600 s').optional() }).strict(), req, 'liveTimeline');
    return this.live.timeline(client, windowS ?? 600);
  }

  /** Stops every running comparison (the lab is closing). */
  cancelAll(): void {
    for (const job of this.running.values()) job.abort();
  }

  private list(kind: Kind): CatalogList<unknown> {
    const { items, problems } = this.service.list(kind);
    const out: CatalogItem<unknown>[] = items.map((e) => ({ id: e.id, name: e.name, description: e.description, origin: e.origin, value: e.value }));
    return { items: out, problems };
  }
}
