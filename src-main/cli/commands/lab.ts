/**
 * `wakelab lab --config lab.json`: the responder with the live estimator, headless, until SIGINT
 * or SIGTERM. Every datagram is charged to its client's radio model; each estimated radio wakeup is
 * a log line, and the session recording (packets, SA events, wakeups, running totals) is committed
 * to the database every `commitEveryS` (docs/database.md, docs/lab.md).
 */
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { MeterTotals } from '../../core/live/client-meter.ts';
import { parseLabConfig } from '../../core/live/lab-config.ts';
import { WakeLabError } from '../../core/errors.ts';
import { readJsonFile } from '../../node/files.ts';
import { jsonLine, textLine } from '../../node/ike/log-line.ts';
import { runLab, type LabRadio, type RunningLab } from '../../node/live/run-lab.ts';
import { Catalog } from '../../node/catalog.ts';
import { dbError, openDatabase } from '../../node/store/open.ts';
import { defaultDataDir, resolveDbPath } from '../../node/store/paths.ts';
import { untilSignal, warn, type GlobalOptions } from '../context.ts';
import { listenError } from '../listen-error.ts';

interface Options {
  config: string;
  jsonLog?: boolean;
  verbose?: boolean;
  totalsEvery: string;
}

const LIFECYCLE = new Set(['ike-up', 'ike-down', 'ike-rekeyed', 'child-up', 'child-down', 'peer-moved', 'ike-restored', 'mid-sync', 'mobike-update', 'dpd-failed']);

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('run the responder with the live radio estimator, recording each client\'s session to the database, until interrupted (docs/lab.md)')
    .requiredOption('--config <file>', 'lab configuration (JSON; docs/lab.md): the responder\'s configuration and the clients\' radio profiles')
    .option('--json-log', 'one JSON object per line instead of text')
    .option('--verbose', 'also log every IKE exchange and every datagram')
    .option('--totals-every <s>', 'every S seconds, one line of running totals per client (0: only at the end)', '60')
    .action(async (opts: Options, cmd: Command) => {
      const every = Number(opts.totalsEvery);
      if (!/^\d+(\.\d+)?$/.test(opts.totalsEvery) || !(every >= 0 && every <= 86400)) throw new WakeLabError('INVALID_ARGUMENT', `--totals-every: expected seconds from 0 to 86400, got ${JSON.stringify(opts.totalsEvery)}`);
      const labFile = resolve(opts.config);
      const cfg = parseLabConfig(readJsonFile(opts.config), `lab configuration ${opts.config}`, (p) => {
        const path = resolve(dirname(labFile), p);
        return { value: readJsonFile(path), label: `responder configuration ${path}` };
      });
      const catalog = new Catalog(undefined, join(defaultDataDir(), 'radio-profiles'));
      const radio = (id: string): LabRadio => {
        if (!catalog.ids('radio').includes(id)) throw new WakeLabError('INVALID_ARGUMENT', `lab configuration ${opts.config}: radio profile "${id}" is unknown; known: ${catalog.ids('radio').join(', ')}`);
        const e = catalog.get('radio', id);
        return { profile: e.value, json: JSON.stringify(e.value) };
      };
      const file = resolveDbPath(cmd.optsWithGlobals<GlobalOptions>().db);
      const { db } = openDatabase(file);
      const json = opts.jsonLog === true;
      const out = (line: string): void => void process.stdout.write(line + '\n');
      const stopped = untilSignal();
      let lab: RunningLab;
      try {
        lab = await runLab(cfg, {
          db,
          radio,
          onEvent: (e, t, o) => {
            if (LIFECYCLE.has(e.kind) || (opts.verbose && e.kind !== 'keepalive')) out(json ? jsonLine(e, t) : `${stamp(t)} ${textLine(e)}`);
            for (const w of o.wakeups) {
              out(json ? JSON.stringify({ kind: 'wakeup', t: round(w.t), client: w.client, n: w.n, cause: w.cause, stateLeft: w.stateLeft }) : `${stamp(w.t)} ${w.client}: radio wakeup #${w.n + 1} (${w.cause}), left ${w.stateLeft}`);
            }
          },
          onCommit: (c, t) => {
            if (json && c.packets + c.events + c.wakeups + c.closed > 0) out(JSON.stringify({ kind: 'commit', t: round(t), ...c }));
          },
          onCommitError: (e) => warn(`could not write to ${file}, will retry: ${(dbError(file, e) as Error).message}`),
        });
      } catch (e) {
        db.close();
        throw listenError(dbError(file, e), cfg.responder);
      }
      const running = lab;
      const l = cfg.responder.listen;
      out(
        json
          ? JSON.stringify({ kind: 'listening', lab: running.labId, db: file, address: l.address, ...running.responder.ports })
          : `lab ${running.labId}: responder listening on ${l.address} ports ${running.responder.ports.ike} and ${running.responder.ports.natt} as "${cfg.responder.localId}"; recording to ${file}`,
      );
      if (!json) out('(estimates see only the tunnel\'s own packets, not the phone\'s other traffic: docs/lab.md "Vantage point")');
      const printTotals = (): void => {
        for (const t of running.totals()) out(json ? JSON.stringify({ kind: 'totals', t: round(running.now()), ...t }) : totalsLine(t));
      };
      const timer = every > 0 ? setInterval(printTotals, every * 1000) : null;
      await stopped;
      if (timer) clearInterval(timer);
      setTimeout(() => process.exit(0), 5000).unref();
      const c = await running.stop();
      printTotals();
      db.close();
      out(json ? JSON.stringify({ kind: 'stopped', lab: running.labId, ...c.total }) : `lab ${running.labId} stopped: recorded ${c.total.packets} packets, ${c.total.events} SA events and ${c.total.wakeups} radio wakeups`);
    });
}

const round = (t: number): number => Math.round(t * 1000) / 1000;
const stamp = (t: number): string => `${t.toFixed(3).padStart(10)} s`;

function totalsLine(t: MeterTotals): string {
  const by = Object.entries(t.wakeups)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const n = Object.values(t.wakeups).reduce((a, b) => a + b, 0);
  return `${t.client}: ${n} radio wakeups${by ? ` (${by})` : ''}, ${t.totalJ.toFixed(2)} J over ${t.connectedS.toFixed(0)} s (${t.joulesPerHour.toFixed(1)} J/h), radio now ${t.state}, ${t.packetsIn} packets in, ${t.packetsOut} out`;
}
