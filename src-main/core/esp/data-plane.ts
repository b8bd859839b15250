/**
 * The ESP data plane: every installed CHILD_SA (child-sa.ts), found by inbound SPI for received
 * packets (RFC 4303 3.4.2) and by traffic selectors for packets to send (RFC 4301 5.1), grouped by
 * the IKE SA that negotiated them. Sans-IO: every call takes `now` (seconds); nothing here reads a
 * clock, arms a timer or touches a socket; IVs come from the injected CryptoSuite.
 *
 * What the caller does around it (the responder's UDP adapter, or the initiator as a client):
 * - inbound: a datagram on UDP 4500 whose first four octets are not the non-ESP marker (zero) and
 *   that is not a one-octet 0xFF keepalive is ESP (RFC 3948 2.2, 2.3); its UDP payload, starting
 *   with the SPI, goes to `receive`. A delivered `inner` goes to the virtual host.
 * - outbound: the host's IPv4 datagram goes to `send`; the `packet` returned is the UDP payload to
 *   send to the peer of that IKE SA (RFC 3948 2.1; no marker in front of ESP).
 * - IKE events: `child-up` -> add(now, sa, child); `child-down` -> remove(spiIn); `ike-down` ->
 *   removeIkeSa(sa); `ike-rekeyed` -> moveIkeSa(sa, newSa) (RFC 7296 2.18: the CHILD_SAs move to
 *   the new IKE SA).
 * - after sends: takeRekeysDue(), and for each entry rekey that CHILD_SA (CREATE_CHILD_SA,
 *   RFC 7296 2.8). Each SA is reported once. When the new SA is added it takes the traffic (below);
 *   the old one keeps receiving until it is removed.
 * - DPD / keepalive timers read lastInbound(ikeSa) / lastOutbound(ikeSa).
 *
 * Choosing the SA to send on: the newest added CHILD_SA whose selectors cover the datagram (source
 * in its local selectors, destination in its remote ones, protocol and ports included; RFC 4301
 * 5.1). After a rekey the old and the new SA cover the same traffic and the new one wins: RFC 7296
 * 2.8, traffic moves to the new SA while the old one still receives until deleted. With a rekey
 * collision (2.8.1) the caller removes the redundant SA as soon as it is known. The search is
 * linear over the installed SAs, newest first: a lab responder holds few.
 *
 * Every drop is silent and counted by reason: per SA (EspChildSa.counters) and in the plane's
 * totals, which also keep drops that belong to no SA ('short', 'unknown-spi', 'no-sa', and
 * 'bad-inner' on send) and the history of SAs since removed.
 */
import { expectInt } from '../crypto/args.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import type { ChildSaInfo } from '../ike/io.ts';
import type { EspChildSaState } from './child-sa-state.ts';
import { EspChildSa } from './child-sa.ts';
import { copyCounters, zeroCounters, type EspCounters, type EspInDrop, type EspOutDrop } from './counters.ts';
import { newInnerFlow, readInnerFlow, type InnerFlow } from './inner-flow.ts';
import { peekEsp } from './packet.ts';
import { REPLAY_WINDOW_DEFAULT, REPLAY_WINDOW_MAX } from './replay-window.ts';
import { defaultSeqRekeyThreshold, lastSeqOut } from './seq-limits.ts';

export interface DataPlaneOptions {
  readonly suite: CryptoSuite;
  /** Anti-replay window of every SA added: 0 (off) to 4096; default 128 as libipsec (RFC 4303 3.4.3). */
  readonly replayWindow?: number;
  /** Rekey threshold of SAs without ESN (seq-limits.ts; default 2^32 - 2^24). */
  readonly seqRekeyThreshold?: number;
  /** Rekey threshold of SAs with ESN (default 2^53 - 2^24). */
  readonly esnSeqRekeyThreshold?: number;
}

export type DataPlaneReceived =
  | { readonly ok: true; readonly inner: Uint8Array; readonly spiIn: number; readonly ikeSa: string }
  /** spiIn is absent for 'short'; ikeSa is absent for 'short' and 'unknown-spi'. */
  | { readonly ok: false; readonly reason: EspInDrop; readonly spiIn?: number; readonly ikeSa?: string };

export type DataPlaneSent =
  | {
      readonly ok: true;
      /** The ESP packet, SPI through ICV: the UDP payload (RFC 3948 2.1). */
      readonly packet: Uint8Array;
      readonly spiOut: number;
      readonly spiIn: number;
      readonly ikeSa: string;
      /** The sequence number it carries (full, with ESN). */
      readonly seq: number;
    }
  /** spiIn and ikeSa are absent for 'bad-inner' and 'no-sa'. */
  | { readonly ok: false; readonly reason: EspOutDrop; readonly spiIn?: number; readonly ikeSa?: string };

/** A CHILD_SA whose outbound counter reached its threshold (or ran out): rekey it (RFC 7296 2.8). */
export interface RekeyDue {
  readonly ikeSa: string;
  readonly spiIn: number;
  readonly spiOut: number;
  readonly nextSeqOut: number;
  /** True when the SA already refuses to send (seq-exhausted). */
  readonly exhausted: boolean;
}

export interface DataPlaneCounters {
  /** Everything since the plane was built, removed SAs and drops of no SA included. */
  readonly total: EspCounters;
  /** The SAs installed now, oldest first. */
  readonly perSa: ReadonlyArray<{ readonly ikeSa: string; readonly spiIn: number; readonly spiOut: number; readonly counters: EspCounters }>;
}

interface Group {
  name: string;
  lastInbound: number | null;
  lastOutbound: number | null;
  readonly spis: Set<number>;
}

interface Entry {
  readonly sa: EspChildSa;
  group: Group;
}

const SHORT: DataPlaneReceived = Object.freeze({ ok: false, reason: 'short' });
const BAD_INNER: DataPlaneSent = Object.freeze({ ok: false, reason: 'bad-inner' });
const NO_SA: DataPlaneSent = Object.freeze({ ok: false, reason: 'no-sa' });
const NONE_DUE: readonly RekeyDue[] = Object.freeze([]);

export class DataPlane {
  private readonly suite: CryptoSuite;
  private readonly replayWindow: number;
  private readonly threshold32: number;
  private readonly thresholdEsn: number;
  private readonly bySpi = new Map<number, Entry>();
  /** Newest first: the order `send` searches. */
  private readonly newestFirst: Entry[] = [];
  private readonly groups = new Map<string, Group>();
  private readonly total: EspCounters = zeroCounters();
  private readonly flow: InnerFlow = newInnerFlow();
  private due: Entry[] = [];

  constructor(options: DataPlaneOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected { suite, replayWindow?, seqRekeyThreshold?, esnSeqRekeyThreshold? }');
    const { suite } = options;
    if (typeof suite !== 'object' || suite === null || typeof suite.encryptDetached !== 'function') throw new TypeError('"options.suite" expected a CryptoSuite');
    this.suite = suite;
    this.replayWindow = expectInt('options.replayWindow', options.replayWindow ?? REPLAY_WINDOW_DEFAULT, 0, REPLAY_WINDOW_MAX);
    this.threshold32 = expectInt('options.seqRekeyThreshold', options.seqRekeyThreshold ?? defaultSeqRekeyThreshold(false), 1, lastSeqOut(false));
    this.thresholdEsn = expectInt('options.esnSeqRekeyThreshold', options.esnSeqRekeyThreshold ?? defaultSeqRekeyThreshold(true), 1, lastSeqOut(true));
  }

  /** Installs a new CHILD_SA of `ikeSa`; it becomes the newest for its selectors. Throws on a duplicate spiIn or bad info. */
  add(now: number, ikeSa: string, info: ChildSaInfo): EspChildSa {
    this.checkNew(ikeSa, info);
    const sa = EspChildSa.create(this.suite, info, { now, replayWindow: this.replayWindow, seqRekeyThreshold: this.thresholdFor(info) });
    return this.install(ikeSa, sa);
  }

  /**
   * Installs a CHILD_SA from a snapshot (EspChildSa.state()), its outbound counter moved forward by
   * `seqJump` (RFC 6311 4.2; child-sa-state.ts). The window keeps the snapshot's size.
   */
  restore(now: number, ikeSa: string, info: ChildSaInfo, state: EspChildSaState, options: { readonly seqJump?: number } = {}): EspChildSa {
    this.checkNew(ikeSa, info);
    const seqJump = options.seqJump ?? 0;
    const sa = EspChildSa.restore(this.suite, info, state, { now, seqRekeyThreshold: this.thresholdFor(info), seqJump });
    return this.install(ikeSa, sa);
  }

  /** Removes one CHILD_SA; false if there was none. The IKE SA's record (lastInbound) stays. */
  remove(spiIn: number): boolean {
    const entry = this.bySpi.get(spiIn);
    if (!entry) return false;
    this.bySpi.delete(spiIn);
    this.newestFirst.splice(this.newestFirst.indexOf(entry), 1);
    entry.group.spis.delete(spiIn);
    return true;
  }

  /** Removes an IKE SA's CHILD_SAs and forgets it; returns their inbound SPIs. */
  removeIkeSa(ikeSa: string): number[] {
    const group = this.groups.get(ikeSa);
    if (!group) return [];
    const spis = [...group.spis];
    for (const spi of spis) this.remove(spi);
    this.groups.delete(ikeSa);
    return spis;
  }

  /** An IKE SA rekey (RFC 7296 2.18): its CHILD_SAs now belong to `to` (merged if `to` exists). */
  moveIkeSa(from: string, to: string): void {
    const src = this.groups.get(from);
    if (!src || from === to) return;
    const dst = this.groups.get(to);
    if (!dst) {
      this.groups.delete(from);
      src.name = to;
      this.groups.set(to, src);
      return;
    }
    for (const spi of src.spis) {
      dst.spis.add(spi);
      this.bySpi.get(spi)!.group = dst;
    }
    dst.lastInbound = later(dst.lastInbound, src.lastInbound);
    dst.lastOutbound = later(dst.lastOutbound, src.lastOutbound);
    this.groups.delete(from);
  }

  get(spiIn: number): EspChildSa | undefined {
    return this.bySpi.get(spiIn)?.sa;
  }

  /** The inbound SPIs of an IKE SA's CHILD_SAs, oldest first. */
  childSas(ikeSa: string): number[] {
    return [...(this.groups.get(ikeSa)?.spis ?? [])];
  }

  /** Inbound processing of one ESP packet (the UDP payload, SPI first). */
  receive(now: number, packet: Uint8Array): DataPlaneReceived {
    const peek = peekEsp(packet);
    const total = this.total;
    if (!peek.ok) {
      total.dropsIn.short++;
      return SHORT;
    }
    const entry = this.bySpi.get(peek.spi);
    if (!entry) {
      total.dropsIn['unknown-spi']++;
      return { ok: false, reason: 'unknown-spi', spiIn: peek.spi };
    }
    const sa = entry.sa;
    const group = entry.group;
    const r = sa.openPeeked(now, packet, peek.seqLow);
    const t = sa.lastInbound;
    if (t !== null && (group.lastInbound === null || t > group.lastInbound)) group.lastInbound = t;
    if (typeof r === 'string') {
      total.dropsIn[r]++;
      return { ok: false, reason: r, spiIn: sa.spiIn, ikeSa: group.name };
    }
    total.packetsIn++;
    total.bytesIn += r.length;
    return { ok: true, inner: r, spiIn: sa.spiIn, ikeSa: group.name };
  }

  /** Outbound processing of one inner IPv4 datagram, on the newest CHILD_SA that covers it. */
  send(now: number, inner: Uint8Array): DataPlaneSent {
    const f = this.flow;
    if (!(inner instanceof Uint8Array) || !readInnerFlow(inner, f)) {
      this.total.dropsOut['bad-inner']++;
      return BAD_INNER;
    }
    const list = this.newestFirst;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      if (!entry.sa.coversOutbound(f)) continue;
      const length = f.totalLength;
      return this.finishSend(now, entry, entry.sa.sealChecked(now, length === inner.length ? inner : inner.subarray(0, length)), length);
    }
    this.total.dropsOut['no-sa']++;
    return NO_SA;
  }

  /** Outbound on one given CHILD_SA (checks as EspChildSa.seal); throws if no SA receives on `spiIn`. */
  sendVia(now: number, spiIn: number, inner: Uint8Array): DataPlaneSent {
    const entry = this.bySpi.get(spiIn);
    if (!entry) throw new RangeError(`"spiIn" ${String(spiIn)} is not an installed CHILD_SA`);
    const r = entry.sa.seal(now, inner);
    // Sealed: a well-formed datagram, so its Total Length (RFC 791 3.1) is what was carried.
    return this.finishSend(now, entry, r, typeof r === 'string' ? 0 : (inner[2]! << 8) | inner[3]!);
  }

  /** CHILD_SAs that reached their rekey threshold since the last call, each reported once. */
  takeRekeysDue(): readonly RekeyDue[] {
    if (this.due.length === 0) return NONE_DUE;
    const out: RekeyDue[] = [];
    for (const e of this.due) {
      const sa = e.sa;
      if (this.bySpi.get(sa.spiIn) !== e) continue; // removed meanwhile
      out.push({ ikeSa: e.group.name, spiIn: sa.spiIn, spiOut: sa.spiOut, nextSeqOut: sa.nextSeqOut, exhausted: sa.nextSeqOut > sa.lastSeqOut });
    }
    this.due = [];
    return out;
  }

  counters(): DataPlaneCounters {
    const perSa = [...this.bySpi.values()].map((e) => ({ ikeSa: e.group.name, spiIn: e.sa.spiIn, spiOut: e.sa.spiOut, counters: e.sa.counters() }));
    return { total: copyCounters(this.total), perSa };
  }

  /** When an authenticated ESP packet of any of the IKE SA's CHILD_SAs last arrived; null if none. */
  lastInbound(ikeSa: string): number | null {
    return this.groups.get(ikeSa)?.lastInbound ?? null;
  }

  /** When an ESP packet was last built on any of the IKE SA's CHILD_SAs; null if none. */
  lastOutbound(ikeSa: string): number | null {
    return this.groups.get(ikeSa)?.lastOutbound ?? null;
  }

  private finishSend(now: number, entry: Entry, r: Uint8Array | EspOutDrop, innerLength: number): DataPlaneSent {
    const sa = entry.sa;
    if (sa.takeRekeyDue()) this.due.push(entry);
    const total = this.total;
    if (typeof r === 'string') {
      total.dropsOut[r]++;
      return { ok: false, reason: r, spiIn: sa.spiIn, ikeSa: entry.group.name };
    }
    const seq = sa.nextSeqOut - 1;
    total.packetsOut++;
    total.bytesOut += innerLength;
    entry.group.lastOutbound = now;
    return { ok: true, packet: r, spiOut: sa.spiOut, spiIn: sa.spiIn, ikeSa: entry.group.name, seq };
  }

  private thresholdFor(info: ChildSaInfo): number {
    return info.esn ? this.thresholdEsn : this.threshold32;
  }

  private checkNew(ikeSa: string, info: ChildSaInfo): void {
    if (typeof ikeSa !== 'string' || ikeSa === '') throw new TypeError(`"ikeSa" expected a non-empty name, got ${JSON.stringify(ikeSa)}`);
    if (typeof info === 'object' && info !== null && this.bySpi.has(info.spiIn)) throw new RangeError(`"info.spiIn" ${info.spiIn} is already installed`);
  }

  private install(ikeSa: string, sa: EspChildSa): EspChildSa {
    let group = this.groups.get(ikeSa);
    if (!group) {
      group = { name: ikeSa, lastInbound: null, lastOutbound: null, spis: new Set() };
      this.groups.set(ikeSa, group);
    }
    const entry: Entry = { sa, group };
    group.spis.add(sa.spiIn);
    this.bySpi.set(sa.spiIn, entry);
    this.newestFirst.unshift(entry);
    return sa;
  }
}

function later(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
