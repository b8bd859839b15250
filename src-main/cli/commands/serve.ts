/**
 * `wakelab serve`: browser mode. The lab and the built renderer on a loopback HTTP + WebSocket
 * bridge (src-main/bridge, docs/browser-mode.md), until SIGINT or SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startBridge } from '../../bridge/server.ts';
import { isLoopback } from '../../bridge/security.ts';
import { WakeLabError } from '../../core/errors.ts';
import { createLab } from '../../node/lab.ts';
import { untilSignal, warn, type GlobalOptions } from '../context.ts';

interface Options {
  port: number;
  host?: string;
}

/** The renderer `npm run build` writes (out/renderer), or $WAKELAB_RENDERER_DIR (tests, packaging). */
export function rendererDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.WAKELAB_RENDERER_DIR ? resolve(env.WAKELAB_RENDERER_DIR) : fileURLToPath(new URL('../../../out/renderer/', import.meta.url));
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n > 65535) {
    throw new WakeLabError('INVALID_ARGUMENT', `--port must be an integer from 0 to 65535 (got "${value}")`);
  }
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the lab in your browser: serves the UI and its API on 127.0.0.1 and prints the URL to open')
    .option('--port <N>', 'TCP port; 0 picks any free port', parsePort, 0)
    .option('--host <address>', 'address to listen on instead of 127.0.0.1 (makes the lab reachable from other machines)')
    .action(async (opts: Options, cmd: Command) => {
      const dir = rendererDir();
      if (!existsSync(join(dir, 'index.html'))) {
        throw new WakeLabError('NOT_FOUND', `no built UI in ${dir}: run \`npm run build\` first`);
      }
      const host = opts.host ?? '127.0.0.1';
      const stopped = untilSignal(); // from now on, so a Ctrl-C during start-up still shuts down cleanly
      const lab = createLab({ db: cmd.optsWithGlobals<GlobalOptions>().db, mode: 'browser' });
      let bridge;
      try {
        bridge = await startBridge({ api: lab.api, hub: lab.hub, rendererDir: dir, host, port: opts.port });
      } catch (e) {
        await lab.close();
        throw e;
      }
      if (opts.host !== undefined && !isLoopback(opts.host)) {
        warn(`--host ${opts.host}: the lab is reachable from other machines (anyone with the printed URL can use it)`);
      }
      process.stdout.write(`WakeLab is running at ${bridge.url}\n`);
      await stopped;
      // Should anything hold the shutdown or the event loop open, do not hang: exit after 2 s.
      setTimeout(() => process.exit(0), 2000).unref();
      await bridge.close();
      await lab.close();
    });
}
