/**
 * The live estimator: the Gateway's events in, each client's radio (client-meter.ts) out. Clients
 * are known by their IKE identity, so a client keeps its meter across rekeys (RFC 7296 2.18), a
 * restored gateway (ike-restored) and reconnects. Traffic of an IKE SA whose peer is not yet
 * authenticated (IKE_SA_INIT, IKE_AUTH) waits for its ike-up and is then charged to that client in
 * order; traffic that never gets there (a failed or abandoned handshake, a stray datagram) is
 * counted as unattributed and reaches no meter.
 *
 * Sans-IO like the rest of the core: time comes with each event.
 */
import type { IkeEvent } from '../ike/io.ts';
import type { TrafficClass } from '../ike/traffic.ts';
import type { RadioProfile } from '../radio/profile.ts';
import { ClientMeter, type ClosedWakeup, type LiveWakeup, type MeterTotals } from './client-meter.ts';

type Traffic = Extract<IkeEvent, { kind: 'traffic' }>;

/** What one event produced. */
export interface LiveOutput {
  readonly wakeups: LiveWakeup[];
  readonly closed: ClosedWakeup[];
}

export interface LiveEstimatorOptions {
  /** The radio profile of a client (by its identity). */
  readonly profileFor: (client: string) => RadioProfile;
}

/** Datagrams of an IKE SA waiting for its peer to be known: at most this many are kept. */
const MAX_WAITING = 64;

export class LiveEstimator {
  private readonly meters = new Map<string, ClientMeter>();
  /** IKE SA name to client identity. */
  private readonly clientOf = new Map<string, string>();
  private readonly waiting = new Map<string, { t: number; fromClient: boolean; ipBytes: number; cls: TrafficClass }[]>();
  /** Datagrams that reached no client: handshakes that failed, strays. */
  unattributed = 0;

  constructor(private readonly o: LiveEstimatorOptions) {}

  onEvent(t: number, e: IkeEvent): LiveOutput {
    const out: LiveOutput = { wakeups: [], closed: [] };
    switch (e.kind) {
      case 'ike-up':
      case 'ike-restored':
        this.attach(t, e.sa, e.peerId, out);
        break;
      case 'ike-rekeyed': {
        const client = this.clientOf.get(e.sa);
        if (client) this.clientOf.set(e.newSa, client);
        break;
      }
      case 'ike-down': {
        const pending = this.waiting.get(e.sa);
        if (pending) this.unattributed += pending.length;
        this.waiting.delete(e.sa);
        this.clientOf.delete(e.sa);
        break;
      }
      case 'traffic':
        this.onTraffic(t, e, out);
        break;
      default:
        break;
    }
    return out;
  }

  /** Every client's totals, charged up to `now`. */
  totals(now: number): MeterTotals[] {
    return [...this.meters.values()].map((m) => m.totals(now));
  }

  /** Wakeups whose tails have ended by `now`, for every client. */
  closedWakeups(now: number): ClosedWakeup[] {
    return [...this.meters.values()].flatMap((m) => m.closedWakeups(now));
  }

  meter(client: string): ClientMeter | undefined {
    return this.meters.get(client);
  }

  private onTraffic(t: number, e: Traffic, out: LiveOutput): void {
    const fromClient = e.dir === 'in';
    const client = e.sa !== undefined ? this.clientOf.get(e.sa) : undefined;
    if (client !== undefined) return this.feed(this.meterFor(client, t), t, fromClient, e.ipBytes, e.cls, out);
    if (e.sa === undefined) {
      this.unattributed++;
      return;
    }
    let list = this.waiting.get(e.sa);
    if (!list) this.waiting.set(e.sa, (list = []));
    if (list.length < MAX_WAITING) list.push({ t, fromClient, ipBytes: e.ipBytes, cls: e.cls });
    else this.unattributed++;
  }

  private attach(t: number, sa: string, client: string, out: LiveOutput): void {
    this.clientOf.set(sa, client);
    const pending = this.waiting.get(sa) ?? [];
    this.waiting.delete(sa);
    const meter = this.meterFor(client, pending[0]?.t ?? t);
    for (const p of pending) this.feed(meter, p.t, p.fromClient, p.ipBytes, p.cls, out);
  }

  private meterFor(client: string, since: number): ClientMeter {
    let m = this.meters.get(client);
    if (!m) this.meters.set(client, (m = new ClientMeter(client, this.o.profileFor(client), since)));
    return m;
  }

  private feed(m: ClientMeter, t: number, fromClient: boolean, ipBytes: number, cls: TrafficClass, out: LiveOutput): void {
    const w = m.packet(t, fromClient, ipBytes, cls);
    if (w) out.wakeups.push(w);
    out.closed.push(...m.closedWakeups(t));
  }
}
