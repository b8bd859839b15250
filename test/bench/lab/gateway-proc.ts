/**
 * The gateway of the `lab` benchmark part (lab-bench.ts), in its own process so that its CPU time
 * is its own: `full` is `wakelab lab` (responder, live estimator, session recording in SQLite),
 * `bare` the responder alone with no traffic events (`wakelab responder`). Bench-only counters are
 * wrapped around the shipped classes' prototypes (nothing shipped changes): datagrams in and out of
 * the Gateway, and the time spent in the estimator, in queueing rows and in commits.
 *
 *   node --import tsx test/bench/lab/gateway-proc.ts full|bare|events|estimator|full-sync|no-sql LAB.json DB
 *
 * Prints JSON lines: `ready` (ports), then `stats` whenever a line arrives on stdin.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Gateway } from '../../../src-main/core/gateway/gateway.ts';
import { LiveEstimator } from '../../../src-main/core/live/estimator.ts';
import { parseLabConfig } from '../../../src-main/core/live/lab-config.ts';
import { Catalog } from '../../../src-main/node/catalog.ts';
import { runResponder } from '../../../src-main/node/ike/run-responder.ts';
import { runLab } from '../../../src-main/node/live/run-lab.ts';
import { SessionWriter } from '../../../src-main/node/live/session-writer.ts';
import { openDatabase } from '../../../src-main/node/store/open.ts';

const [mode, labPath, dbPath] = process.argv.slice(2) as ['full' | 'bare' | 'events' | 'estimator' | 'full-sync' | 'no-sql', string, string];
const cfg = parseLabConfig(JSON.parse(readFileSync(labPath, 'utf8')), labPath, () => ({ value: null, label: '' }));

const c = { datagramsIn: 0, datagramsOut: 0, estimateMs: 0, queueMs: 0, commitMs: 0, commits: 0, commitMaxMs: 0, records: 0, rows: 0, gcMs: 0, scavenges: 0, markCompacts: 0 };
// Time in garbage collection (V8's pauses as perf_hooks reports them), in both arms.
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    c.gcMs += e.duration;
    // perf_hooks' kinds: 1 minor (a scavenge of the young generation), 4 major (mark-compact).
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === 1) c.scavenges++;
    else if (kind === 4) c.markCompacts++;
  }
}).observe({ entryTypes: ['gc'] });
/**
 * Times a prototype's method for its share of the CPU. Timing costs two clock reads (about 0.2 us
 * here), more than some of the calls timed, and would be charged to the lab arm alone: a method
 * called per event is timed once in `every` calls, chosen at random, and the time scaled up.
 */
const wrap = <T extends object>(proto: T, name: keyof T, after: (ms: number, self: unknown, result: unknown) => void, every = 1): void => {
  // The methods wrapped take at most two arguments: a fixed call is cheaper than `arguments`.
  const f = proto[name] as unknown as (this: unknown, a: unknown, b: unknown) => unknown;
  let skip = 0;
  (proto as Record<string, unknown>)[name as string] = function (this: unknown, a: unknown, b: unknown) {
    if (skip-- > 0) return f.call(this, a, b);
    skip = Math.floor(Math.random() * (2 * every - 1)); // mean every - 1 calls skipped
    const t = performance.now();
    const r = f.call(this, a, b);
    after((performance.now() - t) * every, this, r);
    return r;
  };
};
const receive = Gateway.prototype.receive;
Gateway.prototype.receive = function (this: Gateway, ...a: Parameters<Gateway['receive']>) {
  c.datagramsIn++;
  return receive.apply(this, a);
};
const drain = Gateway.prototype.drain;
Gateway.prototype.drain = function (this: Gateway) {
  const out = drain.apply(this);
  for (const o of out) if (o.kind === 'send') c.datagramsOut++;
  return out;
};
/**
 * The per-event calls are timed only with WAKELAB_BENCH_LAB_SHARES=1 (since run BF): their wrappers
 * were bench code in the lab arm alone, on every datagram, and kept V8 from inlining the two calls
 * into the lab's event callback (their times were then passed as new boxed numbers). `commit`, a
 * few times a second, is always timed.
 */
const shares = process.env.WAKELAB_BENCH_LAB_SHARES === '1';
if (shares) {
  wrap(LiveEstimator.prototype, 'onEvent', (ms) => (c.estimateMs += ms), 8);
  wrap(SessionWriter.prototype, 'add', (ms) => (c.queueMs += ms), 8);
}
wrap(SessionWriter.prototype, 'commit', (ms, _s, r) => {
  c.commitMs += ms;
  c.commits++;
  c.commitMaxMs = Math.max(c.commitMaxMs, ms);
  const x = r as { packets: number; events: number; wakeups: number; rows: number };
  c.records += x.packets + x.events + x.wakeups;
  c.rows += x.rows;
});

// `estimator` (a what-if, WAKELAB_BENCH_LAB_ARMS): the lab with the session recording's writer
// doing nothing, to tell the estimator's cost from the store's.
if (mode === 'estimator') {
  SessionWriter.prototype.add = function () {};
  SessionWriter.prototype.commit = function () {
    return { packets: 0, events: 0, wakeups: 0, rows: 0, total: { packets: 0, events: 0, wakeups: 0 }, held: 0 };
  };
}
if (mode === 'full-sync') {
  const commit = SessionWriter.prototype.commit;
  let flushedAt = performance.now();
  SessionWriter.prototype.commit = function (this: SessionWriter, hold) {
    if (!hold) return commit.call(this);
    const now = performance.now();
    if (now - flushedAt < 5000) return commit.call(this, { chunkAgeMs: Infinity });
    flushedAt = now;
    return commit.call(this);
  };
}
if (mode === 'no-sql') {
  // Everything but SQLite's own work: the writer queues, builds each row's JSON and commits, but
  // its statements write nothing.
  const commit = SessionWriter.prototype.commit;
  SessionWriter.prototype.commit = function (this: SessionWriter, hold) {
    const st = (this as unknown as { st: Record<string, { run: (...a: unknown[]) => unknown }> }).st;
    for (const k of Object.keys(st)) st[k]!.run = () => ({ lastInsertRowid: 1, changes: 1 });
    return commit.call(this, hold);
  };
}
const scale = cfg.timeScale;
const clock = (): number => (performance.now() / 1000) * scale;
let ports: { ike: number; natt: number };
if (mode !== 'bare' && mode !== 'events') {
  const { db } = openDatabase(dbPath);
  // WAKELAB_BENCH_LAB_PRAGMAS="a=1;b=2" (a what-if): pragmas on the lab's connection.
  for (const p of (process.env.WAKELAB_BENCH_LAB_PRAGMAS ?? '').split(';').filter(Boolean)) db.pragma(p);
  const catalog = new Catalog();
  const lab = await runLab(cfg, { db, radio: (id) => ({ profile: catalog.get('radio', id).value, json: '{}' }) });
  ports = lab.responder.ports;
  process.on('SIGTERM', () => void lab.stop().then(() => process.exit(0)));
} else {
  // `events` (a what-if): the responder making the lab's traffic events, which nothing takes.
  const r = await runResponder(cfg.responder, { traffic: mode === 'events', clock, timeScale: scale, onEvent: () => {} });
  ports = r.ports;
  process.on('SIGTERM', () => void r.close().then(() => process.exit(0)));
}
const line = (o: object): void => void process.stdout.write(JSON.stringify(o) + '\n');
line({ kind: 'ready', ...ports });
/**
 * WAKELAB_BENCH_LAB_WINDOW_PROF=FILE: a CPU profile of the measured window only (from the second
 * stats request, once every client is up, to the sixth, the last), written to FILE.
 */
const windowProf = process.env.WAKELAB_BENCH_LAB_WINDOW_PROF;
const profiler = windowProf ? new (await import('node:inspector/promises')).Session() : null;
let statsAsked = 0;
createInterface({ input: process.stdin }).on('line', () => {
  statsAsked++;
  // WAKELAB_BENCH_LAB_WINDOW_HEAP=1 (with it): a sampling heap profile instead, garbage included;
  // =promoted: what outlived a young-generation collection (promoted to the old generation, the
  // concurrent marking's work), garbage or not; with WAKELAB_BENCH_LAB_NODE_ARGS=--expose-gc the
  // young generation is collected before the profile is taken, so what is still young is left out.
  const heapMode = process.env.WAKELAB_BENCH_LAB_WINDOW_HEAP;
  const heap = heapMode === '1' || heapMode === 'promoted';
  if (profiler && statsAsked === 2) {
    profiler.connect();
    if (heap) void profiler.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: heapMode !== 'promoted' } as never);
    else void profiler.post('Profiler.enable').then(() => profiler.post('Profiler.start'));
  }
  if (profiler && statsAsked === 6) {
    const write = async (profile: unknown): Promise<void> => (await import('node:fs')).writeFileSync(windowProf!, JSON.stringify(profile));
    const gc = (globalThis as { gc?: (o: object) => void }).gc;
    if (heapMode === 'promoted' && gc) for (let i = 0; i < 2; i++) gc({ type: 'minor' });
    if (heap) void profiler.post('HeapProfiler.stopSampling').then((r) => write(r.profile));
    else void profiler.post('Profiler.stop').then((r) => write(r.profile));
  }
  const u = process.cpuUsage();
  // The main thread's own CPU time (Linux: /proc/self/task/PID/stat, utime and stime in clock
  // ticks), to tell it from V8's and libuv's helper threads (concurrent marking, compilers).
  let mainCpuMs = 0;
  try {
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    mainCpuMs = ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    mainCpuMs = 0;
  }
  const m = process.memoryUsage();
  line({ kind: 'stats', realMs: performance.now(), cpuMs: (u.user + u.system) / 1000, mainCpuMs, rss: m.rss, heapUsed: m.heapUsed, shares, ...c });
});
