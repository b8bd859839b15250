/**
 * The live estimator: the Gateway's events in, each client's radio (client-meter.ts) out. Clients
 * are known by their IKE identity, so a client keeps its meter across rekeys (RFC 7296 2.18), a
 * restored gateway (ike-restored) and reconnects. Traffic of an IKE SA whose peer is not yet
 * authenticated (IKE_SA_INIT, IKE_AUTH) waits for its ike-up and is then charged to that client in
 * order; traffic that never gets there (a failed or abandoned handshake, a stray datagram) is
 * counted as unattributed and reaches no meter.
 *
 * A known client's datagram goes into the estimator's journal, not to its meter at once: the meters
 * get theirs, in order, whenever anything reads one (`journal`, `deal`).
 *
 * Besides the radio, it says which client each datagram and SA event belongs to (`packets`,
 * `events`), for the session recording (node/live/session-writer.ts).
 *
 * Sans-IO like the rest of the core: time comes with each event.
 */
import type { IkeEvent } from '../ike/io.ts';
import type { RadioProfile } from '../radio/profile.ts';
import { ClientMeter, type BackgroundTraffic, type ClosedWakeup, type LiveWakeup, type MeterTotals } from './client-meter.ts';
import { packetCode } from './recent-packets.ts';
import { causeOf } from './traffic-cause.ts';

export type Traffic = Extract<IkeEvent, { kind: 'traffic' }>;

/** A datagram charged to a client, for its session recording. */
export interface ClientPacket {
  readonly client: string;
  /** The client's number in this estimator: 0, 1, ... in the order clients became known. */
  readonly meter: number;
  readonly t: number;
  readonly traffic: Traffic;
}

/** An SA lifecycle event of a client's IKE SA, for its session recording. */
export interface ClientEvent {
  readonly client: string;
  readonly t: number;
  readonly event: Exclude<IkeEvent, { kind: 'traffic' | 'exchange' | 'drop' | 'keepalive' }>;
}

/**
 * What one event produced. Radio wakeups opened by datagrams are reported by `advance` (the meter
 * feeds its radio a few datagrams at a time: client-meter.ts), so a datagram's answer has none.
 * Valid until the estimator's next call: the answer to a known client's
 * datagram is one object refilled each time (see `onEvent`); callers copy what they keep.
 */
export interface LiveOutput {
  readonly wakeups: LiveWakeup[];
  readonly closed: ClosedWakeup[];
  readonly packets: ClientPacket[];
  readonly events: ClientEvent[];
}

export interface LiveEstimatorOptions {
  /** The radio profile of a client (by its identity). */
  readonly profileFor: (client: string) => RadioProfile;
  /** The client's background traffic model, if any (client-meter.ts). */
  readonly backgroundFor?: (client: string) => BackgroundTraffic | null;
}

/** Datagrams the journal holds (`LiveEstimator.journal`): about a second of the lab bench's. */
const JOURNAL = 4096;
/** A journal entry's second number: the meter's number times this, plus the datagram's code. */
const ORDINAL = 2 ** 24;

/** Datagrams of an IKE SA waiting for its peer to be known: at most this many are kept. */
const MAX_WAITING = 64;

const emptyOutput = (): LiveOutput => ({ wakeups: [], closed: [], packets: [], events: [] });

/** The output of an event that produces nothing (frozen: callers only read outputs). */
const NOTHING: LiveOutput = Object.freeze({ wakeups: Object.freeze([]) as never[], closed: Object.freeze([]) as never[], packets: Object.freeze([]) as never[], events: Object.freeze([]) as never[] });

/**
 * A known client's datagram (in the answer refilled for each, and a handshake's held ones). Its
 * client's identity is looked up when read, not stored per datagram: a string stored into this
 * long-lived object went through V8's write barrier, which reads the string's page header, a cache
 * line the responder's work had evicted (one of `onEvent`'s two costliest instructions in perf,
 * BENCHMARKS.md "The live lab").
 */
class KnownDatagram implements ClientPacket {
  constructor(
    private readonly clients: readonly string[],
    public meter: number,
    public t: number,
    public traffic: Traffic,
  ) {}

  get client(): string {
    return this.clients[this.meter]!;
  }
}

/** The answer to a known client's datagram, refilled for each (no garbage a datagram). */
interface DatagramOutput {
  readonly wakeups: LiveWakeup[];
  readonly closed: ClosedWakeup[];
  readonly packets: [KnownDatagram];
  readonly events: ClientEvent[];
}

export class LiveEstimator {
  private readonly meters = new Map<string, ClientMeter>();
  /** The meters by their number (`ClientMeter.ordinal`), and their clients' identities. */
  private readonly byOrdinal: ClientMeter[] = [];
  private readonly clientOf: string[] = [];
  /**
   * IKE SA name to its client's number (one lookup a datagram, not two; a number, so that a
   * datagram touches nothing of its client's own: see `journal`).
   */
  private readonly meterOf = new Map<string, number>();
  /**
   * The same by the IKE SA's slot (Traffic.slot), filled as datagrams come: a slot's SA name and
   * its client's number. A slot names a live SA only, and the Responder gives it to a later SA once
   * that one is gone, so a hit is one whose name is the datagram's; anything else asks `meterOf`.
   * Two arrays indexed by a small number, where the Map hashed into a table of a thousand entries,
   * cold each time (the lab's busiest lookup, BENCHMARKS.md "The live lab").
   */
  private saOfSlot: (string | undefined)[] = [];
  private meterOfSlot = new Int32Array(1024);
  /** Each SA name's slot in `saOfSlot`, to forget it when the SA goes down. */
  private readonly slotOf = new Map<string, number>();
  /**
   * Known clients' datagrams, in order, not yet dealt to their meters: two numbers each, the
   * time and the meter's number times 2^24 plus its `packetCode` (recent-packets.ts). A thousand
   * clients' datagrams come interleaved with the responder's work, so each found its client's
   * meter and ring cold; written here, a datagram touches one warm line, and `deal` hands them
   * out in one loop (a client's several in it sharing their lines) whenever anything reads a
   * meter: `advance` (the lab's every second), `totals`, `finish`, `setProfile`, `meter`, or a
   * full journal (BENCHMARKS.md, "The live lab"). The same datagrams reach each meter in the same
   * order as if given at once.
   */
  private readonly journal = new Float64Array(2 * JOURNAL);
  private journaled = 0;
  private readonly waiting = new Map<string, { t: number; traffic: Traffic }[]>();
  /** Datagrams that reached no client: handshakes that failed, strays. */
  unattributed = 0;
  private readonly datagram: DatagramOutput;

  constructor(private readonly o: LiveEstimatorOptions) {
    // A first datagram, never reported, gives the refilled answer its fields' shapes.
    const none: Traffic = { kind: 'traffic', dir: 'in', peer: { address: '', port: 0 }, local: { address: '', port: 0 }, bytes: 0, ipBytes: 0, head: new Uint8Array(0), cls: 'data', sa: undefined, slot: undefined, messageId: undefined, request: undefined, spi: undefined };
    this.datagram = { wakeups: NOTHING.wakeups, closed: NOTHING.closed, packets: [new KnownDatagram(this.clientOf, 0, 0.5, none)], events: NOTHING.events };
  }

  /**
   * What event `e` at lab time `t` produced. A known client's datagram takes the short way, kept
   * small so that V8 may inline it into the caller (the lab's event callback; not checked: the A/B
   * of this split was within noise, BENCHMARKS.md "The live lab"); every other event is `other`.
   */
  onEvent(t: number, e: IkeEvent): LiveOutput {
    if (e.kind === 'traffic') {
      // Every datagram of a known client comes here: its answer is one object refilled each time,
      // the empty lists shared. Objects made per datagram and the doubles V8 boxes were most of the
      // lab's garbage, and so of its collector's work (BENCHMARKS.md, "The live lab").
      const m = this.knownMeter(e);
      if (m !== undefined) {
        this.queue(m, t, e);
        const out = this.datagram;
        const p = out.packets[0];
        p.meter = m;
        p.t = t;
        p.traffic = e;
        return out;
      }
    }
    return this.other(t, e);
  }

  /** Every event but a known client's datagram. */
  private other(t: number, e: IkeEvent): LiveOutput {
    // Most events of a busy gateway change nothing here: one shared, frozen answer, no garbage.
    if (e.kind === 'exchange' || e.kind === 'drop' || e.kind === 'keepalive') return NOTHING;
    const out = emptyOutput();
    switch (e.kind) {
      case 'ike-up':
      case 'ike-restored':
        this.attach(t, e.sa, e.peerId, out);
        out.events.push({ client: e.peerId, t, event: e });
        break;
      case 'ike-rekeyed': {
        const m = this.meterOf.get(e.sa);
        if (m !== undefined) this.meterOf.set(e.newSa, m);
        this.lifecycle(t, e, out);
        break;
      }
      case 'ike-down': {
        const pending = this.waiting.get(e.sa);
        if (pending) this.unattributed += pending.length;
        this.waiting.delete(e.sa);
        this.lifecycle(t, e, out);
        this.meterOf.delete(e.sa);
        this.forgetSlot(e.sa);
        break;
      }
      case 'traffic':
        this.onTraffic(t, e);
        break;
      case 'policy-changed':
        // Every client's recording shows when the gateway's policy changed.
        for (const client of this.meters.keys()) out.events.push({ client, t, event: e });
        break;
      default:
        this.lifecycle(t, e, out);
        break;
    }
    return out;
  }

  /** Every client's totals, charged up to `now`. */
  totals(now: number): MeterTotals[] {
    this.deal();
    return [...this.meters.values()].map((m) => m.totals(now));
  }

  /**
   * From `t` on, `client` is estimated with `profile` (a per-client model setting changed while
   * the lab runs); `changes` is what the session recording logs. No-op for an unknown client.
   */
  setProfile(t: number, client: string, profile: RadioProfile, changes: Readonly<Record<string, unknown>>): LiveOutput {
    const out = emptyOutput();
    const m = this.meters.get(client);
    if (!m) return out;
    this.deal();
    const r = m.switchProfile(t, profile);
    out.wakeups.push(...r.opened);
    out.closed.push(...r.closed);
    out.events.push({ client, t, event: { kind: 'policy-changed', changes } });
    return out;
  }

  /**
   * Moves every client's radio to `now`: the wakeups its datagrams and its background model
   * (docs/lab.md) opened since the last call, and those whose tails ended; with `onClosed`, those go
   * to it one at a time, as one object refilled for each (valid during the call only:
   * ClientMeter.closedEach), and `closed` stays empty.
   */
  advance(now: number, onClosed?: (w: ClosedWakeup) => void): LiveOutput {
    this.deal();
    const out = emptyOutput();
    for (const m of this.meters.values()) {
      const r = m.advance(now, onClosed);
      if (r.opened.length > 0) out.wakeups.push(...r.opened);
      if (r.closed.length > 0) out.closed.push(...r.closed);
    }
    return out;
  }

  /** The lab stops at `now`: every running tail is cut there and its wakeup reported closed. */
  finish(now: number): LiveOutput {
    this.deal();
    const out = emptyOutput();
    for (const m of this.meters.values()) {
      const closed = m.finish(now);
      out.wakeups.push(...m.advance(now).opened);
      out.closed.push(...closed);
    }
    return out;
  }

  /** A client's meter, with every datagram so far given to it. */
  meter(client: string): ClientMeter | undefined {
    this.deal();
    return this.meters.get(client);
  }

  /** An SA event of a known client's IKE SA (one of an unknown SA, a failed handshake, is left out). */
  private lifecycle(t: number, e: Exclude<ClientEvent['event'], { kind: 'policy-changed' }>, out: LiveOutput): void {
    const m = this.meterOf.get(e.sa);
    if (m !== undefined) out.events.push({ client: this.clientOf[m]!, t, event: e });
  }

  /** The number of the client whose IKE SA sent or got datagram `e`, if known. */
  private knownMeter(e: Traffic): number | undefined {
    const sa = e.sa;
    if (sa === undefined) return undefined;
    const slot = e.slot;
    // Equal strings compare equal, and on a hit they are one string (IkeSa.name), which is quick.
    if (slot !== undefined && slot >= 0 && this.saOfSlot[slot] === sa) return this.meterOfSlot[slot];
    return this.meterByName(sa, slot);
  }

  /** The client's number by the SA's name, and the slot's from now on (`knownMeter` missed). */
  private meterByName(sa: string, slot: number | undefined): number | undefined {
    const m = this.meterOf.get(sa);
    if (m !== undefined && slot !== undefined && slot >= 0) {
      while (slot >= this.meterOfSlot.length) {
        const grown = new Int32Array(this.meterOfSlot.length * 2);
        grown.set(this.meterOfSlot);
        this.meterOfSlot = grown;
      }
      const before = this.saOfSlot[slot];
      if (before !== undefined) this.slotOf.delete(before);
      // An SA's datagrams carry one slot, but a restored gateway numbers its SAs afresh.
      const was = this.slotOf.get(sa);
      if (was !== undefined && this.saOfSlot[was] === sa) this.saOfSlot[was] = undefined;
      this.meterOfSlot[slot] = m;
      this.saOfSlot[slot] = sa;
      this.slotOf.set(sa, slot);
    }
    return m;
  }

  /** The SA is down: its slot no longer finds its client. */
  private forgetSlot(sa: string): void {
    const slot = this.slotOf.get(sa);
    if (slot === undefined) return;
    this.slotOf.delete(sa);
    if (this.saOfSlot[slot] === sa) this.saOfSlot[slot] = undefined;
  }

  /** A datagram of no known client (a known client's are charged in `onEvent`). */
  private onTraffic(t: number, e: Traffic): void {
    if (e.sa === undefined) {
      this.unattributed++;
      return;
    }
    let list = this.waiting.get(e.sa);
    if (!list) this.waiting.set(e.sa, (list = []));
    if (list.length < MAX_WAITING) list.push({ t, traffic: e });
    else this.unattributed++;
  }

  private attach(t: number, sa: string, client: string, out: LiveOutput): void {
    const pending = this.waiting.get(sa) ?? [];
    this.waiting.delete(sa);
    const meter = this.meterFor(client, pending[0]?.t ?? t);
    this.meterOf.set(sa, meter.ordinal);
    this.forgetSlot(sa);
    for (const p of pending) {
      out.packets.push(new KnownDatagram(this.clientOf, meter.ordinal, p.t, p.traffic));
      this.queue(meter.ordinal, p.t, p.traffic);
    }
  }

  private meterFor(client: string, since: number): ClientMeter {
    let m = this.meters.get(client);
    if (!m) {
      m = new ClientMeter(client, this.o.profileFor(client), since, this.o.backgroundFor?.(client) ?? null, this.byOrdinal.length);
      this.meters.set(client, m);
      this.byOrdinal.push(m);
      this.clientOf.push(client);
    }
    return m;
  }

  /** A known client's datagram, into the journal (its wakeup, if it opens one, is reported by `advance`). */
  private queue(meter: number, t: number, e: Traffic): void {
    if (this.journaled === JOURNAL) this.deal();
    const j = this.journal;
    const k = 2 * this.journaled++;
    j[k] = t;
    j[k + 1] = meter * ORDINAL + packetCode(e.dir === 'in', e.ipBytes, causeOf(e.cls));
  }

  /** Gives every journaled datagram to its meter, in order. */
  private deal(): void {
    const n = this.journaled;
    if (n === 0) return;
    this.journaled = 0;
    const j = this.journal;
    for (let k = 0; k < 2 * n; k += 2) {
      const x = j[k + 1]!;
      const meter = Math.floor(x / ORDINAL);
      // The entry's second number becomes the datagram's code, as the meter's ring keeps it.
      j[k + 1] = x - meter * ORDINAL;
      this.byOrdinal[meter]!.take(j, k);
    }
  }
}
