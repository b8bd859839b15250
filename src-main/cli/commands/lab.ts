/**
 * `wakelab lab --config lab.json`: the responder with the live estimator, headless, until SIGINT
 * or SIGTERM. Every datagram is charged to its client's radio model; each estimated radio wakeup is
 * a log line, and the session recording (packets, SA events, wakeups, running totals) is committed
 * to the database every `commitEveryS` (docs/database.md, docs/lab.md).
 */
import type { Command } from 'commander';
import { WakeLabError } from '../../core/errors.ts';
import type { MeterTotals } from '../../core/live/client-meter.ts';
import { resolveDbPath } from '../../node/store/paths.ts';
import { untilSignal, type GlobalOptions } from '../context.ts';
import { prepareKeysDir } from '../keys-dir.ts';
import { listeningLine, out, readLabConfig, round, startLab } from '../start-lab.ts';

interface Options {
  config: string;
  jsonLog?: boolean;
  verbose?: boolean;
  totalsEvery: string;
  wiresharkKeys?: string;
}

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('run the responder with the live radio estimator, recording each client\'s session to the database, until interrupted (docs/lab.md)')
    .requiredOption('--config <file>', 'lab configuration (JSON; docs/lab.md): the responder\'s configuration and the clients\' radio profiles')
    .option('--json-log', 'one JSON object per line instead of text')
    .option('--verbose', 'also log every IKE exchange and every datagram')
    .option('--wireshark-keys <dir>', 'keep ikev2_decryption_table and esp_sa for the live SAs in DIR (secrets!)')
    .option('--totals-every <s>', 'every S seconds, one line of running totals per client (0: only at the end)', '60')
    .action(async (opts: Options, cmd: Command) => {
      const every = Number(opts.totalsEvery);
      if (!/^\d+(\.\d+)?$/.test(opts.totalsEvery) || !(every >= 0 && every <= 86400)) throw new WakeLabError('INVALID_ARGUMENT', `--totals-every: expected seconds from 0 to 86400, got ${JSON.stringify(opts.totalsEvery)}`);
      const cfg = readLabConfig(opts.config);
      if (opts.wiresharkKeys) prepareKeysDir(opts.wiresharkKeys);
      const file = resolveDbPath(cmd.optsWithGlobals<GlobalOptions>().db);
      const json = opts.jsonLog === true;
      const stopped = untilSignal();
      const { lab, db } = await startLab(cfg, `lab configuration ${opts.config}`, file, { json, verbose: opts.verbose === true, ...(opts.wiresharkKeys ? { wiresharkDir: opts.wiresharkKeys } : {}) });
      out(listeningLine(lab, cfg, file, json));
      if (!json) out('(estimates see only the tunnel\'s own packets, not the phone\'s other traffic: docs/lab.md "Vantage point")');
      const printTotals = (): void => {
        for (const t of lab.totals()) out(json ? JSON.stringify({ kind: 'totals', t: round(lab.now()), ...t }) : totalsLine(t));
      };
      const timer = every > 0 ? setInterval(printTotals, every * 1000) : null;
      await stopped;
      if (timer) clearInterval(timer);
      setTimeout(() => process.exit(0), 5000).unref();
      const c = await lab.stop();
      printTotals();
      db.close();
      out(json ? JSON.stringify({ kind: 'stopped', lab: lab.labId, ...c.total }) : `lab ${lab.labId} stopped: recorded ${c.total.packets} packets, ${c.total.events} SA events and ${c.total.wakeups} radio wakeups`);
    });
}

export function totalsLine(t: MeterTotals): string {
  const by = Object.entries(t.wakeups)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  const n = Object.values(t.wakeups).reduce((a, b) => a + b, 0);
  return `${t.client}: ${n} radio wakeups${by ? ` (${by})` : ''}, ${t.totalJ.toFixed(2)} J over ${t.connectedS.toFixed(0)} s (${t.joulesPerHour.toFixed(1)} J/h), radio now ${t.state}, ${t.packetsIn} packets in, ${t.packetsOut} out`;
}
