/**
 * The `lab` part (`npm run bench -- --only=lab`, opt-in): N emulated clients (`wakelab fleet`, in
 * its own process) on loopback at an accelerated time scale against a gateway process
 * (lab/gateway-proc.ts) that is either the full live lab (responder + live estimator + session
 * recording in SQLite) or the bare responder, arms taking turns in the same run. Per arm: the
 * gateway's CPU per datagram over a steady window once every client is up, datagrams/s, the
 * estimator's and the store's share of the gateway's CPU, rows written to SQLite per second and
 * the commits' durations, and memory per client. The estimator's and the store's per-event calls are
 * timed one in eight at random (lab/gateway-proc.ts), so the clock reads cost the lab arm little. Goal (issue "live lab"): the estimator and store
 * add under 10 % to the responder's CPU per packet.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freeUdpPorts } from '../support/ports.ts';
import { fmtBytes, median, table } from './stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/wakelab.js');
const GATEWAY = join(ROOT, 'test/bench/lab/gateway-proc.ts');
const TSX = import.meta.resolve('tsx');

export interface LabBenchConfig {
  readonly clients: number;
  readonly timeScale: number;
  /** Real seconds measured per round once every client is up (both arms at once). */
  readonly windowS: number;
  /** Rounds of (full and bare at once). */
  readonly rounds: number;
  readonly startWithinS: number;
  /**
   * Real seconds from the last client up to the window (WAKELAB_BENCH_LAB_SETTLE_S overrides): the
   * lab's steady state, which a lab running for hours is in. A session's packets wait up to 20 s
   * for their chunk row (run-lab.ts CHUNK_AGE_MS) and the writer's 32 groups first come due over
   * that time, so in the first 20 to 40 s of a lab not every group has written yet (150 SQLite rows
   * a second in the window against 247 later) and the groups' buffers are still growing to the
   * size a whole hold needs (garbage a steady lab no longer makes). Runs before 2026-11-24 waited 3 s.
   */
  readonly settleS: number;
}

export const LAB_BENCH_FULL: LabBenchConfig = { clients: 1000, timeScale: 60, windowS: 20, rounds: 3, startWithinS: 900, settleS: 30 };
export const LAB_BENCH_QUICK: LabBenchConfig = { clients: 100, timeScale: 60, windowS: 5, rounds: 1, startWithinS: 120, settleS: 3 };

/**
 * What-ifs, not shipped (lab/gateway-proc.ts): `events`, the responder making the lab's traffic
 * events, which nothing takes; `estimator`, the lab with its session writer doing nothing; `full-sync`, the lab with every session's chunks written in one commit every 5 s;
 * `no-sql`, the lab with its writer's statements doing nothing (SQLite's own share); `baseline`,
 * the full lab of another checkout (WAKELAB_BENCH_LAB_BASELINE=DIR, with its own node_modules),
 * to compare two versions of the code over the same seconds (a shared machine's load moves both
 * arms alike; measured one after the other, it moved each by more than a change's effect).
 */
type Mode = 'full' | 'bare' | 'events' | 'estimator' | 'full-sync' | 'no-sql' | 'baseline';
const MODES: readonly Mode[] = ['full', 'bare', 'events', 'estimator', 'full-sync', 'no-sql', 'baseline'];

/** The gateway process and its mode for an arm (`baseline`: another checkout's full lab). */
function gatewayOf(mode: Mode): { script: string; mode: Mode; cwd: string } {
  if (mode !== 'baseline') return { script: GATEWAY, mode, cwd: ROOT };
  const other = process.env.WAKELAB_BENCH_LAB_BASELINE;
  if (!other) throw new Error('the baseline arm needs WAKELAB_BENCH_LAB_BASELINE=DIR (another checkout)');
  return { script: join(other, 'test/bench/lab/gateway-proc.ts'), mode: 'full', cwd: other };
}

/** The two arms, the first measured against the second: WAKELAB_BENCH_LAB_ARMS=A,B (default full,bare). */
function armModes(): [Mode, Mode] {
  const v = process.env.WAKELAB_BENCH_LAB_ARMS;
  if (!v) return ['full', 'bare'];
  const [a, b] = v.split(',') as [Mode, Mode];
  if (!MODES.includes(a) || !MODES.includes(b)) throw new Error(`WAKELAB_BENCH_LAB_ARMS: expected two of ${MODES.join(', ')}, got ${v}`);
  return [a, b];
}
const isGoalRun = (): boolean => armModes()[0] === 'full' && armModes()[1] === 'bare';

interface Stats {
  realMs: number;
  cpuMs: number;
  rss: number;
  heapUsed: number;
  datagramsIn: number;
  datagramsOut: number;
  estimateMs: number;
  queueMs: number;
  /** Whether `onEvent` and `add` were timed (WAKELAB_BENCH_LAB_SHARES=1, gateway-proc.ts). */
  shares: boolean;
  commitMs: number;
  commits: number;
  commitMaxMs: number;
  records: number;
  rows: number;
  gcMs: number;
  scavenges: number;
  markCompacts: number;
  mainCpuMs: number;
}

export interface ArmResult {
  readonly mode: Mode;
  readonly round: number;
  readonly upAfterS: number;
  readonly datagramsPerS: number;
  readonly cpuUsPerDatagram: number;
  readonly cores: number;
  /** NaN unless the per-event calls were timed (`shares`). */
  readonly estimateShare: number;
  readonly storeShare: number;
  readonly shares: boolean;
  /** Garbage collection's share of the gateway's CPU (main-thread pauses). */
  readonly gcShare: number;
  /** Young-generation collections and full (mark-compact) collections per 10,000 datagrams. */
  readonly scavengesPer10k: number;
  readonly markCompactsPer10k: number;
  /** CPU of the gateway's threads other than the main one (V8's collector and compiler helpers), a datagram. */
  readonly helperUsPerDatagram: number;
  /** Packets, SA events and wakeups stored per second. */
  readonly recordsPerS: number;
  readonly rowsPerS: number;
  readonly commitsPerS: number;
  readonly commitMedianMs: number;
  readonly commitMaxMs: number;
  readonly rssPerClient: number;
  readonly heapPerClient: number;
  readonly load: number;
}

/** A child whose stdout is JSON lines; `next(pred)` resolves on the first matching line. */
class Proc {
  private waiters: { pred: (o: Record<string, unknown>) => boolean; ok: (o: Record<string, unknown>) => void }[] = [];
  readonly exited: Promise<number | null>;
  stderr = '';
  constructor(readonly p: ChildProcessWithoutNullStreams) {
    createInterface({ input: p.stdout }).on('line', (l) => {
      if (!l.startsWith('{')) return;
      const o = JSON.parse(l) as Record<string, unknown>;
      this.waiters = this.waiters.filter((w) => (w.pred(o) ? (w.ok(o), false) : true));
    });
    p.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => p.once('exit', (code) => r(code)));
  }
  next(pred: (o: Record<string, unknown>) => boolean, ms: number, what: string): Promise<Record<string, unknown>> {
    return new Promise((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`lab bench: timed out waiting for ${what}; stderr: ${this.stderr.slice(-500)}`)), ms);
      this.waiters.push({ pred, ok: (o) => (clearTimeout(t), ok(o)) });
      void this.exited.then((code) => fail(new Error(`lab bench: ${what}: process exited (${code}); stderr: ${this.stderr.slice(-500)}`)));
    });
  }
  async stop(): Promise<void> {
    if (this.p.exitCode === null && this.p.signalCode === null) this.p.kill('SIGTERM');
    const t = setTimeout(() => this.p.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(t);
  }
}

/** One arm's processes, set up and loaded; `stats` asks the gateway for its counters. */
interface Arm {
  readonly mode: Mode;
  readonly round: number;
  readonly idle: Stats;
  readonly upAfterS: number;
  stats(): Promise<Stats>;
  stop(): Promise<void>;
}

async function startArm(c: LabBenchConfig, mode: Mode, round: number, dir: string, ports: { base: number; clientBase: number }): Promise<Arm> {
  const { base, clientBase } = ports;
  const psk = 'lab-bench-psk-not-secret';
  const labFile = join(dir, `lab-${mode}-${round}.json`);
  writeFileSync(
    labFile,
    JSON.stringify({
      responder: { listen: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 }, localId: 'gw.wakelab', secrets: [{ id: '*@fleet.wakelab', psk }], pool: '198.18.128.0/17', localTs: ['198.18.100.0/24'], esp: { proposals: ['aes128gcm16'] }, dpd: { delayS: 30 }, cookieThreshold: 100000 },
      radio: 'lte',
      timeScale: c.timeScale,
    }),
  );
  const per = Math.floor(c.clients / 4);
  const fleetFile = join(dir, `fleet-${mode}-${round}.json`);
  writeFileSync(
    fleetFile,
    JSON.stringify({
      server: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 },
      psk,
      timeScale: c.timeScale,
      startWithinS: c.startWithinS,
      local: { firstPort: clientBase },
      esp: { proposals: ['aes128gcm16'] },
      groups: [
        { name: 'android', policy: 'strongswan-android', count: c.clients - 3 * per },
        { name: 'charon', policy: 'charon-dpd30', count: per },
        { name: 'ios', policy: 'ios-dpd-high', count: per },
        { name: 'data', policy: 'strongswan-android', count: per, traffic: { kind: 'periodic', everyS: 60, bytes: 300, echo: true } },
      ],
    }),
  );
  // WAKELAB_BENCH_LAB_CPU_PROF=DIR: each gateway writes a CPU profile to DIR/MODE-ROUND when it stops.
  const profDir = process.env.WAKELAB_BENCH_LAB_CPU_PROF;
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, `${mode}-${round + 1}`)}`] : [];
  // WAKELAB_BENCH_LAB_WINDOW_PROF=DIR: each gateway profiles the measured window only (gateway-proc.ts).
  const windowDir = process.env.WAKELAB_BENCH_LAB_WINDOW_PROF;
  const env = windowDir ? { ...process.env, WAKELAB_BENCH_LAB_WINDOW_PROF: join(windowDir, `${mode}-${round + 1}.cpuprofile`) } : process.env;
  // WAKELAB_BENCH_LAB_NODE_ARGS="--flag ...": more node/V8 flags for both gateways (experiments).
  const extra = (process.env.WAKELAB_BENCH_LAB_NODE_ARGS ?? '').split(' ').filter((x) => x !== '');
  const g = gatewayOf(mode);
  const gw = new Proc(spawn(process.execPath, [...extra, ...prof, '--import', TSX, g.script, g.mode, labFile, join(dir, `lab-${mode}-${round}.db`)], { cwd: g.cwd, env }));
  await gw.next((o) => o.kind === 'ready', 30_000, 'the gateway');
  const stats = async (): Promise<Stats> => {
    const p = gw.next((o) => o.kind === 'stats', 10_000, 'gateway stats');
    gw.p.stdin.write('\n');
    return (await p) as unknown as Stats;
  };
  const idle = await stats();
  const fleet = new Proc(spawn(process.execPath, [BIN, 'fleet', '--config', fleetFile, '--json-log', '--status-every', '1'], { cwd: ROOT }));
  const stop = async (): Promise<void> => {
    await fleet.stop();
    await gw.stop();
  };
  try {
    const t0 = performance.now();
    const upMs = ((c.startWithinS / c.timeScale) * 1000 + 60_000) * 2;
    await fleet.next((o) => o.kind === 'fleet-status' && (o.groups as { up: number; count: number }[]).every((g) => g.up === g.count), upMs, `all ${c.clients} clients up (${mode})`);
    return { mode, round, idle, upAfterS: (performance.now() - t0) / 1000, stats, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function result(c: LabBenchConfig, arm: Arm, a: Stats, b: Stats, load: number): ArmResult {
  const realS = (b.realMs - a.realMs) / 1000;
  const cpuMs = b.cpuMs - a.cpuMs;
  const datagrams = b.datagramsIn + b.datagramsOut - a.datagramsIn - a.datagramsOut;
  return {
    mode: arm.mode,
    round: arm.round,
    upAfterS: arm.upAfterS,
    datagramsPerS: datagrams / realS,
    cpuUsPerDatagram: (cpuMs * 1000) / datagrams,
    cores: cpuMs / 1000 / realS,
    shares: b.shares,
    estimateShare: b.shares ? (b.estimateMs - a.estimateMs) / cpuMs : Number.NaN,
    // Without the per-event timing, the commits' share alone.
    storeShare: (b.queueMs - a.queueMs + b.commitMs - a.commitMs) / cpuMs,
    gcShare: (b.gcMs - a.gcMs) / cpuMs,
    scavengesPer10k: ((b.scavenges - a.scavenges) / datagrams) * 1e4,
    markCompactsPer10k: ((b.markCompacts - a.markCompacts) / datagrams) * 1e4,
    helperUsPerDatagram: ((cpuMs - (b.mainCpuMs - a.mainCpuMs)) * 1000) / datagrams,
    recordsPerS: (b.records - a.records) / realS,
    rowsPerS: (b.rows - a.rows) / realS,
    commitsPerS: (b.commits - a.commits) / realS,
    commitMedianMs: b.commits > a.commits ? (b.commitMs - a.commitMs) / (b.commits - a.commits) : 0,
    commitMaxMs: b.commitMaxMs,
    rssPerClient: (a.rss - arm.idle.rss) / c.clients,
    heapPerClient: (a.heapUsed - arm.idle.heapUsed) / c.clients,
    load,
  };
}

/**
 * One round: both gateways, each with its own fleet, loaded at the same time and measured over
 * the same window, sliced into SLICES parts. A shared machine's slow spells (other tenants, steal)
 * moved sequential arms' CPU per datagram by up to 40 %; at the same time both meet them.
 */
const SLICES = 4;

async function round(c: LabBenchConfig, r: number, dir: string, log: (l: string) => void): Promise<{ arms: ArmResult[]; slices: number[] }> {
  const modes: Mode[] = armModes();
  // One block for every arm's gateway and fleet: blocks found one at a time, before any was bound,
  // could overlap (a fleet then failed on a port of the other arm).
  const block = await freeUdpPorts(modes.length * (c.clients + 2));
  const ports = modes.map((_, i) => ({ base: block + i * (c.clients + 2), clientBase: block + i * (c.clients + 2) + 2 }));
  const started = await Promise.allSettled(modes.map((m, i) => startArm(c, m, r, dir, ports[i]!)));
  const arms = started.flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
  try {
    const failed = started.find((x) => x.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    await new Promise((ok) => setTimeout(ok, Number(process.env.WAKELAB_BENCH_LAB_SETTLE_S ?? c.settleS) * 1000));
    const loadavg = (await import('node:os')).loadavg;
    const marks: Stats[][] = [await Promise.all(arms.map((a) => a.stats()))];
    const loads = [loadavg()[0]!];
    for (let k = 0; k < SLICES; k++) {
      await new Promise((ok) => setTimeout(ok, (c.windowS * 1000) / SLICES));
      marks.push(await Promise.all(arms.map((a) => a.stats())));
      loads.push(loadavg()[0]!);
    }
    const load = loads.reduce((x, y) => x + y, 0) / loads.length;
    const out = arms.map((arm, i) => result(c, arm, marks[0]![i]!, marks[SLICES]![i]!, load));
    // The full arm's CPU per datagram over the bare arm's, slice by slice.
    const slices = marks.slice(1).map((m, k) => {
      const [f, b] = [0, 1].map((i) => result(c, arms[i]!, marks[k]![i]!, m[i]!, load));
      return f!.cpuUsPerDatagram / b!.cpuUsPerDatagram - 1;
    });
    for (const a of out) log(`  ${a.mode} round ${r + 1}: ${a.datagramsPerS.toFixed(0)} datagrams/s, ${a.cpuUsPerDatagram.toFixed(1)} us CPU each (${a.cores.toFixed(2)} cores, GC ${(a.gcShare * 100).toFixed(1)} %, ${a.scavengesPer10k.toFixed(1)} scavenges and ${a.markCompactsPer10k.toFixed(2)} mark-compacts per 10,000 datagrams), clients up after ${a.upAfterS.toFixed(1)} s`);
    // Each slice with the mark-compacts each arm ran in it (first arm/second arm), to tell the
    // slices with a major collection from those without (BENCHMARKS.md, "The live lab").
    const markCompacts = marks.slice(1).map((m, k) => m.map((x, i) => x.markCompacts - marks[k]![i]!.markCompacts).join('/'));
    log(`  round ${r + 1}, ${modes[0]} over bare by slice (mark-compacts): ${slices.map((x, k) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} % (${markCompacts[k]})`).join(', ')} (load ${load.toFixed(1)})`);
    return { arms: out, slices };
  } finally {
    await Promise.all(arms.map((a) => a.stop()));
  }
}

export interface LabBenchResult {
  readonly arms: ArmResult[];
  /** Full over bare, CPU per datagram, minus 1, for every slice of every round. */
  readonly slices: number[];
}

export async function runLabBench(c: LabBenchConfig, log: (l: string) => void): Promise<LabBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wakelab-lab-bench-'));
  const arms: ArmResult[] = [];
  const slices: number[] = [];
  try {
    for (let r = 0; r < c.rounds; r++) {
      const x = await round(c, r, dir, log);
      arms.push(...x.arms);
      slices.push(...x.slices);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { arms, slices };
}

export function labReport(r: LabBenchResult, c: LabBenchConfig): { lines: string[]; goals: string[][] } {
  const [first, second] = armModes();
  const full = r.arms.filter((a) => a.mode === first);
  const bare = r.arms.filter((a) => a.mode === second);
  const m = (xs: ArmResult[], f: (a: ArmResult) => number) => median(xs.map(f));
  const ofMedians = m(full, (a) => a.cpuUsPerDatagram) / m(bare, (a) => a.cpuUsPerDatagram) - 1;
  // The goal's figure: the median of the paired slices (both arms over the same seconds).
  const overhead = median(r.slices);
  const sorted = [...r.slices].sort((x, y) => x - y);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `${c.clients} emulated clients (strongSwan Android, charon with DPD 30 s, iOS DPD high, Android with an echo a minute), ${c.timeScale}x real time; gateway DPD 30 s; ${c.rounds} round(s), both gateways loaded at once (each with its own fleet) and measured over the same ${c.windowS} s in ${SLICES} slices, from ${Number(process.env.WAKELAB_BENCH_LAB_SETTLE_S ?? c.settleS)} s after the last client was up; medians.`,
    '',
    table(
      ['gateway', 'datagrams/s', 'CPU / datagram', 'cores', 'helper threads / datagram', 'estimator share', 'store share', 'GC share', 'stored /s (packets, events, wakeups)', 'SQLite rows/s', 'commits/s', 'commit (mean / max)', 'RSS / client', 'heap / client'],
      (['full', 'bare'] as const).map((mode) => {
        const xs = mode === 'full' ? full : bare;
        return [
          mode === 'full' ? (isGoalRun() ? 'lab (estimator + store)' : first) : isGoalRun() ? 'responder alone' : second,
          m(xs, (a) => a.datagramsPerS).toFixed(0),
          `${m(xs, (a) => a.cpuUsPerDatagram).toFixed(1)} us`,
          m(xs, (a) => a.cores).toFixed(2),
          `${m(xs, (a) => a.helperUsPerDatagram).toFixed(1)} us`,
          mode === 'full' && xs[0]?.shares ? pct(m(xs, (a) => a.estimateShare)) : '-',
          mode === 'full' ? `${pct(m(xs, (a) => a.storeShare))}${xs[0]?.shares ? '' : ' (commits)'}` : '-',
          pct(m(xs, (a) => a.gcShare)),
          mode === 'full' ? m(xs, (a) => a.recordsPerS).toFixed(0) : '-',
          mode === 'full' ? m(xs, (a) => a.rowsPerS).toFixed(0) : '-',
          mode === 'full' ? m(xs, (a) => a.commitsPerS).toFixed(1) : '-',
          mode === 'full' ? `${m(xs, (a) => a.commitMedianMs).toFixed(2)} / ${Math.max(...xs.map((a) => a.commitMaxMs)).toFixed(1)} ms` : '-',
          fmtBytes(m(xs, (a) => a.rssPerClient)),
          fmtBytes(m(xs, (a) => a.heapPerClient)),
        ];
      }),
    ),
    '',
    `Every arm: ${r.arms.map((a) => `${a.mode} ${a.cpuUsPerDatagram.toFixed(1)} us (load ${a.load.toFixed(1)})`).join('; ')}.`,
    `The lab's CPU per datagram against the responder alone, median of ${r.slices.length} paired slices: ${overhead >= 0 ? '+' : ''}${pct(overhead)} (slices from ${pct(sorted[0]!)} to ${pct(sorted.at(-1)!)}; ratio of the arms' medians ${ofMedians >= 0 ? '+' : ''}${pct(ofMedians)}).`,
  ];
  // The what-if arm is information, not the goal.
  if (!isGoalRun()) return { lines, goals: [] };
  return { lines, goals: [['The live estimator and store add to the responder\'s CPU per packet', '< 10 %', `${overhead >= 0 ? '+' : ''}${pct(overhead)}`, overhead < 0.1 ? 'MET' : 'NOT MET']] };
}
