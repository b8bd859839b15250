/**
 * The ESP state of one CHILD_SA, both directions (RFC 4303; tunnel mode carrying IPv4, inside UDP
 * encapsulation, RFC 3948, which the caller strips and adds). Sans-IO: time comes in as `now`,
 * randomness (the IVs) from the CryptoSuite.
 *
 *   const sa = EspChildSa.create(suite, info, { now });            // or EspChildSa.restore(...)
 *   const r = sa.open(now, espPacket);   // Uint8Array: the inner datagram; string: a drop reason
 *   const p = sa.seal(now, innerIpv4);   // Uint8Array: the ESP packet;      string: a drop reason
 *   if (sa.takeRekeyDue()) ...           // true once, when the outbound counter reached the threshold
 *
 * Results are a Uint8Array or an EspInDrop / EspOutDrop string (typeof r === 'string'), so the
 * per-packet path allocates no result objects. Every drop is silent and counted by reason.
 *
 * Inbound, in this order (RFC 4303 3.4):
 *   1. peekEsp: SPI and low sequence bits, no crypto ('short'; an SPI not ours: 'unknown-spi').
 *   2. The full sequence number: the 32-bit field, or with ESN the high half inferred from the
 *      window (Appendix A2.2, esn.ts).
 *   3. The replay check BEFORE the ICV (3.4.3): duplicates and numbers below the window: 'replay'.
 *   4. openEsp: too short for the cipher ('short'), the ICV ('bad-icv'), then padding
 *      ('bad-padding') and Next Header ('bad-next-header'), 3.4.4, 2.4, 2.6.
 *   5. Authenticated: only now the window moves (3.4.3) and lastInbound = now: any authenticated
 *      packet is proof of life (RFC 7296 2.4), also those dropped in 4 after the ICV or in 6 to 8.
 *   6. Next Header 59: a dummy packet, dropped silently (2.6): 'dummy'.
 *   7. The payload must be a well-formed IPv4 datagram (tunnel mode, 3.1.2): 'bad-inner'.
 *   8. RFC 4301 5.2: source in the remote selectors, destination in the local ones:
 *      'selector-mismatch'. Delivered: the datagram up to its Total Length (TFC padding cut, 2.7).
 *
 * Outbound (RFC 4303 3.3; RFC 4301 5.1): the datagram must be well-formed IPv4 ('bad-inner') with
 * its source in the local selectors and destination in the remote ones ('selector-mismatch': the
 * peer would drop it), then it gets the next sequence number. Numbers start at 1 and never cycle
 * (3.3.3): once the last one (2^32 - 1; 2^53 - 1 with ESN, seq-limits.ts) was used every send is
 * refused ('seq-exhausted'). Reaching `seqRekeyThreshold` raises the rekey signal once; the owner
 * must then rekey the CHILD_SA (RFC 7296 2.8) and move traffic to the new SA before exhaustion.
 *
 * Snapshots: state() is plain data (child-sa-state.ts); EspChildSa.restore rebuilds the SA from
 * its ChildSaInfo and a state, optionally jumping the outbound counter forward (RFC 6311 4.2).
 */
import { encrKeySizes, integInfo } from '../crypto/algorithms.ts';
import { expectBytes, expectInt } from '../crypto/args.ts';
import type { CryptoSuite, SkCipher } from '../crypto/suite.ts';
import type { ChildSaInfo } from '../ike/io.ts';
import { restoreParts, type EspChildSaState } from './child-sa-state.ts';
import { copyCounters, zeroCounters, type EspCounters, type EspInDrop, type EspOutDrop } from './counters.ts';
import { inboundSeq } from './esn.ts';
import { newInnerFlow, readInnerFlow, type InnerFlow } from './inner-flow.ts';
import { openEsp } from './open.ts';
import { NextHeader, peekEsp } from './packet.ts';
import { REPLAY_WINDOW_DEFAULT, REPLAY_WINDOW_MAX, ReplayWindow } from './replay-window.ts';
import { sealEsp } from './seal.ts';
import { SelectorSet } from './selectors.ts';
import { defaultSeqRekeyThreshold, lastSeqOut } from './seq-limits.ts';
import { espLayout, type EspSa } from './transform.ts';

export interface EspChildSaOptions {
  /** When the SA is installed (seconds). */
  readonly now: number;
  /**
   * Anti-replay window, 0 (off, RFC 4303 3.4.3) to 4096; default 128 as libipsec. Ignored by
   * restore (the state has it). With ESN keep a window: with 0 the high bits are inferred as if
   * every packet came at or after the highest (esn.ts), so a reordered packet fails its ICV.
   */
  readonly replayWindow?: number;
  /**
   * The outbound sequence number at which a rekey is asked for (1 up to the last number); default
   * 2^32 - 2^24 without ESN, 2^53 - 2^24 with ESN (seq-limits.ts).
   */
  readonly seqRekeyThreshold?: number;
}

export interface EspRestoreOptions extends EspChildSaOptions {
  /**
   * Move the outbound counter forward by this many numbers (RFC 6311 4.2): at least the packets
   * sent after the snapshot was taken. Default 0. Throws if it would pass the last number.
   */
  readonly seqJump?: number;
}

/**
 * The checked SkCipher of an SA: one object shared by both directions (espLayout caches by it).
 * Key lengths are checked here, so a local error never surfaces on the per-packet path.
 */
function cipherOf(info: ChildSaInfo): SkCipher {
  const cipher: SkCipher = {
    encr: info.encr,
    ...(info.keyLength !== undefined ? { keyLength: info.keyLength } : {}),
    ...(info.integ !== undefined ? { integ: info.integ } : {}),
  };
  const layout = espLayout(cipher, 'info'); // throws, naming the field, on an unknown or incomplete cipher
  const { keymatBytes } = encrKeySizes(info.encr, info.keyLength, 'info');
  const integBytes = layout.aead ? 0 : integInfo(info.integ!, 'info.integ').keyBytes;
  for (const dir of ['keysIn', 'keysOut'] as const) {
    const keys = info[dir];
    if (typeof keys !== 'object' || keys === null) throw new TypeError(`"info.${dir}" expected { encr, integ? }, got ${keys === null ? 'null' : typeof keys}`);
    expectBytes(`info.${dir}.encr`, keys.encr, keymatBytes, 'this cipher (key and salt)');
    if (integBytes > 0) expectBytes(`info.${dir}.integ`, keys.integ, integBytes, 'this INTEG transform');
  }
  return cipher;
}

export class EspChildSa {
  readonly spiIn: number;
  readonly spiOut: number;
  readonly esn: boolean;
  /** What we receive with (spiIn, keysIn) and send with (spiOut, keysOut), for seal.ts / open.ts. */
  readonly inbound: EspSa;
  readonly outbound: EspSa;
  /** Our side (inner destinations in, sources out) and the peer's (sources in, destinations out). */
  readonly local: SelectorSet;
  readonly remote: SelectorSet;
  /** The last sequence number this SA may send (RFC 4303 3.3.3). */
  readonly lastSeqOut: number;
  readonly seqRekeyThreshold: number;
  readonly installedAt: number;

  private readonly suite: CryptoSuite;
  private readonly window: ReplayWindow;
  private readonly live: EspCounters;
  private readonly flow: InnerFlow = newInnerFlow();
  /** The last outbound sequence number used; 0 before the first packet (3.3.3). */
  private seqOut: number;
  private rekeyAsked = false;
  private rekeyPending = false;
  private lastIn: number | null = null;
  private lastOut: number | null = null;

  private constructor(suite: CryptoSuite, info: ChildSaInfo, options: EspChildSaOptions, window: ReplayWindow, seqOut: number, counters: EspCounters) {
    this.suite = suite;
    this.spiIn = info.spiIn;
    this.spiOut = info.spiOut;
    this.esn = info.esn;
    const cipher = cipherOf(info);
    this.inbound = { spi: info.spiIn, cipher, keys: info.keysIn };
    this.outbound = { spi: info.spiOut, cipher, keys: info.keysOut };
    this.local = SelectorSet.parse(info.localTs, 'info.localTs');
    this.remote = SelectorSet.parse(info.remoteTs, 'info.remoteTs');
    this.lastSeqOut = lastSeqOut(info.esn);
    const threshold = options.seqRekeyThreshold ?? defaultSeqRekeyThreshold(info.esn);
    this.seqRekeyThreshold = expectInt('seqRekeyThreshold', threshold, 1, this.lastSeqOut);
    this.installedAt = options.now;
    this.window = window;
    this.seqOut = seqOut;
    this.live = counters;
  }

  /** A fresh SA: outbound numbers start at 1, the window is empty. Throws naming the field on bad info or options. */
  static create(suite: CryptoSuite, info: ChildSaInfo, options: EspChildSaOptions): EspChildSa {
    checkCommon(suite, info, options);
    const window = new ReplayWindow(expectInt('replayWindow', options.replayWindow ?? REPLAY_WINDOW_DEFAULT, 0, REPLAY_WINDOW_MAX));
    return new EspChildSa(suite, info, options, window, 0, zeroCounters());
  }

  /**
   * An SA rebuilt from `info` (keys, selectors) and a `state()` snapshot; the window keeps the
   * snapshot's size. The rekey signal is raised again on the first send at or past the threshold:
   * the restored process has asked nobody yet.
   */
  static restore(suite: CryptoSuite, info: ChildSaInfo, state: EspChildSaState, options: EspRestoreOptions): EspChildSa {
    checkCommon(suite, info, options);
    const parts = restoreParts(info, state, options.seqJump ?? 0, lastSeqOut(info.esn));
    return new EspChildSa(suite, info, options, parts.window, parts.seqOut, parts.counters);
  }

  /** The sequence number the next packet will carry (lastSeqOut + 1 once exhausted). */
  get nextSeqOut(): number {
    return this.seqOut + 1;
  }

  /** The highest inbound sequence number accepted (full, with ESN). */
  get highestSeqIn(): number {
    return this.window.highest;
  }

  get replayWindow(): number {
    return this.window.size;
  }

  /** When the last authenticated packet arrived (RFC 7296 2.4: proof of life); null before the first. */
  get lastInbound(): number | null {
    return this.lastIn;
  }

  /** When the last ESP packet was built; null before the first. */
  get lastOutbound(): number | null {
    return this.lastOut;
  }

  /** Whether the threshold was reached (sticky): the SA should be replaced. */
  get rekeyRequested(): boolean {
    return this.rekeyAsked;
  }

  /** True exactly once after the outbound counter reached the threshold (or the SA ran out). */
  takeRekeyDue(): boolean {
    const due = this.rekeyPending;
    this.rekeyPending = false;
    return due;
  }

  /** A copy of the counters. */
  counters(): EspCounters {
    return copyCounters(this.live);
  }

  /** A snapshot, plain data (child-sa-state.ts). */
  state(): EspChildSaState {
    return { spiIn: this.spiIn, spiOut: this.spiOut, nextSeqOut: this.seqOut + 1, replay: this.window.state(), counters: copyCounters(this.live) };
  }

  /** Inbound processing of an ESP packet (SPI first): the inner datagram, or why it was dropped. */
  open(now: number, packet: Uint8Array): Uint8Array | EspInDrop {
    const peek = peekEsp(packet);
    if (!peek.ok) return this.dropIn('short');
    if (peek.spi !== this.spiIn) return this.dropIn('unknown-spi');
    return this.openPeeked(now, packet, peek.seqLow);
  }

  /**
   * open() for a caller that already peeked the packet and found this SA by its SPI (DataPlane):
   * `seqLow` is the packet's 32-bit Sequence Number field.
   */
  openPeeked(now: number, packet: Uint8Array, seqLow: number): Uint8Array | EspInDrop {
    const w = this.window;
    const seq = inboundSeq(seqLow, w.highest, w.size, this.esn);
    if (w.check(seq) !== 'ok') return this.dropIn('replay');
    const opened = openEsp(this.suite, this.inbound, packet, seq, this.esn);
    if (!opened.ok && (opened.reason === 'bad-icv' || opened.reason === 'short')) return this.dropIn(opened.reason);
    // Authenticated (3.4.3: the window moves only now). accept() cannot fail after check() in one
    // synchronous call; it is asked anyway, as 3.4.3 wants the check repeated.
    if (!w.accept(seq)) return this.dropIn('replay');
    this.lastIn = now;
    if (!opened.ok) return this.dropIn(opened.reason);
    if (opened.nextHeader === NextHeader.NO_NEXT_HEADER) return this.dropIn('dummy');
    const inner = opened.inner;
    const f = this.flow;
    if (!readInnerFlow(inner, f)) return this.dropIn('bad-inner');
    if (!this.remote.matches(f.src, f.protocol, f.srcPort) || !this.local.matches(f.dst, f.protocol, f.dstPort)) return this.dropIn('selector-mismatch');
    const c = this.live;
    c.packetsIn++;
    c.bytesIn += f.totalLength;
    return f.totalLength === inner.length ? inner : inner.subarray(0, f.totalLength);
  }

  /** Outbound processing of an inner IPv4 datagram: the ESP packet (SPI through ICV), or why not. */
  seal(now: number, inner: Uint8Array): Uint8Array | EspOutDrop {
    const f = this.flow;
    if (!(inner instanceof Uint8Array) || !readInnerFlow(inner, f)) return this.dropOut('bad-inner');
    if (!this.coversOutbound(f)) return this.dropOut('selector-mismatch');
    return this.sealChecked(now, f.totalLength === inner.length ? inner : inner.subarray(0, f.totalLength));
  }

  /** Whether the SA's selectors cover an outbound datagram: source local, destination remote (RFC 4301 5.1). */
  coversOutbound(f: InnerFlow): boolean {
    return this.local.matches(f.src, f.protocol, f.srcPort) && this.remote.matches(f.dst, f.protocol, f.dstPort);
  }

  /**
   * seal() for a caller that already checked the datagram (readInnerFlow) and the selectors
   * (coversOutbound), e.g. DataPlane: numbering and encryption only.
   */
  sealChecked(now: number, inner: Uint8Array): Uint8Array | EspOutDrop {
    if (this.seqOut >= this.lastSeqOut) {
      this.askRekey();
      return this.dropOut('seq-exhausted');
    }
    const seq = ++this.seqOut; // a number is never reused, even if sealing threw
    if (seq >= this.seqRekeyThreshold) this.askRekey();
    const packet = sealEsp(this.suite, this.outbound, seq, this.esn, inner, NextHeader.IPV4);
    const c = this.live;
    c.packetsOut++;
    c.bytesOut += inner.length;
    this.lastOut = now;
    return packet;
  }

  private askRekey(): void {
    if (this.rekeyAsked) return;
    this.rekeyAsked = true;
    this.rekeyPending = true;
  }

  private dropIn(reason: EspInDrop): EspInDrop {
    this.live.dropsIn[reason]++;
    return reason;
  }

  private dropOut(reason: EspOutDrop): EspOutDrop {
    this.live.dropsOut[reason]++;
    return reason;
  }
}

function checkCommon(suite: CryptoSuite, info: ChildSaInfo, options: EspChildSaOptions): void {
  if (typeof suite !== 'object' || suite === null || typeof suite.encryptDetached !== 'function') throw new TypeError('"suite" expected a CryptoSuite');
  if (typeof info !== 'object' || info === null) throw new TypeError(`"info" expected a ChildSaInfo, got ${info === null ? 'null' : typeof info}`);
  expectInt('info.spiIn', info.spiIn, 1, 0xffff_ffff);
  expectInt('info.spiOut', info.spiOut, 1, 0xffff_ffff);
  if (typeof info.esn !== 'boolean') throw new TypeError(`"info.esn" expected a boolean, got ${typeof info.esn}`);
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected { now, replayWindow?, seqRekeyThreshold? }');
  if (typeof options.now !== 'number' || !Number.isFinite(options.now)) throw new RangeError(`"options.now" expected a finite number of seconds, got ${String(options.now)}`);
}
