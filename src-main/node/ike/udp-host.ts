/**
 * Runs a sans-IO IKE engine (the Responder or the Initiator) on real UDP sockets and a real clock:
 * one socket per local port (IKE and NAT-T, RFC 3948), datagrams in with their addresses, the
 * engine's datagrams out from the port it names, and one timer armed for its next deadline.
 */
import dgram from 'node:dgram';
import type { Endpoint, IkeEvent, Output } from '../../core/ike/io.ts';
import { attachBatchReceiver, type BatchReceiver } from './udp-batch.ts';

export interface Engine {
  receive(now: number, datagram: Uint8Array, from: Endpoint, to: Endpoint): void;
  /**
   * True when `receive` keeps no reference to this datagram's octets once it returns: a batched
   * host may then hand it a view of a buffer it reuses. Without it (or false) it gets a copy.
   */
  transient?(datagram: Uint8Array, to: Endpoint): boolean;
  tick(now: number): void;
  nextDeadline(): number;
  drain(): Output[];
}

export interface HostOptions {
  /** Address to bind (0.0.0.0 = all). */
  readonly address: string;
  /** The address to report as the local one (NAT detection hashes it, RFC 7296 2.23). */
  readonly localAddress: string;
  readonly ports: readonly number[];
  readonly onEvent: (e: IkeEvent) => void;
  /** Seconds on a monotonic clock (default: performance.now(), times `timeScale`). */
  readonly clock?: () => number;
  /**
   * How many engine seconds pass per real second (default 1): labs and fleets run accelerated
   * with the same scale, so both ends see the same times. Timers are armed for real time.
   */
  readonly timeScale?: number;
  /**
   * `batched`: read with recvmmsg through the native addon (udp-batch.ts), many datagrams per
   * call into JavaScript, falling back to node:dgram where that cannot run; `dgram` (default):
   * node:dgram, one call per datagram.
   */
  readonly receive?: 'batched' | 'dgram';
}

/** How the host reads its sockets: `dgram` with the reason when `batched` was asked for and could not run. */
export interface ReceivePath {
  readonly name: 'batched' | 'dgram';
  readonly fallback?: string;
}

/** Seconds, monotonic; a double, not a BigInt (this runs for every datagram). */
const monotonic = (): number => performance.now() / 1000;

/** The kernel's receive buffer we ask for (capped at net.core.rmem_max): a burst of ESP must wait
 * here while the single thread is busy; the default 212,992 octets overflowed under a flood. */
const RECV_BUFFER = 4 << 20;

/** How late (real seconds) a timer may run and still be given its own due time. */
const MAX_LATE_REAL_S = 1;

export class UdpHost {
  private readonly sockets = new Map<number, dgram.Socket>();
  private readonly receivers: BatchReceiver[] = [];
  /** Set by start(). */
  receivePath: ReceivePath = { name: 'dgram' };
  /** The latest time given to the engine. */
  private last = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  /** The deadline `timer` was armed for. */
  private timerDue = Infinity;
  private closed = false;
  readonly clock: () => number;
  private readonly scale: number;

  constructor(
    private readonly engine: Engine,
    private readonly o: HostOptions,
  ) {
    this.scale = o.timeScale ?? 1;
    if (!(this.scale > 0 && Number.isFinite(this.scale))) throw new RangeError(`"timeScale" expected a number above 0, got ${String(o.timeScale)}`);
    const scale = this.scale;
    this.clock = o.clock ?? (scale === 1 ? monotonic : () => monotonic() * scale);
  }

  /**
   * Binds every port; rejects with the socket error (EADDRINUSE, EACCES) if one fails, with the
   * ports already bound closed again. Returns the bound ports.
   */
  async start(): Promise<number[]> {
    try {
      return await this.bindAll();
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  private async bindAll(): Promise<number[]> {
    const bound: number[] = [];
    for (const port of this.o.ports) {
      const s = dgram.createSocket({ type: 'udp4', reuseAddr: false, recvBufferSize: RECV_BUFFER });
      await new Promise<void>((ok, fail) => {
        s.once('error', (e) => {
          try {
            s.close();
          } catch {
            // already closed by node:dgram
          }
          fail(e);
        });
        s.bind({ address: this.o.address, port, exclusive: true }, () => {
          s.removeAllListeners('error');
          ok();
        });
      });
      const actual = s.address().port;
      bound.push(actual);
      this.sockets.set(actual, s);
      s.on('error', () => {}); // ICMP errors from unreachable peers surface here; the engine's retransmissions deal with them
      const to: Endpoint = { address: this.o.localAddress, port: actual };
      if (this.o.receive === 'batched' && this.receivePath.fallback === undefined) {
        const engine = this.engine;
        const r = attachBatchReceiver(s, (bytes, address, port) => {
          if (this.closed) return;
          // A view of the batch buffer, overwritten by the next batch: copied unless the engine keeps nothing of it.
          engine.receive(this.now(), engine.transient?.(bytes, to) === true ? bytes : bytes.slice(), { address, port }, to);
          this.flush();
        });
        if (typeof r !== 'string') {
          this.receivers.push(r);
          this.receivePath = { name: 'batched' };
          continue;
        }
        this.receivePath = { name: 'dgram', fallback: `listen.receive "batched": ${r}; using node:dgram` };
      }
      s.on('message', (msg, rinfo) => {
        if (this.closed) return;
        this.engine.receive(this.now(), new Uint8Array(msg.buffer, msg.byteOffset, msg.length), { address: rinfo.address, port: rinfo.port }, to);
        this.flush();
      });
    }
    this.arm();
    return bound;
  }

  /** Runs an action on the engine (connect, dpd, close) and sends what it produced. */
  act(fn: (now: number) => void): void {
    fn(this.now());
    this.flush();
  }

  private flush(): void {
    for (const o of this.engine.drain()) {
      if (o.kind === 'event') this.o.onEvent(o.event);
      else {
        const s = this.sockets.get(o.from.port) ?? this.sockets.values().next().value;
        s?.send(o.bytes, o.to.port, o.to.address);
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.closed) return;
    const due = this.engine.nextDeadline();
    // Runs after every datagram, and most leave the next deadline where it was: the timer then
    // stays, instead of a clearTimeout + setTimeout (a new Timeout object) per datagram.
    if (this.timer && due === this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    if (!Number.isFinite(due)) {
      this.timer = null;
      return;
    }
    const ms = Math.max(0, Math.min(((due - this.clock()) * 1000) / this.scale, 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null; // fired: the arm() after this tick must set a new one
      this.engine.tick(this.timerNow(due));
      this.flush();
    }, ms);
  }

  /** The time the engine was last given (events it reports happened then). */
  get engineTime(): number {
    return Number.isFinite(this.last) ? this.last : this.clock();
  }

  /** The clock, never behind a time the engine was already given. */
  private now(): number {
    const t = this.clock();
    if (t > this.last) this.last = t;
    return this.last;
  }

  /**
   * The time a timer for `due` runs the engine at: `due` itself when the event loop ran it late
   * (by at most MAX_LATE_REAL_S of real time), so a loaded machine delays what is sent but does not
   * stretch the engine's schedules: at 100 times real time every millisecond of lag would
   * otherwise add 0.1 s to each keepalive interval. Later than that (a suspended machine), the
   * clock.
   */
  private timerNow(due: number): number {
    const t = this.clock();
    const at = Math.max(this.last, t - due <= MAX_LATE_REAL_S * this.scale ? due : t);
    this.last = Math.max(this.last, at);
    return at;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const r of this.receivers.splice(0)) r.close();
    await Promise.all([...this.sockets.values()].map((s) => new Promise<void>((done) => s.close(() => done()))));
    this.sockets.clear();
  }
}
