/**
 * IKE handshakes per second and memory per SA (`npm run bench -- --only=ike`; needs root for the
 * charon half). The same load, in the same run, against two responders on loopback:
 *
 * - WakeLab: `node bin/wakelab.js responder --config <generated>` on 127.0.0.1:15500/15501, one
 *   PSK per client identity, DPD and rekeys off, cookies never asked for; started with
 *   `--inspect=127.0.0.1:0` so that the benchmark can force a GC and read process.memoryUsage().
 * - charon 5.9 (kernel-libipsec, openssl, Debian's 16 worker threads) in a namespace of its own on
 *   127.0.0.1:500/4500 of that namespace, one connection for `%any` with one PSK, the same
 *   proposals, a virtual-IP pool, DPD and rekeys off, its DoS thresholds raised (ike/charon-ns.ts).
 *
 * The load comes from ike/driver.ts, a separate process (in charon's namespace for charon): 32
 * handshakes (IKE_SA_INIT + IKE_AUTH with a virtual IP and a CHILD_SA) in flight, fresh WakeLab
 * Initiators, distinct identities. First `warmup` handshakes (untimed, and deleted again, so both
 * responders start the timed run warm and with an empty table; the responder is measured at rest
 * after them), then as many again (untimed, deleted: the forced GC of that measurement makes V8
 * drop optimized code), then `total` timed ones; the rate is reported over the first `rateCount` and
 * over all of them, and memory per SA is (at rest after the timed ones - at rest before) / total.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pollFor, sleep, startTracked, type Tracked } from '../interop/support/proc.ts';
import { CharonNs, charonPrereq } from './ike/charon-ns.ts';
import { summarizeCpuProfile } from './ike/cpu-profile.ts';
import type { Checkpoint, DriverConfig, DriverDone } from './ike/driver.ts';
import { gcAndMeasure, inspectorUrl, type LiveMemory } from './ike/inspector.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/wakelab.js');
const DRIVER = join(ROOT, 'test/bench/ike/driver.ts');
const WHAT_IF = join(ROOT, 'test/bench/ike/responder-node-crypto.ts');

export const IKE = {
  localId: 'gw.wakelab',
  psk: 'bench-psk-not-a-secret',
  ikeProposal: 'aes128-sha256-prfsha256-curve25519',
  espProposal: 'aes128-sha256',
  pool: '10.64.0.0/16',
  localTs: '198.18.100.0/24',
  protectedHost: '198.18.100.1',
  wakelabPorts: { ike: 15500, natt: 15501 },
} as const;

export interface IkeBenchConfig {
  warmup: number;
  total: number;
  /** The headline rate is over the first rateCount timed handshakes. */
  rateCount: number;
  concurrency: number;
  checkpointEvery: number;
  /** charon.threads (Debian's default 16). */
  charonThreads: number;
  /** charon.ikesa_table_size / _segments (strongSwan's defaults: 1, 1). */
  charonTable: { size: number; segments: number };
  /** Write a CPU profile of WakeLab's responder here (`--cpu-prof`) and summarize it. */
  cpuProfDir?: string;
  /** Also run the what-if: the same Responder with node:crypto (ike/responder-node-crypto.ts). */
  whatIf?: boolean;
}

export interface MemoryAtRest {
  rss: number;
  /** WakeLab only: process.memoryUsage() after two forced full GCs. */
  live?: LiveMemory;
  /** charon only: glibc malloc's "used" as `swanctl --stats` reports it. */
  mallocUsed?: number | null;
}

export interface TargetResult {
  name: string;
  pid: number;
  notes: string[];
  done: DriverDone;
  /** Handshakes per second over the first rateCount timed handshakes, and over all. */
  rateFirst: number;
  rateAll: number;
  /** Responder CPU per handshake, ms (all threads), over the same two spans. */
  cpuMsFirst: number;
  cpuMsAll: number;
  /** Cores the responder and the driver kept busy over the first span. */
  responderCores: number;
  driverCores: number;
  blocks: { from: number; to: number; rate: number; cpuMs: number }[];
  before: MemoryAtRest;
  after: MemoryAtRest;
  /** SAs the responder holds at the end (its own count), with CHILD_SAs from its log. */
  ikeSas: number;
  childSas: number;
  load: { start: number; end: number };
  profile?: string;
}

export interface IkeBenchResult {
  wakelab: TargetResult;
  charon: TargetResult | { skipped: string };
  whatIf?: TargetResult;
}

const vmRss = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

/** The driver as a child process with JSON lines out and commands in. */
export class Driver {
  private readonly queue: Record<string, unknown>[] = [];
  private waiter: (() => void) | null = null;
  private stderr = '';
  private exited = false;
  private readonly killOnExit = (): void => {
    if (this.exited || !this.child.pid) return;
    try {
      process.kill(this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  private constructor(private readonly child: ChildProcess) {
    process.once('exit', this.killOnExit);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (!l.startsWith('{')) return;
      this.queue.push(JSON.parse(l) as Record<string, unknown>);
      this.waiter?.();
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    child.on('exit', () => {
      this.exited = true;
      process.off('exit', this.killOnExit);
      this.waiter?.();
    });
  }

  static start(argvPrefix: readonly string[], cfg: DriverConfig): Driver {
    const argv = [...argvPrefix, process.execPath, '--import', 'tsx', DRIVER, JSON.stringify(cfg)];
    return new Driver(spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** The next message of this kind (earlier ones of other kinds are passed to onOther). */
  async next<T>(kind: string, timeoutMs: number, onOther: (m: Record<string, unknown>) => void = () => {}): Promise<T> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      while (this.queue.length > 0) {
        const m = this.queue.shift()!;
        if (m.kind === 'error') throw new Error(`IKE driver: ${String(m.message)}`);
        if (m.kind === kind) return m as T;
        onOther(m);
      }
      if (this.exited) throw new Error(`IKE driver exited before '${kind}'${this.stderr ? `: ${this.stderr.trim().split('\n').slice(-6).join('\n')}` : ''}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`IKE driver: no '${kind}' within ${timeoutMs / 1000} s`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, left);
        this.waiter = () => {
          clearTimeout(t);
          ok();
        };
      });
      this.waiter = null;
    }
  }

  send(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.stdin!.end();
    const gone = new Promise<void>((ok) => this.child.once('exit', () => ok()));
    if (!(await Promise.race([gone.then(() => true), sleep(5000).then(() => false)]))) {
      this.child.kill('SIGKILL');
      await gone;
    }
  }
}

export function driverConfig(c: IkeBenchConfig, peer: DriverConfig['peer'], local: string, watchPid: number): DriverConfig {
  return {
    peer,
    local,
    warmup: c.warmup,
    rewarm: c.warmup,
    total: c.total,
    concurrency: c.concurrency,
    remoteId: IKE.localId,
    psk: IKE.psk,
    ikeProposal: IKE.ikeProposal,
    espProposal: IKE.espProposal,
    remoteTs: { start: '198.18.100.0', end: '198.18.100.255' },
    watchPid,
    checkpointEvery: c.checkpointEvery,
  };
}

/** Warm-up, measure at rest, the timed handshakes, measure at rest again. */
async function drive(
  c: IkeBenchConfig,
  driver: Driver,
  measure: () => Promise<MemoryAtRest>,
  log: (l: string) => void,
): Promise<{ done: DriverDone; before: MemoryAtRest; after: MemoryAtRest }> {
  await driver.next('ready', 30_000);
  const warm = await driver.next<{ failures: number }>('warm', 120_000);
  if (warm.failures > 0) throw new Error(`${warm.failures} warm-up handshakes failed`);
  await sleep(1000);
  const before = await measure();
  driver.send('go');
  const done = await driver.next<DriverDone>('done', 1_800_000, (m) => {
    if (m.kind === 'checkpoint' && (m.n as number) % c.rateCount === 0) log(`    ${m.n as number} handshakes, ${(m.t as number).toFixed(1)} s`);
  });
  await driver.stop();
  await sleep(2000);
  const after = await measure();
  return { done, before, after };
}

function summarize(name: string, c: IkeBenchConfig, pid: number, run: { done: DriverDone; before: MemoryAtRest; after: MemoryAtRest }, extra: Pick<TargetResult, 'notes' | 'ikeSas' | 'childSas' | 'load' | 'profile'>): TargetResult {
  const cps = run.done.checkpoints;
  const at = (n: number): Checkpoint => cps.find((p) => p.n === n) ?? cps[cps.length - 1]!;
  const first = at(c.rateCount);
  const last = cps[cps.length - 1]!;
  const blocks: TargetResult['blocks'] = [];
  let prev: Checkpoint = { n: 0, t: 0, responderCpuS: 0, driverCpuS: 0 };
  const blockSize = c.total >= 5 * c.rateCount ? c.rateCount : c.checkpointEvery;
  for (const p of cps) {
    if (p.n % blockSize !== 0 && p !== last) continue;
    blocks.push({ from: prev.n + 1, to: p.n, rate: (p.n - prev.n) / (p.t - prev.t), cpuMs: ((p.responderCpuS - prev.responderCpuS) * 1000) / (p.n - prev.n) });
    prev = p;
  }
  return {
    name,
    pid,
    done: run.done,
    rateFirst: first.n / first.t,
    rateAll: last.n / last.t,
    cpuMsFirst: (first.responderCpuS * 1000) / first.n,
    cpuMsAll: (last.responderCpuS * 1000) / last.n,
    responderCores: first.responderCpuS / first.t,
    driverCores: first.driverCpuS / first.t,
    blocks,
    before: run.before,
    after: run.after,
    ...extra,
  };
}

/** `wakelab responder` configuration: identities cli-0 .. cli-(n-1), one PSK, DPD, rekeys and cookies off. */
export function wakelabConfig(n: number, ports: { ike: number; natt: number } = IKE.wakelabPorts): object {
  return {
    listen: { address: '127.0.0.1', ikePort: ports.ike, nattPort: ports.natt },
    localId: IKE.localId,
    secrets: Array.from({ length: n }, (_, i) => ({ id: `cli-${i}.bench.wakelab`, psk: IKE.psk })),
    ike: { proposals: [IKE.ikeProposal], rekeyS: 0 },
    esp: { proposals: [IKE.espProposal], rekeyS: 0 },
    pool: IKE.pool,
    localTs: [IKE.localTs],
    dpd: { delayS: 0 },
    cookieThreshold: 1_000_000,
  };
}

/** WakeLab's responder as shipped (`wakelab responder`), or the what-if with node:crypto. */
export async function runWakelab(c: IkeBenchConfig, dir: string, log: (l: string) => void, variant: 'cli' | 'node-crypto' = 'cli'): Promise<TargetResult> {
  const load0 = loadavg()[0]!;
  const cfgPath = join(dir, 'wakelab.json');
  writeFileSync(cfgPath, JSON.stringify(wakelabConfig(2 * c.warmup + c.total)));
  const logPath = join(dir, `wakelab-${variant}.log`);
  const prof = c.cpuProfDir && variant === 'cli' ? ['--cpu-prof', `--cpu-prof-dir=${c.cpuProfDir}`] : [];
  const program = variant === 'cli' ? [BIN, 'responder', '--config', cfgPath] : ['--import', 'tsx', WHAT_IF, cfgPath];
  const resp: Tracked = startTracked('wakelab responder (bench)', [process.execPath, '--inspect=127.0.0.1:0', ...prof, ...program], logPath);
  let driver: Driver | null = null;
  try {
    const url = await pollFor('wakelab responder listening', 30_000, () => {
      if (!resp.running) throw new Error(`wakelab responder exited: ${readFileSync(logPath, 'utf8').slice(-2000)}`);
      const text = readFileSync(logPath, 'utf8');
      return text.includes('responder listening') ? inspectorUrl(text) : undefined;
    });
    const measure = async (): Promise<MemoryAtRest> => {
      const live = await gcAndMeasure(url);
      await sleep(500);
      return { rss: vmRss(resp.pid), live };
    };
    driver = Driver.start([], driverConfig(c, { address: '127.0.0.1', ike: IKE.wakelabPorts.ike, natt: IKE.wakelabPorts.natt }, '127.0.0.1', resp.pid));
    const run = await drive(c, driver, measure, log);
    const text = readFileSync(logPath, 'utf8');
    const count = (re: RegExp): number => text.match(re)?.length ?? 0;
    const load1 = loadavg()[0]!;
    await resp.stop(10_000, 3000); // before the summary: --cpu-prof writes its profile at exit
    const what = variant === 'cli' ? '`wakelab responder` through tsx, its node:crypto suite (src-main/node/crypto/node-suite.ts)' : 'the same Responder and UdpHost, a test copy of the node:crypto set-up';
    return summarize(variant === 'cli' ? 'WakeLab responder' : 'what-if: WakeLab + node:crypto', c, resp.pid, run, {
      notes: [`node ${process.version}, ${what}; ${2 * c.warmup + c.total} PSK identities in its config; one text log line per event, to a file`],
      // Held at the end: established, less the warm-up SAs the driver deleted again.
      ikeSas: count(/ IKE SA established /g) - count(/ IKE SA gone \(deleted-by-peer\)/g),
      childSas: count(/ CHILD_SA [0-9a-f]{8}_i [0-9a-f]{8}_o /g) - count(/ CHILD_SA [0-9a-f]{8}_i gone \(deleted-by-peer\)/g),
      load: { start: load0, end: load1 },
      ...(prof.length > 0 ? { profile: summarizeCpuProfile(c.cpuProfDir!) } : {}),
    });
  } finally {
    await driver?.stop();
    await resp.stop(10_000, 3000);
  }
}

export async function runCharon(c: IkeBenchConfig, dir: string, log: (l: string) => void): Promise<TargetResult> {
  const load0 = loadavg()[0]!;
  const ch = await CharonNs.start(join(dir, 'charon'), {
    threads: c.charonThreads,
    ikesaTableSize: c.charonTable.size,
    ikesaTableSegments: c.charonTable.segments,
    logLevel: 1,
    localId: IKE.localId,
    psk: IKE.psk,
    ikeProposal: IKE.ikeProposal,
    espProposal: IKE.espProposal,
    pool: IKE.pool,
    localTs: IKE.localTs,
    protectedHost: IKE.protectedHost,
  });
  let driver: Driver | null = null;
  try {
    const measure = async (): Promise<MemoryAtRest> => {
      const s = await ch.stats();
      return { rss: vmRss(ch.pid), mallocUsed: s.mallocUsed };
    };
    driver = Driver.start(ch.nsArgv([]), driverConfig(c, { address: '127.0.0.1', ike: 500, natt: 4500 }, '127.0.0.1', ch.pid));
    const run = await drive(c, driver, measure, log);
    const stats = await ch.stats();
    const held = await ch.countSas();
    const load1 = loadavg()[0]!;
    const pid = ch.pid;
    const t0 = performance.now();
    await ch.close(); // charon's filelog is buffered: read it once charon has exited
    const stopMs = performance.now() - t0;
    const text = readFileSync(ch.logPath, 'utf8');
    return summarize('charon', c, pid, run, {
      notes: [
        `strongSwan 5.9.8 charon, kernel-libipsec, worker threads ${stats.workers}; ikesa_table_size ${c.charonTable.size}, segments ${c.charonTable.segments}; filelog at level 1`,
        `${stats.ikeSas} IKE_SAs (${stats.halfOpen} half-open) in swanctl --stats; ${text.match(/CHILD_SA net\{\d+\} established/g)?.length ?? 0} "CHILD_SA established" and ${text.match(/failed to establish CHILD_SA/g)?.length ?? 0} "failed to establish CHILD_SA" log lines` +
          (ch.killed ? ` (charon did not exit within 10 s of SIGTERM and was killed, so its log may lack its last lines)` : `; it exited ${(stopMs / 1000).toFixed(1)} s after SIGTERM`),
      ],
      ikeSas: held.ikeSas,
      childSas: held.childSas,
      load: { start: load0, end: load1 },
    });
  } finally {
    await driver?.stop();
    const problems = await ch.close();
    if (problems.length > 0) log(`  cleanup problems: ${problems.join('; ')}`);
  }
}

/** Runs both targets; charon is skipped (with the reason) when it cannot run here. */
export async function runIkeBench(c: IkeBenchConfig, log: (line: string) => void): Promise<IkeBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wlb-ike-'));
  let ok = false;
  try {
    log(`  WakeLab responder: ${c.warmup} warm-up + ${c.total} timed handshakes, ${c.concurrency} in flight`);
    const wakelab = await runWakelab(c, dir, log);
    const why = charonPrereq();
    let charon: IkeBenchResult['charon'];
    if (why) charon = { skipped: why };
    else {
      log(`  charon: ${c.warmup} warm-up + ${c.total} timed handshakes, ${c.concurrency} in flight`);
      charon = await runCharon(c, dir, log);
    }
    let whatIf: TargetResult | undefined;
    if (c.whatIf) {
      log(`  what-if, WakeLab's Responder with node:crypto: ${c.warmup} warm-up + ${c.total} timed handshakes`);
      whatIf = await runWakelab(c, dir, log, 'node-crypto');
    }
    const expected = c.total;
    ok = [wakelab, charon, whatIf].every((t) => !t || 'skipped' in t || (t.done.failures === 0 && t.ikeSas === expected && t.childSas === expected));
    return { wakelab, charon, ...(whatIf ? { whatIf } : {}) };
  } finally {
    if (ok && process.env.WAKELAB_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    else log(`  logs and configs kept in ${dir}`);
  }
}
