/**
 * Downlink traffic the virtual host pushes to a client's virtual IP, so a lab can reproduce what
 * push-notification services send to a sleeping phone: a UDP datagram of `bytes` data every
 * `everyS` seconds (optionally `count` of them), or a burst of `count` datagrams at once.
 *
 * Sans-IO: `add` takes `now`; the k-th datagram of a stream (k = 0, 1, ...) is due at exactly
 * start + k * everyS, computed from k rather than accumulated, so deadlines do not drift and
 * `next()` returns the very number at which `due()` releases the datagram. A caller that comes
 * late gets every datagram that fell due meanwhile, in time order.
 * Data is deterministic: the datagram's sequence number in the stream (32 bits, big-endian) in the
 * first 4 bytes, then a counter pattern (byte i holds i mod 256).
 */
import { WakeLabError } from '../errors.ts';
import { parseHostAddress } from './host-address.ts';
import { UDP_MAX_PAYLOAD } from './udp.ts';

/** A datagram of `bytes` bytes every `everyS` seconds, the first after `firstAfterS` (default everyS). */
export interface PeriodicPush {
  readonly to: string | number;
  readonly port: number;
  readonly bytes: number;
  readonly everyS: number;
  /** Stop after this many datagrams; endless when absent. */
  readonly count?: number;
  readonly firstAfterS?: number;
  /** Source port; the host's discard port when absent, so replies from the client are absorbed. */
  readonly fromPort?: number;
}

/** `count` datagrams of `bytes` bytes, all due now. */
export interface BurstPush {
  readonly to: string | number;
  readonly port: number;
  readonly bytes: number;
  readonly count: number;
  readonly fromPort?: number;
  readonly everyS?: undefined;
  readonly firstAfterS?: undefined;
}

export type PushSpec = PeriodicPush | BurstPush;

/** A burst is built at once; beyond this it is a flood, not a notification. */
export const MAX_BURST = 65535;

/** One datagram that is due. */
export interface DuePush {
  /** The stream's id (from `add`). */
  readonly id: number;
  /** Its number within the stream, from 0. */
  readonly seq: number;
  /** When it was due. */
  readonly at: number;
  readonly to: number;
  readonly port: number;
  readonly fromPort: number;
  readonly bytes: number;
}

interface Stream {
  readonly id: number;
  readonly to: number;
  readonly port: number;
  readonly fromPort: number;
  readonly bytes: number;
  readonly startAt: number;
  /** 0 for a burst. */
  readonly everyS: number;
  /** Infinity for an endless periodic push. */
  readonly total: number;
  sent: number;
}

const SPEC_KEYS = new Set(['to', 'port', 'bytes', 'everyS', 'count', 'firstAfterS', 'fromPort']);

export class PushSchedule {
  /** Few streams at a time (a lab's handful), so a scan beats a heap; insertion order is id order. */
  private readonly streams = new Map<number, Stream>();
  private lastId = 0;

  /** Validates `spec` (throws INVALID_ARGUMENT naming the field) and starts the stream; returns its id. */
  add(now: number, spec: PushSpec, defaultFromPort: number): number {
    if (typeof now !== 'number' || !Number.isFinite(now)) fail('now', 'a finite number of seconds', now);
    if (spec === null || typeof spec !== 'object') fail('spec', 'an object { to, port, bytes, everyS | count }', spec);
    // Read as plain data: a caller may pass JSON from a lab script, not only typed objects.
    const f = spec as unknown as Record<string, unknown>;
    for (const k of Object.keys(f)) if (!SPEC_KEYS.has(k)) fail(k, `no such field (known: ${[...SPEC_KEYS].join(', ')})`, f[k]);
    const to = parseHostAddress('to', f.to, 'push: ');
    const port = checkInt('port', f.port, 1, 0xffff);
    const fromPort = f.fromPort === undefined ? defaultFromPort : checkInt('fromPort', f.fromPort, 1, 0xffff);
    const bytes = checkInt('bytes', f.bytes, 0, UDP_MAX_PAYLOAD);
    let everyS = 0;
    let total: number;
    let startAt = now;
    if (f.everyS !== undefined) {
      everyS = checkSeconds('everyS', f.everyS, 'a finite number of seconds above 0', (v) => v > 0);
      total = f.count === undefined ? Infinity : checkInt('count', f.count, 1, Number.MAX_SAFE_INTEGER);
      startAt = now + (f.firstAfterS === undefined ? everyS : checkSeconds('firstAfterS', f.firstAfterS, 'a finite number of seconds, 0 or more', (v) => v >= 0));
    } else {
      if (f.count === undefined) fail('everyS', 'a period (periodic push), or give "count" (a burst)', undefined);
      if (f.firstAfterS !== undefined) fail('firstAfterS', 'nothing for a burst (it is due now)', f.firstAfterS);
      total = checkInt('count', f.count, 1, MAX_BURST);
    }
    const id = ++this.lastId;
    this.streams.set(id, { id, to, port, fromPort, bytes, startAt, everyS, total, sent: 0 });
    return id;
  }

  /** Stops a stream; false when no such stream is running (unknown, stopped, or finished). */
  remove(id: number): boolean {
    return this.streams.delete(id);
  }

  get size(): number {
    return this.streams.size;
  }

  /** When the next datagram is due, Infinity when none is scheduled. */
  next(): number {
    let at = Infinity;
    for (const s of this.streams.values()) at = Math.min(at, dueAt(s));
    return at;
  }

  /** Takes out every datagram due at `now`, in time order (ties in stream order). */
  due(now: number): DuePush[] {
    const out: DuePush[] = [];
    let streams = 0;
    for (const s of this.streams.values()) {
      const before = out.length;
      for (let at = dueAt(s); at <= now; at = dueAt(s)) {
        out.push({ id: s.id, seq: s.sent, at, to: s.to, port: s.port, fromPort: s.fromPort, bytes: s.bytes });
        s.sent++;
      }
      if (out.length > before) streams++;
      if (s.sent >= s.total) this.streams.delete(s.id);
    }
    // Array.prototype.sort is stable (ES2019), so equal times keep stream order.
    if (streams > 1) out.sort((a, b) => a.at - b.at);
    return out;
  }
}

/** The data of datagram `seq`, written into `b` at `at` (`bytes` long). */
export function fillPushPayload(b: Uint8Array, at: number, bytes: number, seq: number): void {
  for (let i = 0; i < bytes; i++) b[at + i] = i & 0xff;
  if (bytes >= 4) {
    b[at] = seq >>> 24;
    b[at + 1] = (seq >>> 16) & 0xff;
    b[at + 2] = (seq >>> 8) & 0xff;
    b[at + 3] = seq & 0xff;
  }
}

function dueAt(s: Stream): number {
  return s.sent < s.total ? s.startAt + s.sent * s.everyS : Infinity;
}

function checkInt(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(field, `a whole number from ${min} to ${max}`, v);
  return v;
}

function checkSeconds(field: string, v: unknown, expected: string, okay: (v: number) => boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !okay(v)) fail(field, expected, v);
  return v;
}

function fail(field: string, expected: string, got: unknown): never {
  throw new WakeLabError('INVALID_ARGUMENT', `push: "${field}" expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`);
}
