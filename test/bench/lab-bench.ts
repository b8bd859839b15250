/**
 * The `lab` part (`npm run bench -- --only=lab`, opt-in): N emulated clients (`wakelab fleet`, in
 * its own process) on loopback at an accelerated time scale against a gateway process
 * (lab/gateway-proc.ts) that is either the full live lab (responder + live estimator + session
 * recording in SQLite) or the bare responder, arms taking turns in the same run. Per arm: the
 * gateway's CPU per datagram over a steady window once every client is up, datagrams/s, the
 * estimator's and the store's share of the gateway's CPU, rows written to SQLite per second and
 * the commits' durations, and memory per client. Goal (issue "live lab"): the estimator and store
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
  /** Real seconds measured per arm once every client is up. */
  readonly windowS: number;
  /** Rounds of (full, bare). */
  readonly rounds: number;
  readonly startWithinS: number;
}

export const LAB_BENCH_FULL: LabBenchConfig = { clients: 1000, timeScale: 60, windowS: 20, rounds: 2, startWithinS: 900 };
export const LAB_BENCH_QUICK: LabBenchConfig = { clients: 100, timeScale: 60, windowS: 5, rounds: 1, startWithinS: 120 };

type Mode = 'full' | 'bare';

interface Stats {
  realMs: number;
  cpuMs: number;
  rss: number;
  heapUsed: number;
  datagramsIn: number;
  datagramsOut: number;
  estimateMs: number;
  queueMs: number;
  commitMs: number;
  commits: number;
  commitMaxMs: number;
  rows: number;
}

export interface ArmResult {
  readonly mode: Mode;
  readonly round: number;
  readonly upAfterS: number;
  readonly datagramsPerS: number;
  readonly cpuUsPerDatagram: number;
  readonly cores: number;
  readonly estimateShare: number;
  readonly storeShare: number;
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

async function arm(c: LabBenchConfig, mode: Mode, round: number, dir: string, log: (l: string) => void): Promise<ArmResult> {
  const base = await freeUdpPorts(2);
  const clientBase = await freeUdpPorts(c.clients);
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
  const gw = new Proc(spawn(process.execPath, ['--import', TSX, GATEWAY, mode, labFile, join(dir, `lab-${mode}-${round}.db`)], { cwd: ROOT }));
  await gw.next((o) => o.kind === 'ready', 30_000, 'the gateway');
  const stats = async (): Promise<Stats> => {
    const p = gw.next((o) => o.kind === 'stats', 10_000, 'gateway stats');
    gw.p.stdin.write('\n');
    return (await p) as unknown as Stats;
  };
  const idle = await stats();
  const fleet = new Proc(spawn(process.execPath, [BIN, 'fleet', '--config', fleetFile, '--json-log', '--status-every', '1'], { cwd: ROOT }));
  const t0 = performance.now();
  const upMs = ((c.startWithinS / c.timeScale) * 1000 + 60_000) * 2;
  await fleet.next((o) => o.kind === 'fleet-status' && (o.groups as { up: number; count: number }[]).every((g) => g.up === g.count), upMs, `all ${c.clients} clients up`);
  const upAfterS = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 3000)); // the set-up bursts settle
  const a = await stats();
  const load0 = (await import('node:os')).loadavg()[0]!;
  await new Promise((r) => setTimeout(r, c.windowS * 1000));
  const b = await stats();
  const load1 = (await import('node:os')).loadavg()[0]!;
  await fleet.stop();
  await gw.stop();
  const realS = (b.realMs - a.realMs) / 1000;
  const cpuMs = b.cpuMs - a.cpuMs;
  const datagrams = b.datagramsIn + b.datagramsOut - a.datagramsIn - a.datagramsOut;
  const r: ArmResult = {
    mode,
    round,
    upAfterS,
    datagramsPerS: datagrams / realS,
    cpuUsPerDatagram: (cpuMs * 1000) / datagrams,
    cores: cpuMs / 1000 / realS,
    estimateShare: (b.estimateMs - a.estimateMs) / cpuMs,
    storeShare: (b.queueMs - a.queueMs + b.commitMs - a.commitMs) / cpuMs,
    rowsPerS: (b.rows - a.rows) / realS,
    commitsPerS: (b.commits - a.commits) / realS,
    commitMedianMs: b.commits > a.commits ? (b.commitMs - a.commitMs) / (b.commits - a.commits) : 0,
    commitMaxMs: b.commitMaxMs,
    rssPerClient: (a.rss - idle.rss) / c.clients,
    heapPerClient: (a.heapUsed - idle.heapUsed) / c.clients,
    load: (load0 + load1) / 2,
  };
  log(`  ${mode} round ${round + 1}: ${r.datagramsPerS.toFixed(0)} datagrams/s, ${r.cpuUsPerDatagram.toFixed(1)} us CPU each (${r.cores.toFixed(2)} cores), clients up after ${upAfterS.toFixed(1)} s`);
  return r;
}

export interface LabBenchResult {
  readonly arms: ArmResult[];
}

export async function runLabBench(c: LabBenchConfig, log: (l: string) => void): Promise<LabBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wakelab-lab-bench-'));
  const arms: ArmResult[] = [];
  try {
    for (let round = 0; round < c.rounds; round++) {
      // Alternate which arm goes first, so a slow spell of the machine does not favour one.
      const order: Mode[] = round % 2 === 0 ? ['full', 'bare'] : ['bare', 'full'];
      for (const mode of order) arms.push(await arm(c, mode, round, dir, log));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { arms };
}

export function labReport(r: LabBenchResult, c: LabBenchConfig): { lines: string[]; goals: string[][] } {
  const full = r.arms.filter((a) => a.mode === 'full');
  const bare = r.arms.filter((a) => a.mode === 'bare');
  const m = (xs: ArmResult[], f: (a: ArmResult) => number) => median(xs.map(f));
  const overhead = m(full, (a) => a.cpuUsPerDatagram) / m(bare, (a) => a.cpuUsPerDatagram) - 1;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `${c.clients} emulated clients (strongSwan Android, charon with DPD 30 s, iOS DPD high, Android with an echo a minute), ${c.timeScale}x real time; gateway DPD 30 s; ${c.rounds} round(s) of ${c.windowS} s per arm; medians.`,
    '',
    table(
      ['gateway', 'datagrams/s', 'CPU / datagram', 'cores', 'estimator share', 'store share', 'SQLite rows/s', 'commits/s', 'commit (mean / max)', 'RSS / client', 'heap / client'],
      (['full', 'bare'] as const).map((mode) => {
        const xs = mode === 'full' ? full : bare;
        return [
          mode === 'full' ? 'lab (estimator + store)' : 'responder alone',
          m(xs, (a) => a.datagramsPerS).toFixed(0),
          `${m(xs, (a) => a.cpuUsPerDatagram).toFixed(1)} us`,
          m(xs, (a) => a.cores).toFixed(2),
          mode === 'full' ? pct(m(xs, (a) => a.estimateShare)) : '-',
          mode === 'full' ? pct(m(xs, (a) => a.storeShare)) : '-',
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
    `The lab's CPU per datagram against the responder alone: ${overhead >= 0 ? '+' : ''}${pct(overhead)}.`,
  ];
  return { lines, goals: [['The live estimator and store add to the responder\'s CPU per packet', '< 10 %', `${overhead >= 0 ? '+' : ''}${pct(overhead)}`, overhead < 0.1 ? 'MET' : 'NOT MET']] };
}
