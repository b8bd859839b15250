/**
 * Child processes for the interop harness: bounded one-shot commands (`run`) and tracked
 * long-running processes (`startTracked`) that are stopped by their own PID only (SIGTERM, a
 * bounded wait, then SIGKILL). Every process still tracked when the worker exits is SIGKILLed
 * synchronously, so a crashed test does not leave daemons behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface RunOptions {
  /** Kill the command (SIGKILL) after this many milliseconds; default 10 s. */
  timeoutMs?: number;
  /** Text written to stdin (stdin is closed either way). */
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Throw when the command exits non-zero, is killed or times out; default true. */
  check?: boolean;
}

export interface RunResult {
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export class CommandError extends Error {
  constructor(readonly result: RunResult) {
    const why = result.timedOut ? 'timed out' : result.signal ? `killed by ${result.signal}` : `exited ${result.code}`;
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-8).join('\n');
    super(`${result.argv.join(' ')}: ${why} after ${Math.round(result.ms)} ms${detail ? `\n${detail}` : ''}`);
  }
}

/** Runs argv (no shell) and collects its output; bounded by `timeoutMs`. */
export function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = { argv, code, signal, stdout, stderr, timedOut, ms: performance.now() - t0 };
      if ((opts.check ?? true) && (code !== 0 || timedOut)) reject(new CommandError(result));
      else resolve(result);
    });
  });
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running process this harness started; stdout and stderr go to `logPath`. */
export class Tracked {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;

  constructor(
    readonly name: string,
    readonly argv: string[],
    readonly logPath: string,
    child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name}: spawn failed (${argv[0]})`);
    this.pid = child.pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        resolve(this.exitInfo);
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  get exit(): ExitInfo | null {
    return this.exitInfo;
  }

  /**
   * SIGTERM, wait up to `graceMs`, then SIGKILL and wait up to `killWaitMs`. Resolves with how it
   * ended; `stopped` is false only if the process survived both (it is then reported, not hidden).
   */
  async stop(graceMs = 3000, killWaitMs = 2000): Promise<{ stopped: boolean; killed: boolean }> {
    if (!this.running) return { stopped: true, killed: false };
    signalPid(this.pid, 'SIGTERM');
    if (await within(this.exited, graceMs)) return { stopped: true, killed: false };
    signalPid(this.pid, 'SIGKILL');
    return { stopped: await within(this.exited, killWaitMs), killed: true };
  }
}

/** Processes started here and not yet seen exiting. */
const live = new Set<Tracked>();

/** Starts argv with stdin closed and stdout+stderr appended to `logPath`. */
export function startTracked(name: string, argv: string[], logPath: string, env?: NodeJS.ProcessEnv): Tracked {
  const fd = openSync(logPath, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), { env: env ?? process.env, stdio: ['ignore', fd, fd] });
    child.on('error', () => {}); // reported through `exited` / the spawn check below
    const tracked = new Tracked(name, argv, logPath, child);
    live.add(tracked);
    installExitHook();
    return tracked;
  } finally {
    closeSync(fd);
  }
}

/** Sends `signal` to `pid` (a process this harness started); a process already gone is fine. */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** True when `p` settles within `ms`. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `everyMs` until it returns a value other than undefined; bounded. */
export async function pollFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** True when a process with this PID exists (signal 0). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const exitHooks: Array<() => void> = [];
let exitHookInstalled = false;

/**
 * Registers synchronous last-resort cleanup for worker exit (namespaces, see netns.ts). Tracked
 * processes still alive at exit are SIGKILLed by PID first.
 */
export function onWorkerExit(hook: () => void): void {
  exitHooks.push(hook);
  installExitHook();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const t of live) signalPid(t.pid, 'SIGKILL');
    for (const h of exitHooks) {
      try {
        h();
      } catch {
        // best effort at exit
      }
    }
  });
}
