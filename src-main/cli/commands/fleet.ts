/**
 * `wakelab fleet --config fleet.json`: groups of emulated libipsec-style clients against a
 * responder over loopback (docs/fleet.md), until interrupted or `durationS` lab seconds. With a
 * `lab` in the configuration the lab runs in this process too, at the fleet's time scale, and the
 * status lines carry each group's live energy estimate.
 */
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { WakeLabError } from '../../core/errors.ts';
import { fleetGroupOf, fleetIdentity, parseFleetConfig, type FleetConfig } from '../../core/fleet/fleet-config.ts';
import { pskFor } from '../../core/ike/policy.ts';
import type { LabConfig } from '../../core/live/lab-config.ts';
import type { MeterTotals } from '../../core/live/client-meter.ts';
import { Catalog } from '../../node/catalog.ts';
import { readJsonFile } from '../../node/files.ts';
import { fleetPolicies } from '../../node/fleet/policies.ts';
import { runFleet, type GroupStatus } from '../../node/fleet/run-fleet.ts';
import type { RunningLab } from '../../node/live/run-lab.ts';
import { resolveDbPath } from '../../node/store/paths.ts';
import { untilSignal, warn, type GlobalOptions } from '../context.ts';
import { listeningLine, out, readLabConfig, round, startLab } from '../start-lab.ts';

interface Options {
  config: string;
  jsonLog?: boolean;
  statusEvery: string;
  quiet?: boolean;
}

export function registerFleet(program: Command): void {
  program
    .command('fleet')
    .description('run groups of emulated libipsec-style clients against a responder over loopback, each group with its own policy (docs/fleet.md)')
    .requiredOption('--config <file>', 'fleet configuration (JSON; docs/fleet.md)')
    .option('--json-log', 'one JSON object per line instead of text')
    .option('--status-every <s>', 'real seconds between status lines (per group: clients up, reconnects, and with an in-process lab the live J/h)', '5')
    .option('--quiet', 'with an in-process lab: no line per SA event and radio wakeup, only status lines')
    .action(async (opts: Options, cmd: Command) => {
      const every = Number(opts.statusEvery);
      if (!/^\d+(\.\d+)?$/.test(opts.statusEvery) || !(every > 0 && every <= 3600)) throw new WakeLabError('INVALID_ARGUMENT', `--status-every: expected real seconds above 0 (at most 3600), got ${JSON.stringify(opts.statusEvery)}`);
      const fleetFile = resolve(opts.config);
      const label = `fleet configuration ${opts.config}`;
      const cfg = parseFleetConfig(readJsonFile(opts.config), label);
      const policies = fleetPolicies(new Catalog(), cfg, dirname(fleetFile));
      const json = opts.jsonLog === true;
      const stopped = untilSignal();

      let lab: RunningLab | null = null;
      let closeDb = (): void => {};
      let server = cfg.server ?? { address: '127.0.0.1', ikePort: 500, nattPort: 4500 };
      if (cfg.lab) {
        const labPath = resolve(dirname(fleetFile), cfg.lab);
        const labCfg = withFleetSecret(readLabConfig(labPath), cfg, json);
        const file = resolveDbPath(cmd.optsWithGlobals<GlobalOptions>().db);
        const started = await startLab({ ...labCfg, timeScale: cfg.timeScale }, `lab configuration ${labPath}`, file, { json, verbose: false, events: opts.quiet !== true });
        lab = started.lab;
        closeDb = () => started.db.close();
        out(listeningLine(lab, { ...labCfg, timeScale: cfg.timeScale }, file, json));
        const l = labCfg.responder.listen;
        server = cfg.server ?? { address: l.address === '0.0.0.0' ? '127.0.0.1' : l.address, ikePort: lab.responder.ports.ike, nattPort: lab.responder.ports.natt };
      }
      let fleet;
      try {
        fleet = await runFleet(cfg, { policies, server });
      } catch (e) {
        if (lab) await lab.stop();
        closeDb();
        throw e;
      }
      const total = fleet.members.length;
      out(json ? JSON.stringify({ kind: 'fleet', clients: total, server, timeScale: cfg.timeScale, groups: cfg.groups.map((g) => ({ name: g.name, policy: policies.get(g.name)!.id, count: g.count })) }) : `fleet: ${total} clients in ${cfg.groups.length} group(s) against ${server.address}:${server.ikePort}/${server.nattPort}${cfg.timeScale !== 1 ? `, ${cfg.timeScale}x real time` : ''}; Ctrl+C stops`);
      const printStatus = (): void => {
        const groups = fleet.status();
        const live = lab ? byGroup(cfg, lab.totals()) : null;
        const t = lab ? round(lab.now()) : undefined;
        if (json) return out(JSON.stringify({ kind: 'fleet-status', ...(t !== undefined ? { t } : {}), groups: groups.map((g) => ({ ...g, ...(live ? { live: live.get(g.group) ?? null } : {}) })) }));
        for (const g of groups) out(statusLine(g, live?.get(g.group)));
      };
      const timer = setInterval(printStatus, every * 1000);
      const done = cfg.durationS > 0 ? new Promise<void>((r) => setTimeout(r, (cfg.durationS * 1000) / cfg.timeScale)) : new Promise<void>(() => {});
      await Promise.race([stopped, done]);
      clearInterval(timer);
      setTimeout(() => process.exit(0), 10_000).unref();
      printStatus();
      await fleet.stop();
      if (!json) out(`fleet stopped: every client deleted its IKE SA`);
      if (lab) {
        const c = await lab.stop();
        out(json ? JSON.stringify({ kind: 'stopped', lab: lab.labId, ...c.total }) : `lab ${lab.labId} stopped: recorded ${c.total.packets} packets, ${c.total.events} SA events and ${c.total.wakeups} radio wakeups; see \`wakelab sessions list --lab ${lab.labId}\``);
      }
      closeDb();
    });
}

/** The in-process lab lets the fleet in: a wildcard secret for its identities, unless one matches already. */
function withFleetSecret(lab: LabConfig, cfg: FleetConfig, json: boolean): LabConfig {
  const id = fleetIdentity(cfg, cfg.groups[0]!.name, 0);
  const secrets = new Map(lab.responder.secrets.map((s) => [s.id, new TextEncoder().encode(s.psk)]));
  if (pskFor(secrets, id)) return lab;
  const wildcard = `*${cfg.idSuffix}`;
  if (!json) warn(`the lab's responder has no secret for ${id}: adding "${wildcard}" with the fleet's psk for this run`);
  return { ...lab, responder: { ...lab.responder, secrets: [...lab.responder.secrets, { id: wildcard, psk: cfg.psk }] } };
}

interface GroupLive {
  readonly clients: number;
  readonly joulesPerHour: number;
  readonly wakeupsPerHour: number;
}

/** Mean live J/h and radio wakeups/h of each group's clients (by identity). */
function byGroup(cfg: FleetConfig, totals: readonly MeterTotals[]): Map<string, GroupLive> {
  const acc = new Map<string, { n: number; jh: number; wh: number }>();
  for (const t of totals) {
    const group = fleetGroupOf(cfg.idSuffix, t.client);
    if (group === null) continue;
    const a = acc.get(group) ?? { n: 0, jh: 0, wh: 0 };
    a.n++;
    a.jh += t.joulesPerHour;
    a.wh += Object.values(t.wakeupsPerHour).reduce((x, y) => x + y, 0);
    acc.set(group, a);
  }
  return new Map([...acc].map(([g, a]) => [g, { clients: a.n, joulesPerHour: a.jh / a.n, wakeupsPerHour: a.wh / a.n }]));
}

function statusLine(g: GroupStatus, live: GroupLive | undefined): string {
  const data = g.dataSent > 0 ? `, data ${g.dataSent} sent / ${g.dataReplies} echoed` : '';
  const energy = live ? `; live ${live.joulesPerHour.toFixed(1)} J/h, ${live.wakeupsPerHour.toFixed(1)} radio wakeups/h per client` : '';
  return `${g.group} (${g.policy}): ${g.up}/${g.count} up, ${g.connecting} connecting, ${g.down} down, ${g.waiting} not started; ${g.reconnects} reconnects, ${g.keepalives} keepalives${data}${energy}`;
}
