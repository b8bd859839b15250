/**
 * `wakelab client --config FILE`: WakeLab's IKEv2 initiator. Connects with a pre-shared key, asks
 * for a virtual IP, keeps the SA alive per its client policy (keepalive, DPD, rekeys) and deletes
 * it on SIGINT/SIGTERM or after durationS. One log line per event (--json-log for JSON lines).
 */
import type { Command } from 'commander';
import { WakeLabError } from '../../core/errors.ts';
import { parseClientConfig } from '../../core/ike/client-config.ts';
import { readJsonFile } from '../../node/files.ts';
import { jsonLine, textLine } from '../../node/ike/log-line.ts';
import { runClient } from '../../node/ike/run-client.ts';
import { untilSignal } from '../context.ts';

interface Options {
  config: string;
  jsonLog?: boolean;
}

export function registerClient(program: Command): void {
  program
    .command('client')
    .description('connect to an IKEv2 responder as a libipsec-style client and keep the SA alive until interrupted')
    .requiredOption('--config <file>', 'client configuration (JSON; README "Client configuration")')
    .option('--json-log', 'one JSON object per line instead of text')
    .action(async (opts: Options) => {
      const cfg = parseClientConfig(readJsonFile(opts.config), `client configuration ${opts.config}`);
      const stopped = untilSignal();
      let failed: string | null = null;
      let wake: () => void = () => {};
      const ended = new Promise<void>((r) => (wake = r));
      const write = (line: string): void => void process.stdout.write(line + '\n');
      let client;
      try {
        client = await runClient(cfg, (e, t) => {
          write(opts.jsonLog ? jsonLine(e, t) : textLine(e));
          if (e.kind === 'ike-down' && e.reason !== 'rekeyed') wake();
        });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') throw new WakeLabError('BUSY', `cannot bind ${cfg.local.address} ports ${cfg.local.ikePort}/${cfg.local.nattPort}: in use (is charon running?)`);
        if (code === 'EACCES') throw new WakeLabError('INVALID_ARGUMENT', `cannot bind ports ${cfg.local.ikePort}/${cfg.local.nattPort}: permission denied (ports below 1024 need root)`);
        throw e;
      }
      const poll = setInterval(() => {
        if (client.initiator.phase === 'failed') {
          failed = client.initiator.failure;
          wake();
        }
      }, 50);
      const timer = cfg.durationS > 0 ? setTimeout(wake, cfg.durationS * 1000) : null;
      await Promise.race([stopped, ended]);
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      setTimeout(() => process.exit(failed ? 1 : 0), 7000).unref();
      await client.close();
      if (failed) {
        process.stderr.write(`wakelab: ${failed}\n`);
        process.exitCode = 1;
      }
    });
}
