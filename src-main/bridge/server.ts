/**
 * Browser mode: the built renderer and the lab's API on one loopback HTTP server. Static files
 * are served at `/`, the contract over a WebSocket at `/api` (ws-api.ts). Every request and every
 * WebSocket upgrade passes the Host, Origin and token checks of security.ts first; the upgrade is
 * handled here (ws with `noServer`) so a refused client never completes the handshake.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import type { LabApi } from '../contract.ts';
import { WakeLabError } from '../core/errors.ts';
import type { EventHub } from '../node/event-hub.ts';
import { allowedHosts, checkRequest, displayHost, newToken, SECURITY_HEADERS, tokenCookie } from './security.ts';
import { contentType, resolveStatic } from './static.ts';
import { attachSocket } from './ws-api.ts';

export interface BridgeOptions {
  api: LabApi;
  hub: EventHub;
  /** The built renderer: index.html and its assets. */
  rendererDir: string;
  /** Address to bind; loopback unless the user explicitly asks otherwise. */
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Access token; a fresh random one per start when absent. */
  token?: string;
  log?: (message: string) => void;
}

export interface Bridge {
  /** The address to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Generous for any call's argument (a trace, a profile), small enough to bound memory. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const log = opts.log ?? ((m: string) => void process.stderr.write(m + '\n'));
  const root = resolve(opts.rendererDir);
  let allowed = new Set<string>(); // filled in once the port is known

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });

  const server = createServer((req, res) => {
    serveHttp(req, res).catch((e: unknown) => {
      log(`wakelab: bridge: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) plain(withHeaders(res), 500, 'WakeLab: internal error');
      else res.destroy();
    });
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    withHeaders(res);
    const verdict = checkRequest(req, allowed, token, false);
    if (!verdict.ok) return plain(res, verdict.status, verdict.message);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'WakeLab: only GET and HEAD are served');
    }
    if (verdict.fromQuery) res.setHeader('Set-Cookie', tokenCookie(token));
    const url = req.url ?? '/';
    if (url.split('?', 1)[0] === '/api') return plain(res, 426, 'WakeLab: /api is a WebSocket endpoint');
    const file = await resolveStatic(root, url);
    if (file === null) return plain(res, 404, 'WakeLab: not found');
    const body = await readFile(file);
    res.statusCode = 200;
    res.setHeader('Content-Type', contentType(file));
    res.setHeader('Content-Length', body.length);
    // The page is the entry point carrying the session: never keep a copy of it around.
    res.setHeader('Cache-Control', basename(file) === 'index.html' ? 'no-store' : 'no-cache');
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  // Upgraded sockets leave the HTTP server's bookkeeping (timeouts, closeAllConnections): a
  // refused one is destroyed once its answer is written, or at close if the client never reads it.
  const refused = new Set<Duplex>();
  const refuse = (socket: Duplex, status: number, message: string): void => {
    refused.add(socket);
    socket.once('close', () => refused.delete(socket));
    refuseUpgrade(socket, status, message);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // a client that vanishes mid-handshake is not our problem
    const verdict = checkRequest(req, allowed, token, true);
    if (!verdict.ok) return refuse(socket, verdict.status, verdict.message);
    if ((req.url ?? '').split('?', 1)[0] !== '/api') return refuse(socket, 404, 'WakeLab: not found');
    wss.handleUpgrade(req, socket, head, (ws) => attachSocket(ws, opts.api, opts.hub, log));
  });

  const port = await listen(server, host, opts.port ?? 0);
  allowed = allowedHosts(host, port);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((done) => {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of refused) socket.destroy();
      wss.close();
      server.close(() => done());
      server.closeAllConnections();
    }));

  return { url: `http://${displayHost(host)}:${port}/?token=${token}`, port, token, close };
}

function withHeaders(res: ServerResponse): ServerResponse {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  return res;
}

function plain(res: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(message + '\n');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = Buffer.from(message + '\n');
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${body.length}`,
    'Connection: close',
    ...Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  socket.once('finish', () => socket.destroy()); // do not wait for the client to close its side
  socket.end(Buffer.concat([Buffer.from(head + '\r\n\r\n'), body]));
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (e.code === 'EADDRINUSE') fail(new WakeLabError('BUSY', `cannot listen on ${where}: the port is already in use (choose another, or 0 for any free port)`));
      else if (e.code === 'EADDRNOTAVAIL') fail(new WakeLabError('INVALID_ARGUMENT', `cannot listen on ${where}: no such address on this machine`));
      else if (e.code === 'EACCES') fail(new WakeLabError('INVALID_ARGUMENT', `cannot listen on ${where}: permission denied`));
      else fail(new WakeLabError('INVALID_ARGUMENT', `cannot listen on ${where}: ${e.code ?? e.message}`));
    });
    server.listen({ host, port, exclusive: true }, () => {
      const addr = server.address();
      ok(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}
