/**
 * `wakelab responder --config FILE`: WakeLab's IKEv2 responder with its ESP data plane, headless,
 * until SIGINT or SIGTERM. Each exchange and SA change is one log line on stdout (JSON lines with
 * --json-log). Keys are never logged; --wireshark-keys DIR keeps Wireshark's key tables for the live
 * SAs in DIR; --snapshot FILE writes the SAs' state (keys included) on SIGUSR1 and on a clean stop,
 * and --restore FILE carries on with the SAs of such a file.
 */
import type { Command } from 'commander';
import { WakeLabError } from '../../core/errors.ts';
import { parseResponderConfig } from '../../core/ike/responder-config.ts';
import { DEFAULT_SEQ_JUMP, parseSnapshot } from '../../core/gateway/snapshot.ts';
import { readJsonFile, writeFileAtomic } from '../../node/files.ts';
import { jsonLine, textLine } from '../../node/ike/log-line.ts';
import { fallbackWarning, runResponder, type RunningResponder } from '../../node/ike/run-responder.ts';
import { untilSignal, warn } from '../context.ts';
import { prepareKeysDir } from '../keys-dir.ts';
import { listenError } from '../../node/ike/listen-error.ts';

interface Options {
  config: string;
  jsonLog?: boolean;
  wiresharkKeys?: string;
  verbose?: boolean;
  snapshot?: string;
  restore?: string;
  seqJump: string;
  statsEvery?: string;
  traffic?: boolean;
}

export function registerResponder(program: Command): void {
  program
    .command('responder')
    .description('run the IKEv2 responder (PSK, virtual IPs, DPD, rekeys) until interrupted; see resources/responder/lab.json')
    .requiredOption('--config <file>', 'responder configuration (JSON; README "Responder configuration")')
    .option('--json-log', 'one JSON object per line instead of text')
    .option('--wireshark-keys <dir>', 'keep ikev2_decryption_table and esp_sa for the live SAs in DIR (secrets!)')
    .option('--verbose', 'also log NAT-T keepalives')
    .option('--traffic', 'also log one line per datagram in and out, with its class (ike-setup, dpd, rekey, delete, keepalive, data, control, invalid)')
    .option('--snapshot <file>', 'write the SAs\' state to FILE on SIGUSR1 and on a clean stop (mode 0600; it holds every key!)')
    .option('--restore <file>', 'carry on with the SAs of a snapshot FILE, without new handshakes')
    .option('--stats-every <s>', 'every S seconds, one line of ESP and virtual-host counters (packets, bytes, drops by reason)')
    .option('--seq-jump <n>', 'with --restore: move outbound ESP sequence numbers forward by N (RFC 6311 idea)', String(DEFAULT_SEQ_JUMP))
    .action(async (opts: Options) => {
      const cfg = parseResponderConfig(readJsonFile(opts.config), `responder configuration ${opts.config}`);
      const seqJump = Number(opts.seqJump);
      if (!/^\d+$/.test(opts.seqJump) || !Number.isSafeInteger(seqJump)) throw new WakeLabError('INVALID_ARGUMENT', `--seq-jump: expected a whole number of packets, got ${JSON.stringify(opts.seqJump)}`);
      const every = opts.statsEvery === undefined ? 0 : Number(opts.statsEvery);
      if (opts.statsEvery !== undefined && !(every > 0 && every <= 86400)) throw new WakeLabError('INVALID_ARGUMENT', `--stats-every: expected seconds above 0 (at most 86400), got ${JSON.stringify(opts.statsEvery)}`);
      const restore = opts.restore ? { snapshot: parseSnapshot(readJsonFile(opts.restore), `snapshot ${opts.restore}`), seqJump } : undefined;
      if (opts.snapshot) warn(`--snapshot: ${opts.snapshot} will hold the SAs' keys; anyone who can read it can decrypt and forge the traffic`);
      if (opts.wiresharkKeys) prepareKeysDir(opts.wiresharkKeys);
      const stopped = untilSignal();
      let running;
      try {
        running = await runResponder(cfg, {
          ...(opts.wiresharkKeys ? { wiresharkDir: opts.wiresharkKeys } : {}),
          ...(restore ? { restore } : {}),
          traffic: opts.traffic === true,
          onEvent: (e, t) => {
            if (e.kind === 'keepalive' && !opts.verbose) return;
            if (e.kind === 'traffic' && !opts.traffic) return;
            process.stdout.write((opts.jsonLog ? jsonLine(e, t) : textLine(e)) + '\n');
          },
        });
      } catch (e) {
        throw listenError(e, cfg);
      }
      const esp = running.espBackend;
      const fallback = fallbackWarning(running);
      if (fallback) warn(fallback);
      const line = `WakeLab responder listening on ${cfg.listen.address} ports ${running.ports.ike} and ${running.ports.natt} as "${cfg.localId}" (ESP: ${esp.name}, ${esp.detail}; receive: ${running.receive.name})`;
      process.stdout.write(opts.jsonLog ? JSON.stringify({ kind: 'listening', address: cfg.listen.address, ...running.ports, espBackend: esp.name, receive: running.receive.name }) + '\n' : line + '\n');
      const live = running;
      const save = (): void => {
        if (!opts.snapshot) return;
        const snap = live.snapshot();
        writeFileAtomic(opts.snapshot, JSON.stringify(snap, null, 1) + '\n', 0o600);
        process.stdout.write(opts.jsonLog ? JSON.stringify({ kind: 'snapshot', file: opts.snapshot, ikeSas: snap.ikeSas.length }) + '\n' : `wrote a snapshot of ${snap.ikeSas.length} IKE SA(s) to ${opts.snapshot}\n`);
      };
      const stats = every > 0 ? setInterval(() => process.stdout.write(statsLine(live, opts.jsonLog === true) + '\n'), every * 1000) : null;
      const onUsr1 = (): void => {
        try {
          save();
        } catch (e) {
          warn((e as Error).message);
        }
      };
      process.on('SIGUSR1', onUsr1);
      await stopped;
      if (stats) clearInterval(stats);
      process.off('SIGUSR1', onUsr1);
      setTimeout(() => process.exit(0), 2000).unref();
      save();
      await running.close();
    });
}

/** ESP totals and the virtual host's counters, as one log line. */
function statsLine(r: RunningResponder, json: boolean): string {
  const esp = r.gateway.dataPlane.counters().total;
  const host = r.gateway.host.counters;
  const drops = (d: Record<string, number>) => Object.fromEntries(Object.entries(d).filter(([, n]) => n > 0));
  const o = { kind: 'stats', esp: { packetsIn: esp.packetsIn, bytesIn: esp.bytesIn, packetsOut: esp.packetsOut, bytesOut: esp.bytesOut, dropsIn: drops(esp.dropsIn), dropsOut: drops(esp.dropsOut) }, host: { ...host, drops: drops(host.drops) } };
  if (json) return JSON.stringify(o);
  return `ESP in ${esp.packetsIn} packets (${esp.bytesIn} B), out ${esp.packetsOut} (${esp.bytesOut} B), drops ${JSON.stringify(o.esp.dropsIn)}; virtual host: ${host.icmpEchoReplies} echo replies, ${host.udpEchoReplies} UDP echoes, ${host.udpDiscarded} discarded, ${host.pushed} pushed`;
}
