// Browser-mode bridge over HTTP: token, Host and Origin checks, headers, static files, traversal.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabApi } from '../../src-main/contract.ts';
import { startBridge, type Bridge } from '../../src-main/bridge/server.ts';
import { EventHub } from '../../src-main/node/event-hub.ts';

const INDEX = '<!doctype html><title>WakeLab test</title><script type="module" src="/assets/app.js"></script>';
let dir: string;
let bridge: Bridge;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wakelab-bridge-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), INDEX);
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log("hi");');
  writeFileSync(join(renderer, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(renderer, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, 'secret.txt'), 'SECRET');
  symlinkSync(join(dir, 'secret.txt'), join(renderer, 'assets', 'link.txt'));
  bridge = await startBridge({ api: {} as LabApi, hub: new EventHub(), rendererDir: renderer, host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  await bridge?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request with exactly these headers (Host defaults to the bridge's own), bounded in time. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: bridge.port, path, method, headers: { Host: `127.0.0.1:${bridge.port}`, ...headers }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out: ${method} ${path}`)));
    req.on('error', fail);
    req.end();
  });
}

const cookie = (): Record<string, string> => ({ Cookie: `wakelab_token=${bridge.token}` });

describe('the URL and the token', () => {
  it('prints a loopback URL with a fresh random token', async () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`);
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('serves index.html for the URL and sets the token cookie', async () => {
    const r = await get(`/?token=${bridge.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toBe(INDEX);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['set-cookie']).toEqual([`wakelab_token=${bridge.token}; HttpOnly; SameSite=Strict; Path=/`]);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'; script-src 'self'; style-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves assets to the cookie, with their content types', async () => {
    const js = await get('/assets/app.js', cookie());
    expect(js.status).toBe(200);
    expect(js.body).toBe('console.log("hi");');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['set-cookie']).toBeUndefined();
    expect((await get('/assets/app.css', cookie())).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/assets/logo.svg', cookie())).headers['content-type']).toBe('image/svg+xml');
    expect((await get('/', cookie())).body).toBe(INDEX);
  });

  it('refuses requests without a token, pointing at the printed URL', async () => {
    for (const path of ['/', '/assets/app.js', '/index.html']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(r.body).toContain('wakelab serve');
      expect(r.body).not.toContain(bridge.token);
    }
  });

  it('refuses a wrong token, in the query or the cookie', async () => {
    expect((await get('/?token=wrong')).status).toBe(403);
    expect((await get(`/?token=${bridge.token}x`)).status).toBe(403);
    expect((await get('/assets/app.js', { Cookie: 'wakelab_token=nope' })).status).toBe(403);
  });
});

describe('Host and Origin', () => {
  it('refuses foreign Host headers (DNS rebinding)', async () => {
    const url = `/?token=${bridge.token}`;
    expect((await get(url, { Host: `evil.example:${bridge.port}` })).status).toBe(403);
    expect((await get(url, { Host: `127.0.0.1:${bridge.port + 1}` })).status).toBe(403);
    expect((await get(url, { Host: '127.0.0.1' })).status).toBe(403);
    expect((await get(url, { Host: `localhost:${bridge.port}` })).status).toBe(200);
    expect((await get(url, { Host: `[::1]:${bridge.port}` })).status).toBe(200);
  });

  it('refuses foreign Origins and accepts our own', async () => {
    expect((await get('/assets/app.js', { ...cookie(), Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/assets/app.js', { ...cookie(), Origin: 'null' })).status).toBe(403);
    expect((await get('/assets/app.js', { ...cookie(), Origin: `https://127.0.0.1:${bridge.port}` })).status).toBe(403);
    expect((await get('/assets/app.js', { ...cookie(), Origin: `http://127.0.0.1:${bridge.port}` })).status).toBe(200);
  });
});

describe('static files', () => {
  it('serves GET and HEAD only', async () => {
    const head = await get('/assets/app.js', cookie(), 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe('18');
    const post = await get('/', cookie(), 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('answers 404 for unknown paths and directories', async () => {
    expect((await get('/nope', cookie())).status).toBe(404);
    expect((await get('/assets', cookie())).status).toBe(404);
    expect((await get('/assets/', cookie())).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2E%2E/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%00/index.html',
    `//${'..'}/secret.txt`,
    '/assets/link.txt',
    'http://127.0.0.1/../secret.txt',
  ])('refuses the path traversal %s', async (path) => {
    const r = await get(path, cookie());
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
  });
});

it('fails with BUSY when the port is taken', async () => {
  const other = createServer();
  await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
  const port = (other.address() as { port: number }).port;
  try {
    await expect(startBridge({ api: {} as LabApi, hub: new EventHub(), rendererDir: dir, port })).rejects.toMatchObject({ code: 'BUSY' });
  } finally {
    await new Promise((ok) => other.close(ok));
  }
});
