/**
 * The checks that make the browser-mode bridge behave like a local admin page: only this machine's
 * browser, on a page we served, holding the token printed by `wakelab serve`, may use the lab.
 *
 * - Host: a page on evil.example can re-point its own name at 127.0.0.1 (DNS rebinding) and then
 *   talk to us "same-origin"; its requests still carry `Host: evil.example`, so only the names
 *   we are reachable under are accepted.
 * - Origin: browsers do not apply the same-origin policy to WebSockets, so any site could open
 *   ws://127.0.0.1:PORT/api (cross-site WebSocket hijacking); the Origin header says who asked.
 * - Token: a secret per start, so other local users and programs cannot drive the lab either.
 *   It moves from the printed URL into an HttpOnly, SameSite=Strict cookie: scripts cannot read
 *   it, and other sites' pages cannot make the browser send it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';

export const COOKIE = 'wakelab_token';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Sent with every response, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison; hashing first hides the length of the secret as well. */
export function tokensEqual(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

export function tokenCookie(token: string): string {
  return `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** `host` as it appears in a URL or a Host header (IPv6 literals in brackets). */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The `name:port` values a Host header may carry: the loopback names, plus the bound address
 * when --host was given (every interface's address when that is a wildcard).
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  if (WILDCARDS.has(host)) {
    for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) names.push(urlHost(i.address));
  } else {
    names.push(urlHost(host));
  }
  return new Set(names.map((n) => `${n.toLowerCase()}:${port}`));
}

/** The address to print in the URL: a wildcard bind is still used from here via 127.0.0.1. */
export function displayHost(host: string): string {
  return WILDCARDS.has(host) ? '127.0.0.1' : urlHost(host);
}

export function hostAllowed(req: IncomingMessage, allowed: Set<string>): boolean {
  const host = req.headers.host;
  return typeof host === 'string' && allowed.has(host.toLowerCase());
}

/** An Origin header, when present (or when `required`), must be one of our own http origins. */
export function originAllowed(req: IncomingMessage, allowed: Set<string>, required: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return !required;
  const m = /^http:\/\/(.+)$/i.exec(origin);
  return m !== null && allowed.has(m[1]!.toLowerCase());
}

/** The token a request presents: `?token=` first (a fresh URL beats an old cookie), else the cookie. */
export function presentedToken(req: IncomingMessage): { token: string; fromQuery: boolean } | null {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0) {
    const t = new URLSearchParams(url.slice(q + 1)).get('token');
    if (t !== null) return { token: t, fromQuery: true };
  }
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return { token: part.slice(eq + 1).trim(), fromQuery: false };
  }
  return null;
}

export type Verdict = { ok: true; fromQuery: boolean } | { ok: false; status: number; message: string };

const ASK_FOR_URL = 'open the URL printed by `wakelab serve` (it carries the access token)';

/** Every check, in order, for an HTTP request or a WebSocket upgrade. */
export function checkRequest(req: IncomingMessage, allowed: Set<string>, token: string, upgrade: boolean): Verdict {
  if (!hostAllowed(req, allowed)) return { ok: false, status: 403, message: 'WakeLab: this address is not allowed (wrong Host header)' };
  if (!originAllowed(req, allowed, upgrade)) return { ok: false, status: 403, message: 'WakeLab: requests from other sites are not allowed' };
  const given = presentedToken(req);
  if (given === null) return { ok: false, status: 401, message: `WakeLab: ${ASK_FOR_URL}` };
  if (!tokensEqual(given.token, token)) return { ok: false, status: 403, message: `WakeLab: wrong or expired token; ${ASK_FOR_URL}` };
  return { ok: true, fromQuery: given.fromQuery };
}
