// Browser-mode bridge over WebSocket: upgrade checks, calls as envelopes, events, malformed frames.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CompareSpec, LabApi } from '../../src-main/contract.ts';
import { WakeLabError } from '../../src-main/core/errors.ts';
import { startBridge, type Bridge } from '../../src-main/bridge/server.ts';
import { EventHub } from '../../src-main/node/event-hub.ts';

const INFO = { version: '9.9.9', mode: 'browser', databasePath: '/tmp/t.db', userProfilesDir: '/tmp/profiles' };

let dir: string;
let bridge: Bridge;
let hub: EventHub;
let subs: { live: number };
const sockets: WebSocket[] = [];

/** A fake lab: `info` answers, `compare` reports progress on the hub, `validate` refuses. */
function fakeApi(hub: EventHub): LabApi {
  return {
    info: async () => INFO,
    compare: async (spec: CompareSpec) => {
      hub.emit('progress', { jobId: spec.jobId, done: 1, total: 2 });
      hub.emit('progress', { jobId: spec.jobId, done: 2, total: 2 });
      return { comparisonId: null, runs: [] };
    },
    validate: async () => {
      throw new WakeLabError('INVALID_ARGUMENT', 'kind must be policy, radio or scenario');
    },
  } as unknown as LabApi;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wakelab-ws-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  hub = new EventHub();
  // Count this hub's live subscriptions, to see sockets unsubscribe when they close.
  const counter = (subs = { live: 0 });
  const subscribe = hub.subscribe.bind(hub);
  hub.subscribe = (l) => {
    counter.live++;
    const off = subscribe(l);
    return () => {
      counter.live--;
      off();
    };
  };
  bridge = await startBridge({ api: fakeApi(hub), hub, rendererDir: dir, host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await bridge?.close();
  rmSync(dir, { recursive: true, force: true });
});

function within<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const own = (): string => `http://127.0.0.1:${bridge.port}`;
const withCookie = (extra: Record<string, string> = {}): Record<string, string> => ({ Cookie: `wakelab_token=${bridge.token}`, ...extra });

/** Opens /api: resolves with the socket, or with the HTTP status of a refused upgrade. */
function open(opts: { origin?: string; headers?: Record<string, string>; path?: string } = {}): Promise<WebSocket | number> {
  const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}${opts.path ?? '/api'}`, { origin: opts.origin, headers: opts.headers });
  sockets.push(ws);
  ws.on('error', () => {}); // a refused handshake also ends in 'error'
  return within(
    new Promise((ok, fail) => {
      ws.on('open', () => ok(ws));
      ws.on('unexpected-response', (_req, res) => {
        res.resume();
        ok(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('error', fail);
    }),
    'WebSocket upgrade',
  );
}

async function openOk(): Promise<{ ws: WebSocket; next: (pred: (m: any) => boolean) => Promise<any> }> {
  const ws = await open({ origin: own(), headers: withCookie() });
  if (typeof ws === 'number') throw new Error(`upgrade refused: ${ws}`);
  const seen: any[] = [];
  const waiting: Array<() => void> = [];
  ws.on('message', (data) => {
    seen.push(JSON.parse(String(data)));
    for (const w of waiting.splice(0)) w();
  });
  const next = (pred: (m: any) => boolean): Promise<any> =>
    within(
      new Promise((ok) => {
        const look = (): void => {
          const i = seen.findIndex(pred);
          if (i >= 0) ok(seen.splice(i, 1)[0]);
          else waiting.push(look);
        };
        look();
      }),
      'a message',
    );
  return { ws, next };
}

describe('the upgrade', () => {
  it('refuses a missing or wrong token', async () => {
    expect(await open({ origin: own() })).toBe(401);
    expect(await open({ origin: own(), headers: { Cookie: 'wakelab_token=wrong' } })).toBe(403);
    expect(await open({ origin: own(), path: '/api?token=wrong' })).toBe(403);
  });

  it('refuses foreign Host headers', async () => {
    expect(await open({ origin: own(), headers: withCookie({ Host: `evil.example:${bridge.port}` }) })).toBe(403);
    expect(await open({ origin: own(), headers: withCookie({ Host: `127.0.0.1:${bridge.port + 1}` }) })).toBe(403);
  });

  it('refuses a foreign Origin and a missing one (cross-site WebSocket hijacking)', async () => {
    expect(await open({ origin: 'http://evil.example', headers: withCookie() })).toBe(403);
    expect(await open({ origin: `http://evil.example:${bridge.port}`, headers: withCookie() })).toBe(403);
    expect(await open({ headers: withCookie() })).toBe(403);
  });

  it('does not keep a refused connection open when the client never closes its side', async () => {
    const socket = connect({ port: bridge.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('error', () => {});
    const ended = new Promise<void>((done) => socket.once('end', () => done()));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    // A raw upgrade without a token; this client never ends its side of the connection.
    socket.write(`GET /api HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\nOrigin: ${own()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await within(ended, 'the refusal');
    expect(answer).toMatch(/^HTTP\/1.1 401/);
    // The half-open client must not hold the server: close() finishes at once.
    await within(bridge.close(), 'close() with a half-open refused client', 2000);
    socket.destroy();
  });

  it('accepts the token in the query, and refuses other paths', async () => {
    expect(await open({ origin: own(), path: `/api?token=${bridge.token}` })).toBeInstanceOf(WebSocket);
    expect(await open({ origin: own(), headers: withCookie(), path: '/other' })).toBe(404);
    expect(await open({ origin: own(), headers: withCookie(), path: '/' })).toBe(404);
  });
});

describe('calls and events', () => {
  it('answers calls with envelopes', async () => {
    const { ws, next } = await openOk();
    ws.send(JSON.stringify({ type: 'call', id: 1, name: 'info' }));
    expect(await next((m) => m.id === 1)).toEqual({ type: 'result', id: 1, envelope: { ok: true, value: INFO } });
    ws.send(JSON.stringify({ type: 'call', id: 2, name: 'validate', arg: { kind: 'x', value: 1 } }));
    expect((await next((m) => m.id === 2)).envelope).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'kind must be policy, radio or scenario' } });
    ws.send(JSON.stringify({ type: 'call', id: 3, name: 'constructor' }));
    expect((await next((m) => m.id === 3)).envelope.error.code).toBe('UNKNOWN_CALL');
  });

  it('forwards hub events to every client', async () => {
    const a = await openOk();
    const b = await openOk();
    a.ws.send(JSON.stringify({ type: 'call', id: 9, name: 'compare', arg: { jobId: 'j1' } }));
    for (const c of [a, b]) {
      expect(await c.next((m) => m.type === 'event' && m.payload.done === 1)).toEqual({ type: 'event', name: 'progress', payload: { jobId: 'j1', done: 1, total: 2 } });
      expect(await c.next((m) => m.type === 'event' && m.payload.done === 2)).toMatchObject({ name: 'progress' });
    }
    expect((await a.next((m) => m.id === 9)).envelope).toEqual({ ok: true, value: { comparisonId: null, runs: [] } });
  });

  it('answers malformed frames with BAD_REQUEST when it can, and keeps serving', async () => {
    const { ws, next } = await openOk();
    ws.send('not json');
    ws.send('[1,2]');
    ws.send(JSON.stringify({ type: 'call', id: 'x', name: 'info' }));
    ws.send(JSON.stringify({ type: 'hello', id: 4 }));
    ws.send(JSON.stringify({ type: 'call', id: 5, name: 42 }));
    ws.send(Buffer.from(JSON.stringify({ type: 'call', id: 6, name: 'info' })), { binary: true });
    for (const id of [4, 5, 6]) expect((await next((m) => m.id === id)).envelope.error.code, String(id)).toBe('BAD_REQUEST');
    ws.send(JSON.stringify({ type: 'call', id: 7, name: 'info' }));
    expect((await next((m) => m.id === 7)).envelope.ok).toBe(true);
  });

  it('unsubscribes a socket from the hub when it closes', async () => {
    const gone = await openOk();
    const stays = await openOk();
    expect(subs.live).toBe(2);
    gone.ws.close();
    await within(
      (async () => {
        while (subs.live !== 1) await new Promise((r) => setTimeout(r, 10));
      })(),
      'unsubscribe',
    );
    hub.emit('progress', { jobId: 'after', done: 0, total: 1 });
    expect((await stays.next((m) => m.type === 'event')).payload.jobId).toBe('after');
  });
});
