// Smoke test of the `esp-testbed` benchmark's pieces that need no root (test/bench/esp-testbed-bench.ts):
// the blaster and the sink on loopback (paced, so nothing is lost), the `openssl speed -mr` parser,
// and the report of a run skipped for want of root. No timing: `npm run bench -- --only=esp-testbed`
// measures, as root (BENCHMARKS.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { ESP_TESTBED_QUICK, espTestbedReport } from '../esp-testbed-bench.ts';
import type { BlastDone } from './blaster.ts';
import { parseMr } from './ceiling.ts';

const BLASTER = fileURLToPath(new URL('./blaster.ts', import.meta.url));
const SINK = fileURLToPath(new URL('./sink.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts a script; its JSON stdout lines go to `lines`. */
function startScript(script: string, args: string[], lines: Record<string, unknown>[]): ChildProcess {
  const c = spawn(process.execPath, ['--import', TSX, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(c);
  createInterface({ input: c.stdout! }).on('line', (l) => {
    if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  return c;
}

async function until<T>(what: string, ms: number, f: () => T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

describe('ESP testbed benchmark pieces', () => {
  it('the blaster sends sized datagrams at its pace and the sink counts all of them (loopback)', { timeout: 60_000 }, async () => {
    const sinkLines: Record<string, unknown>[] = [];
    startScript(SINK, ['127.0.0.1', '0', '0.1'], sinkLines);
    const port = await until('the sink', 15_000, () => sinkLines.find((l) => l.kind === 'listening')?.port as number | undefined);
    const out: Record<string, unknown>[] = [];
    const blaster = startScript(BLASTER, [JSON.stringify({ src: '127.0.0.1', dst: '127.0.0.1', port, innerBytes: 100, durationS: 0.5, ratePps: 2000, watch: { self: process.pid } })], out);
    const done = (await until('the blaster', 15_000, () => out.find((l) => l.kind === 'done' || l.kind === 'error'))) as unknown as BlastDone;
    // It may have exited already (then 'exit' will not fire again).
    if (blaster.exitCode === null && blaster.signalCode === null) await new Promise((ok) => blaster.once('exit', ok));
    expect(done.kind).toBe('done');
    expect(done.errors).toEqual({});
    expect(done.sent).toBe(done.issued);
    // Paced at 2000/s for 0.5 s: about 1000, never ahead of the schedule.
    expect(done.sent).toBeGreaterThan(500);
    expect(done.sent).toBeLessThanOrEqual(2000 * done.durationS + 2);
    expect(done.t1).toBeGreaterThan(done.t0);
    expect(done.watchCpuS.self).toBeGreaterThanOrEqual(0);
    // Each datagram carries innerBytes - 28 octets of UDP data (20 IP + 8 UDP header octets).
    const last = await until('the sink to count every datagram', 5000, () => {
      const l = sinkLines.filter((x) => x.kind === 'count').at(-1);
      return l && l.n === done.sent ? l : undefined;
    });
    expect(last.bytes).toBe(done.sent * 72);
  });

  it('reads `openssl speed -mr` output', () => {
    const out = '+DT:AES-128-GCM:1:1408\n+R:975915:AES-128-GCM:0.990000\n+H:1408\n+F:25:AES-128-GCM:1387968000.00\n';
    expect(parseMr(out, 'aes-128-gcm')).toEqual({ blockBytes: 1408, bytesPerS: 1387968000 });
    expect(parseMr('nothing here', 'aes-128-gcm')).toBeNull();
  });

  it('reports a run skipped for want of root, with the goal unknown', () => {
    const r = espTestbedReport({ runs: [], ceiling: { ok: false, command: 'openssl speed', why: 'no openssl on PATH' }, charonLoad: '', code: 'abc', skipped: 'needs root (uid 0)' }, ESP_TESTBED_QUICK);
    expect(r.lines[0]).toMatch(/^Skipped: needs root/);
    expect(r.goals).toEqual([['ESP testbed: delivered pps, WakeLab / charon', '>= 1.00x', 'not run (needs root)', 'unknown']]);
  });
});
