/**
 * The API contract between the UI and the main process: every call the renderer can make and every
 * event it can receive, with plain-data types (structured-clone and JSON safe). One LabService
 * implements it (src-main/node/lab-api.ts); Electron IPC (src-main/app) and the browser-mode bridge
 * (src-main/bridge) expose exactly these calls, one named method each; the CLI uses the same
 * service. The renderer imports this file for types and the two name lists only.
 *
 * Every call takes at most one argument (a plain object) and returns a promise. Errors reach the
 * caller as `ApiError { code, message }` with the service's one-line message.
 */
import type { Cause } from './core/causes.ts';
import type { PolicyFieldDoc } from './core/policy/fields.ts';
import type { Policy } from './core/policy/schema.ts';
import type { RadioProfile } from './core/radio/profile.ts';
import type { Metrics } from './core/sim/metrics.ts';
import type { Scenario } from './core/sim/scenario.ts';

export type { Cause, Metrics, Policy, RadioProfile, Scenario };

/** A definition by built-in (or user profile) id, or given inline (a custom policy, an edited scenario). */
export type DefinitionRef = string | { value: unknown };

export type Origin = 'builtin' | 'user' | 'file' | 'inline';

export interface CatalogItem<T> {
  id: string;
  name: string;
  description: string;
  origin: Origin;
  value: T;
}

export interface CatalogList<T> {
  items: CatalogItem<T>[];
  /** Files that could not be read or validated, one line each; the rest are listed. */
  problems: string[];
}

export interface AppInfo {
  version: string;
  /** Which front end the renderer runs in. */
  mode: 'electron' | 'browser';
  databasePath: string;
  userProfilesDir: string;
}

export interface Issue {
  /** Dotted path of the field, e.g. "client.retransmit.tries"; "" for the whole document. */
  path: string;
  message: string;
}

export type ValidateKind = 'policy' | 'radio' | 'scenario';

export type ValidationResult<T = unknown> = { ok: true; value: T; issues: [] } | { ok: false; issues: Issue[] };

/** What one policy field means, with its equivalents in the clients and daemons users know. */
export type FieldDoc = PolicyFieldDoc;

export interface CompareSpec {
  /** Chosen by the caller; names this comparison in `progress` events and `cancel`. */
  jobId: string;
  policies: DefinitionRef[];
  radio: DefinitionRef;
  scenario: DefinitionRef;
  /** Simulated hours; overrides the scenario's duration. */
  hours?: number;
  seed?: number;
  /** Store the runs (default true). */
  store?: boolean;
  /** Length of the radio-state timeline kept for each policy, s (default 600, at most 3600). */
  timelineS?: number;
}

/** Radio state over the first minutes of a run, and the packets that drove it. */
export interface Timeline {
  untilS: number;
  /** Back-to-back intervals covering [0, untilS]. */
  segments: { startS: number; endS: number; state: string }[];
  packets: { tS: number; up: boolean; bytes: number; cause: Cause }[];
  /** The radio profile's idle and tail state names, in order, for a legend. */
  states: string[];
}

export interface CompareRun {
  runId: number | null;
  policy: Policy;
  metrics: Metrics;
  /** Dead-peer detection latency the Pareto set is made on, s; null = never detected. */
  detectionS: number | null;
  pareto: boolean;
  timeline: Timeline | null;
}

export interface CompareView {
  comparisonId: number | null;
  createdAt: string | null;
  radio: RadioProfile;
  scenario: Scenario;
  seed: number;
  warnings: string[];
  runs: CompareRun[];
}

export interface HistoryEntry {
  kind: 'comparison' | 'run';
  /** Comparison id or run id. */
  id: number;
  createdAt: string;
  radioId: string;
  scenarioId: string;
  durationS: number;
  seed: number;
  policyIds: string[];
}

export interface ProgressEvent {
  jobId: string;
  done: number;
  total: number;
}

/** A lab configuration the Live view can start (docs/lab.md), by id. */
export interface LabConfigItem {
  id: string;
  name: string;
  description: string;
  origin: 'builtin' | 'user';
  /** "127.0.0.1:10500/14500" */
  listen: string;
  timeScale: number;
  radio: string;
}

/** A fleet template (docs/fleet.md), by id. */
export interface FleetTemplateItem {
  id: string;
  name: string;
  description: string;
  origin: 'builtin' | 'user';
  timeScale: number;
  groups: { name: string; policy: string; count: number; traffic: string }[];
}

/** What the Live view's policy controls show and change (docs/lab.md, "Changing the policy"). */
export interface LivePolicy {
  dpd: { delayS: number; retransmit: { timeoutS: number; base: number; tries: number; jitterPct: number; limitS: number } };
  keepaliveS: number;
  /** Default radio profile id, and each client's own. */
  radio: string;
  clients: Record<string, string>;
}

export interface LivePolicyPatch {
  dpd?: { delayS?: number; retransmit?: LivePolicy['dpd']['retransmit'] };
  keepaliveS?: number;
  radio?: string;
  clients?: Record<string, string>;
}

/** One client of the running lab, with its live estimate (lab seconds, joules). */
export interface LiveClientRow {
  client: string;
  /** The fleet group it belongs to, when it is an emulated client. */
  group: string | null;
  radioId: string;
  virtualIp: string | null;
  peer: string | null;
  ikeSas: number;
  childSas: number;
  lastInS: number | null;
  lastOutS: number | null;
  /** The radio's state now, if no packet comes. */
  radioState: string;
  connectedS: number;
  totalJ: number;
  joulesPerHour: number;
  wakeups: Record<Cause, number>;
  wakeupsPerHour: number;
  energyJ: Record<Cause, number>;
  packetsIn: number;
  packetsOut: number;
}

/** A line of the live event stream. */
export interface LiveEventItem {
  /** Increasing: a listener keeps what it has not seen. */
  seq: number;
  t: number;
  client: string | null;
  kind: string;
  cause: Cause | null;
  text: string;
}

export interface LiveFleetGroup {
  group: string;
  policy: string;
  count: number;
  up: number;
  connecting: number;
  down: number;
  waiting: number;
  reconnects: number;
  keepalives: number;
  /** Mean live estimate of the group's clients, null before any is known. */
  joulesPerHour: number | null;
  wakeupsPerHour: number | null;
}

export interface LiveSnapshot {
  running: boolean;
  labConfigId: string | null;
  labName: string | null;
  labId: number | null;
  startedAt: string | null;
  /** Lab time now, s. */
  t: number;
  timeScale: number;
  listen: string | null;
  policy: LivePolicy | null;
  clients: LiveClientRow[];
  /** Rows left out of `clients` (only the first MAX are sent; the totals cover all). */
  moreClients: number;
  fleet: { templateId: string; name: string; groups: LiveFleetGroup[] } | null;
  /** The latest events, oldest first (at most 200). */
  events: LiveEventItem[];
  /**
   * What the lab committed to the database so far, and `held`: packets and ended wakeups estimated
   * and queued but not yet written (a session's wait up to 20 s for their chunk row,
   * docs/database.md), so the first seconds of a lab show them here, not as written.
   */
  recorded: { packets: number; events: number; wakeups: number; held: number };
  /** Where the numbers come from: the gateway sees only the tunnel's packets. */
  vantage: string;
  /** The last commit error, if the database could not be written. */
  storeError: string | null;
}

/** The calls, by name. */
export interface LabApi {
  info(): Promise<AppInfo>;
  listPolicies(): Promise<CatalogList<Policy>>;
  listRadioProfiles(): Promise<CatalogList<RadioProfile>>;
  listScenarios(): Promise<CatalogList<Scenario>>;
  policyFields(): Promise<FieldDoc[]>;
  validate(req: { kind: ValidateKind; value: unknown }): Promise<ValidationResult>;
  /** Creates or replaces a user radio profile; a built-in id is refused. */
  saveRadioProfile(req: { value: unknown }): Promise<CatalogItem<RadioProfile>>;
  deleteRadioProfile(req: { id: string }): Promise<boolean>;
  compare(req: CompareSpec): Promise<CompareView>;
  /** Stops a running comparison; it then fails with code CANCELLED. False if none was running. */
  cancel(req: { jobId: string }): Promise<boolean>;
  listHistory(req?: { limit?: number }): Promise<HistoryEntry[]>;
  openComparison(req: { id: number }): Promise<CompareView>;
  deleteComparison(req: { id: number }): Promise<boolean>;
  deleteRun(req: { id: number }): Promise<boolean>;
  listLabConfigs(): Promise<{ items: LabConfigItem[]; problems: string[] }>;
  listFleetTemplates(): Promise<{ items: FleetTemplateItem[]; problems: string[] }>;
  /** The live lab now (running or not). */
  liveStatus(): Promise<LiveSnapshot>;
  /** Starts the responder and the live estimator with a lab configuration; one lab at a time. */
  startLab(req: { configId: string }): Promise<LiveSnapshot>;
  /** Stops the fleet (if any) and the lab; its sessions stay in the database. */
  stopLab(): Promise<LiveSnapshot>;
  /** Starts emulated clients from a template against the running lab, at the lab's time scale. */
  startFleet(req: { templateId: string }): Promise<LiveSnapshot>;
  stopFleet(): Promise<LiveSnapshot>;
  setLivePolicy(req: LivePolicyPatch): Promise<LiveSnapshot>;
  /** A client's radio states over the last `windowS` lab seconds (default 600), ending now. */
  liveTimeline(req: { client: string; windowS?: number }): Promise<Timeline>;
}

/** The events, by name, with their payloads. */
export interface LabEvents {
  progress: ProgressEvent;
  /** The live lab, about twice a second while it runs, and at every start and stop. */
  live: LiveSnapshot;
}

export type CallName = keyof LabApi;
export type EventName = keyof LabEvents;

/** Every call name, for registering handlers (IPC, bridge) and building clients. */
export const CALLS = [
  'info',
  'listPolicies',
  'listRadioProfiles',
  'listScenarios',
  'policyFields',
  'validate',
  'saveRadioProfile',
  'deleteRadioProfile',
  'compare',
  'cancel',
  'listHistory',
  'openComparison',
  'deleteComparison',
  'deleteRun',
  'listLabConfigs',
  'listFleetTemplates',
  'liveStatus',
  'startLab',
  'stopLab',
  'startFleet',
  'stopFleet',
  'setLivePolicy',
  'liveTimeline',
] as const satisfies readonly CallName[];

export const EVENTS = ['progress', 'live'] as const satisfies readonly EventName[];

/** IPC channel names: one per call, one per event. */
export const callChannel = (name: CallName): string => `wakelab:call:${name}`;
export const eventChannel = (name: EventName): string => `wakelab:event:${name}`;

/** How a failed call reaches the renderer. */
export interface ApiError {
  code: string;
  message: string;
}

/**
 * What travels back for each call over IPC and the bridge: errors as data, because Electron's
 * `invoke` would otherwise flatten them into "Error invoking remote method ...".
 */
export type Envelope<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiError };

/**
 * What the preload exposes as `window.wakelab`: one method per call, each resolving to that
 * call's Envelope (never rejecting: errors crossing Electron's contextBridge keep only their
 * message), and `on` for events, which returns the unsubscribe function.
 */
export type PreloadApi = {
  [K in CallName]: (...args: Parameters<LabApi[K]>) => Promise<Envelope<Awaited<ReturnType<LabApi[K]>>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void;
};

/** Compile-time check that CALLS lists every call exactly (a missing name fails here). */
type Missing = Exclude<CallName, (typeof CALLS)[number]>;
const _allCalls: Missing extends never ? true : never = true;
void _allCalls;
