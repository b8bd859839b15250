// `wakelab serve` end to end: a real process, a temporary database and a stand-in built renderer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

const BIN = new URL('../../bin/wakelab.js', import.meta.url).pathname;
const INDEX = '<!doctype html><title>served</title>';
let dir: string;
let child: ChildProcess | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wakelab-serve-'));
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), INDEX);
});

afterEach(() => {
  // Only the process this test started, by its handle.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  rmSync(dir, { recursive: true, force: true });
});

function env(renderer = join(dir, 'renderer')): NodeJS.ProcessEnv {
  return { ...process.env, WAKELAB_RENDERER_DIR: renderer, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), WAKELAB_DB: '' };
}

function within<T>(p: Promise<T>, what: string, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A command that should fail quickly: its status and output. */
function wakelab(args: string[], e = env()): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: e, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', fail);
  });
}

describe('wakelab serve', () => {
  it('prints one line with the URL, serves the UI and the API, and exits 0 on SIGTERM', async () => {
    const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', join(dir, 't.db')], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let out = '';
    let err = '';
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<{ code: number | null; signal: string | null }>((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));

    await within(
      new Promise<void>((ok, fail) => {
        proc.stdout!.on('data', () => out.includes('\n') && ok());
        void exited.then((x) => fail(new Error(`exited early (${x.code}): ${err}`)));
      }),
      'the URL line',
      30_000,
    );
    const m = /^WakeLab is running at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))\n$/.exec(out);
    expect(m, out).not.toBeNull();
    const [, url, port, token] = m!;

    expect(await fetchText(url!)).toEqual({ status: 200, body: INDEX });
    expect((await fetchText(`http://127.0.0.1:${port}/`)).status).toBe(401);

    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, { origin: `http://127.0.0.1:${port}` });
    ws.on('error', () => {});
    await within(new Promise((ok) => ws.on('open', ok)), 'WebSocket open', 5000);
    ws.send(JSON.stringify({ type: 'call', id: 1, name: 'info' }));
    const reply = await within(new Promise<any>((ok) => ws.on('message', (d) => ok(JSON.parse(String(d))))), 'info', 10_000);
    expect(reply.envelope).toMatchObject({ ok: true, value: { mode: 'browser', databasePath: join(dir, 't.db') } });

    proc.kill('SIGTERM');
    expect(await within(exited, 'exit after SIGTERM', 10_000)).toEqual({ code: 0, signal: null });
    expect(out.split('\n')).toHaveLength(2); // exactly one line
    expect(err).toBe('');
  });

  it('asks for `npm run build` when there is no built UI', () => {
    const r = wakelab(['serve', '--db', join(dir, 't.db')], env(join(dir, 'missing')));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^wakelab: .*npm run build.*\n$/);
  });

  it.each(['70000', '-1', '1.5', 'abc'])('refuses --port %s in one line', (port) => {
    const r = wakelab(['serve', `--port=${port}`, '--db', join(dir, 't.db')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^wakelab: --port must be an integer from 0 to 65535 .*\n$/);
  });

  it('reports a port in use in one line', async () => {
    const busy = createServer();
    await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', ok));
    try {
      const port = String((busy.address() as { port: number }).port);
      const r = wakelab(['serve', '--port', port, '--db', join(dir, 't.db')]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^wakelab: cannot listen on 127\.0\.0\.1:\d+: the port is already in use.*\n$/);
    } finally {
      await new Promise((ok) => busy.close(ok));
    }
  });
});
