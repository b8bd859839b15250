/**
 * `wakelab serve` as the user runs it, in a child process with its own temp database and data
 * folder; stopped by its PID only. The renderer must have been built (`npm test` builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/wakelab.js');

export interface Served {
  url: string;
  origin: string;
  dir: string;
  db: string;
  child: ChildProcess;
  /** Milliseconds from spawning to the URL line. */
  startMs: number;
  stop(): Promise<void>;
}

export interface ServeOptions {
  timeoutMs?: number;
  /**
   * Called with the server's data folder (`$XDG_CONFIG_HOME/wakelab`, created empty) before it
   * starts, to put user files there: `labs/`, `fleets/`, `radio-profiles/`.
   */
  prepare?: (dataDir: string) => void | Promise<void>;
}

export async function startServe(opts: ServeOptions = {}): Promise<Served> {
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) throw new Error('e2e: out/renderer is not built; run npm run build (npm test does)');
  const dir = mkdtempSync(join(tmpdir(), 'wakelab-e2e-'));
  const db = join(dir, 'lab.db');
  if (opts.prepare) {
    const dataDir = join(dir, 'config', 'wakelab');
    mkdirSync(dataDir, { recursive: true });
    await opts.prepare(dataDir);
  }
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], {
    env: { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), WAKELAB_DB: db },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`wakelab serve printed no URL within ${opts.timeoutMs ?? 20_000} ms; stderr: ${stderr}`)), opts.timeoutMs ?? 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /WakeLab is running at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wakelab serve exited with ${code}; stderr: ${stderr}`));
    });
  });
  const startMs = performance.now() - t0;
  return {
    url,
    origin: new URL(url).origin,
    dir,
    db,
    child,
    startMs,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
