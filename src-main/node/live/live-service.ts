/**
 * The live lab inside the app (the Live view; contract.ts `startLab` and friends): at most one
 * lab (run-lab.ts) and one fleet (node/fleet/run-fleet.ts) at a time, a stream of recent events,
 * and snapshots of every client's live estimate, sent to the UI at most twice a second whatever
 * the traffic, so hundreds of clients do not flood it.
 */
import { join } from 'node:path';
import type { Cause } from '../../core/causes.ts';
import type { FleetTemplateItem, LabConfigItem, LiveClientRow, LiveEventItem, LiveFleetGroup, LivePolicyPatch, LiveSnapshot, Timeline } from '../../contract.ts';
import { WakeLabError } from '../../core/errors.ts';
import { fleetGroupOf, fleetIdentity } from '../../core/fleet/fleet-config.ts';
import { pskFor } from '../../core/ike/policy.ts';
import type { IkeEvent } from '../../core/ike/io.ts';
import { wakeupText, type MeterTotals } from '../../core/live/client-meter.ts';
import type { LiveOutput } from '../../core/live/estimator.ts';
import { parseLabPolicyPatch } from '../../core/live/lab-config.ts';
import { liveTimeline } from '../../core/live/live-timeline.ts';
import { formatIpv4 } from '../../core/net/ipv4.ts';
import type { Catalog } from '../catalog.ts';
import { fleetPolicies } from '../fleet/policies.ts';
import { runFleet, type RunningFleet } from '../fleet/run-fleet.ts';
import { isLifecycle, textLine } from '../ike/log-line.ts';
import { listenError } from '../ike/listen-error.ts';
import { dbError, openDatabase } from '../store/open.ts';
import { LabCatalog } from './lab-catalog.ts';
import { runLab, type RunningLab } from './run-lab.ts';
import { VANTAGE_NOTE } from './session-export.ts';

/** Snapshots to the UI while a lab runs, real milliseconds. */
const SNAPSHOT_EVERY_MS = 500;
/** Client rows per snapshot (the rest are counted in `moreClients`). */
const MAX_ROWS = 500;
const MAX_EVENTS = 200;

export interface LiveServiceOptions {
  readonly catalog: Catalog;
  readonly dataDir: string;
  readonly databasePath: string;
  /** Where snapshots go (the event hub's `live`). */
  readonly emit: (s: LiveSnapshot) => void;
}

interface Running {
  readonly configId: string;
  readonly name: string;
  readonly lab: RunningLab;
  readonly close: () => void;
  readonly startedAt: string;
  readonly timeScale: number;
  readonly listen: string;
  readonly psk: Map<string, Uint8Array>;
  fleet: { readonly templateId: string; readonly name: string; readonly run: RunningFleet; readonly idSuffix: string } | null;
  storeError: string | null;
  recorded: LiveSnapshot['recorded'];
}

export class LiveService {
  readonly labs: LabCatalog;
  private running: Running | null = null;
  private readonly events: LiveEventItem[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private readonly o: LiveServiceOptions) {
    this.labs = new LabCatalog(o.dataDir);
  }

  listLabConfigs(): { items: LabConfigItem[]; problems: string[] } {
    const { items, problems } = this.labs.labs();
    return {
      items: items.map((e) => {
        const l = e.config.responder.listen;
        return { id: e.id, name: e.name, description: e.description, origin: e.origin, listen: `${l.address}:${l.ikePort}/${l.nattPort}`, timeScale: e.config.timeScale, radio: e.config.radio };
      }),
      problems,
    };
  }

  listFleetTemplates(): { items: FleetTemplateItem[]; problems: string[] } {
    const { items, problems } = this.labs.fleets();
    return {
      items: items.map((e) => ({
        id: e.id,
        name: e.name,
        description: e.description,
        origin: e.origin,
        timeScale: e.config.timeScale,
        groups: e.config.groups.map((g) => ({ name: g.name, policy: g.policy, count: g.count, traffic: g.traffic.kind === 'idle' ? 'idle' : `${g.traffic.bytes} B every ${g.traffic.everyS} s${g.traffic.echo ? ', echoed' : ''}` })),
      })),
      problems,
    };
  }

  async start(configId: string): Promise<LiveSnapshot> {
    return this.exclusive(async () => {
      if (this.running) throw new WakeLabError('BUSY', `a lab is running already (${this.running.name}); stop it first`);
      const entry = this.labs.lab(configId);
      const cfg = entry.config;
      const { db } = openDatabase(this.o.databasePath);
      let lab: RunningLab;
      try {
        lab = await runLab(cfg, {
          db,
          radio: (id) => {
            const e = this.o.catalog.get('radio', id);
            return { profile: e.value, json: JSON.stringify(e.value) };
          },
          onEvent: (e, t, out) => this.onEvent(e, t, out),
          onWakeups: (ws) => {
            for (const w of ws) this.note(w.t, w.client, 'wakeup', w.cause, wakeupText(w));
          },
          onCommit: (c) => {
            if (this.running) {
              this.running.recorded = { ...c.total, held: c.held };
              this.running.storeError = null;
            }
          },
          onCommitError: (e) => {
            if (this.running) this.running.storeError = (dbError(this.o.databasePath, e) as Error).message;
          },
        });
      } catch (e) {
        db.close();
        if (e instanceof WakeLabError) throw e;
        throw listenError(dbError(this.o.databasePath, e), cfg.responder);
      }
      const l = cfg.responder.listen;
      this.events.length = 0;
      this.running = {
        configId,
        name: entry.name,
        lab,
        close: () => db.close(),
        startedAt: new Date().toISOString(),
        timeScale: cfg.timeScale,
        listen: `${l.address}:${lab.responder.ports.ike}/${lab.responder.ports.natt}`,
        psk: new Map(cfg.responder.secrets.map((s) => [s.id, new TextEncoder().encode(s.psk)])),
        fleet: null,
        storeError: null,
        recorded: { packets: 0, events: 0, wakeups: 0, held: 0 },
      };
      this.note(0, null, 'lab', null, `lab ${lab.labId} started: ${entry.name}, listening on ${this.running.listen}${cfg.timeScale !== 1 ? `, ${cfg.timeScale}x real time` : ''}`);
      this.timer = setInterval(() => this.o.emit(this.snapshot()), SNAPSHOT_EVERY_MS);
      return this.publish();
    });
  }

  async stop(): Promise<LiveSnapshot> {
    return this.exclusive(async () => {
      const r = this.running;
      if (!r) return this.publish();
      if (r.fleet) await this.stopFleetNow(r);
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      const c = await r.lab.stop();
      r.close();
      this.running = null;
      this.note(0, null, 'lab', null, `lab ${r.lab.labId} stopped: recorded ${c.total.packets} packets, ${c.total.events} SA events, ${c.total.wakeups} radio wakeups`);
      return this.publish();
    });
  }

  async startFleet(templateId: string): Promise<LiveSnapshot> {
    return this.exclusive(async () => {
      const r = this.running;
      if (!r) throw new WakeLabError('INVALID_ARGUMENT', 'start a lab first: a fleet connects to the running lab');
      if (r.fleet) throw new WakeLabError('BUSY', `a fleet is running already (${r.fleet.name}); stop it first`);
      const t = this.labs.fleet(templateId);
      const cfg = { ...t.config, timeScale: r.timeScale };
      const id = fleetIdentity(cfg, cfg.groups[0]!.name, 0);
      const key = pskFor(r.psk, id);
      if (!key || new TextDecoder().decode(key) !== cfg.psk) throw new WakeLabError('INVALID_ARGUMENT', `the running lab has no pre-shared key matching the fleet's for ${id}: add { "id": "*${cfg.idSuffix}", "psk": ... } with the fleet's psk to its responder's secrets`);
      const policies = fleetPolicies(this.o.catalog, cfg, join(t.path, '..'));
      const [address, ports] = r.listen.split(':') as [string, string];
      const [ikePort, nattPort] = ports.split('/').map(Number) as [number, number];
      const run = await runFleet(cfg, { policies, server: { address: address === '0.0.0.0' ? '127.0.0.1' : address, ikePort, nattPort } });
      r.fleet = { templateId, name: t.name, run, idSuffix: cfg.idSuffix };
      this.note(r.lab.now(), null, 'fleet', null, `fleet "${t.name}" started: ${run.members.length} emulated clients in ${cfg.groups.length} groups`);
      return this.publish();
    });
  }

  async stopFleet(): Promise<LiveSnapshot> {
    return this.exclusive(async () => {
      const r = this.running;
      if (r?.fleet) await this.stopFleetNow(r);
      return this.publish();
    });
  }

  setPolicy(patch: LivePolicyPatch): LiveSnapshot {
    const r = this.running;
    if (!r) throw new WakeLabError('INVALID_ARGUMENT', 'no lab is running');
    r.lab.setPolicy(parseLabPolicyPatch(patch, 'setLivePolicy'));
    return this.publish();
  }

  timeline(client: string, windowS: number): Timeline {
    const r = this.running;
    const meter = r?.lab.estimator.meter(client);
    if (!r || !meter) throw new WakeLabError('NOT_FOUND', `no client "${client}" in the running lab`);
    return liveTimeline(meter, r.lab.now(), windowS);
  }

  snapshot(): LiveSnapshot {
    const r = this.running;
    const base = { vantage: VANTAGE_NOTE, events: this.events.slice(-MAX_EVENTS) };
    if (!r) return { ...base, running: false, labConfigId: null, labName: null, labId: null, startedAt: null, t: 0, timeScale: 1, listen: null, policy: null, clients: [], moreClients: 0, fleet: null, recorded: { packets: 0, events: 0, wakeups: 0, held: 0 }, storeError: null };
    const t = r.lab.now();
    const totals = r.lab.estimator.totals(t);
    const policy = r.lab.policy();
    const rows = this.rows(r, totals, policy.radio, policy.clients);
    return {
      ...base,
      running: true,
      labConfigId: r.configId,
      labName: r.name,
      labId: r.lab.labId,
      startedAt: r.startedAt,
      t,
      timeScale: r.timeScale,
      listen: r.listen,
      policy: { dpd: { delayS: policy.dpd.delayS, retransmit: { ...policy.dpd.retransmit } }, keepaliveS: policy.keepaliveS, radio: policy.radio, clients: { ...policy.clients } },
      clients: rows.slice(0, MAX_ROWS),
      moreClients: Math.max(0, rows.length - MAX_ROWS),
      fleet: r.fleet ? { templateId: r.fleet.templateId, name: r.fleet.name, groups: this.groups(r, rows) } : null,
      recorded: r.recorded,
      storeError: r.storeError,
    };
  }

  /** Stops everything (the app is closing). */
  async close(): Promise<void> {
    await this.stop();
  }

  private rows(r: Running, totals: readonly MeterTotals[], radio: string, clients: Record<string, string>): LiveClientRow[] {
    const sas = new Map<string, { ike: number; child: number; vip: string | null; peer: string }>();
    for (const sa of r.lab.responder.responder.ikeSas) {
      if (sa.state !== 'established' || !sa.peerId) continue;
      const s = sas.get(sa.peerId) ?? { ike: 0, child: 0, vip: null, peer: '' };
      s.ike++;
      s.child += sa.children.length;
      if (sa.virtualIp !== null) s.vip = formatIpv4(sa.virtualIp);
      s.peer = `${sa.peer.address}:${sa.peer.port}`;
      sas.set(sa.peerId, s);
    }
    const suffix = r.fleet?.idSuffix;
    return totals
      .map((m) => {
        const s = sas.get(m.client);
        const wakeups = Object.values(m.wakeupsPerHour).reduce((a, b) => a + b, 0);
        return {
          client: m.client,
          group: suffix === undefined ? null : fleetGroupOf(suffix, m.client),
          radioId: clients[m.client] ?? radio,
          virtualIp: s?.vip ?? null,
          peer: s?.peer ?? null,
          ikeSas: s?.ike ?? 0,
          childSas: s?.child ?? 0,
          lastInS: m.lastIn,
          lastOutS: m.lastOut,
          radioState: m.state,
          connectedS: m.connectedS,
          totalJ: m.totalJ,
          joulesPerHour: m.joulesPerHour,
          wakeups: m.wakeups,
          wakeupsPerHour: wakeups,
          energyJ: m.energyJ,
          packetsIn: m.packetsIn,
          packetsOut: m.packetsOut,
        };
      })
      .sort((a, b) => a.client.localeCompare(b.client, 'en', { numeric: true }));
  }

  private groups(r: Running, rows: readonly LiveClientRow[]): LiveFleetGroup[] {
    return r.fleet!.run.status().map((g) => {
      const mine = rows.filter((x) => x.group === g.group);
      const mean = (f: (x: LiveClientRow) => number) => (mine.length > 0 ? mine.reduce((a, x) => a + f(x), 0) / mine.length : null);
      return { group: g.group, policy: g.policy, count: g.count, up: g.up, connecting: g.connecting, down: g.down, waiting: g.waiting, reconnects: g.reconnects, keepalives: g.keepalives, joulesPerHour: mean((x) => x.joulesPerHour), wakeupsPerHour: mean((x) => x.wakeupsPerHour) };
    });
  }

  private onEvent(e: IkeEvent, t: number, out: LiveOutput): void {
    for (const x of out.events) if (isLifecycle(x.event)) this.note(t, x.client, x.event.kind, null, textLine(x.event));
    if (e.kind === 'policy-changed' && out.events.length === 0) this.note(t, null, e.kind, null, textLine(e));
  }

  private note(t: number, client: string | null, kind: string, cause: Cause | null, text: string): void {
    this.events.push({ seq: ++this.seq, t, client, kind, cause, text });
    if (this.events.length > MAX_EVENTS * 2) this.events.splice(0, this.events.length - MAX_EVENTS);
  }

  private async stopFleetNow(r: Running): Promise<void> {
    const f = r.fleet!;
    await f.run.stop();
    r.fleet = null;
    this.note(r.lab.now(), null, 'fleet', null, `fleet "${f.name}" stopped: every client deleted its IKE SA`);
  }

  private publish(): LiveSnapshot {
    const s = this.snapshot();
    this.o.emit(s);
    return s;
  }

  /** One start or stop at a time (a double click must not start two labs). */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new WakeLabError('BUSY', 'the lab is starting or stopping; try again in a moment');
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }
}
