/**
 * One emulated libipsec-style client (strongswan-behaviour.md): WakeLab's IKEv2 Initiator for the
 * exchanges, a client-side ESP DataPlane for background data, and a client policy (core/policy)
 * applied the way the simulator's client applies it (sim/client.ts), so a live fleet and a
 * simulation of the same policy agree:
 *
 * - every timer is a platform alarm (alarms.ts): exact, inexact (next maintenance window) or a
 *   wake lock for short ones; the Initiator's own deadlines (retransmissions, DPD, rekeys) go
 *   through the same mapping;
 * - NAT-T keepalives (RFC 3948 4) after `keepaliveS` without sending, as charon's send_keepalive;
 *   past `keepaliveS + keepaliveDpdMarginS` a DPD goes instead (charon keep_alive_dpd_margin);
 *   offloaded keepalives go on a fixed period; `dpdWithKeepalive` sends a due DPD in place of a
 *   keepalive;
 * - rekeys on `ikeRekeyS` / `childRekeyS` less a random part up to their jitter (rand_time);
 * - after a failure (DPD unanswered, the SA deleted by the gateway, a handshake unanswered) a new
 *   IKE_SA after `reconnect.delayS`, failed attempts retried after `retryS`, doubling up to
 *   `maxRetryS` (mode `never`: none);
 * - background data: an inner UDP datagram to the gateway's virtual host every `everyS`.
 *
 * Loopback has no NAT, so by default the client fakes one (strongSwan's `encap = yes`): the gateway
 * then sees a NATed client and the client sends keepalives, as a phone on a carrier network does.
 *
 * Sans-IO: one local socket (IKE and NAT-T on the same port), time as `now`, the same Engine
 * interface as the Responder and Initiator (node/ike/udp-host.ts).
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { DataPlane } from '../esp/data-plane.ts';
import { isEsp } from '../esp/packet.ts';
import { Initiator } from '../ike/initiator.ts';
import type { Endpoint, IkeEvent, Output } from '../ike/io.ts';
import { identityOf, type IkePolicy } from '../ike/policy.ts';
import type { Proposal } from '../ike/proposal-syntax.ts';
import { encodeUdp } from '../inner/udp.ts';
import { cidrRange, formatIpv4, parseCidr, parseIpv4 } from '../net/ipv4.ts';
import type { ClientPolicy } from '../policy/schema.ts';
import { alarmTime } from './alarms.ts';

const EPS = 1e-9;
/** Source port of the background datagrams (ours; any unprivileged port). */
const DATA_SOURCE_PORT = 40000;
const IP_UDP_HEADERS = 28;

export type FleetTraffic =
  | { readonly kind: 'idle' }
  /** `bytes` of inner IPv4 packet every `everyS` to the virtual host's echo port (a reply comes back) or discard port. */
  | { readonly kind: 'periodic'; readonly everyS: number; readonly bytes: number; readonly echo: boolean };

export interface EmulatedClientOptions {
  readonly suite: CryptoSuite;
  /** The IKE identity (IDi) and its pre-shared key. */
  readonly id: string;
  readonly psk: Uint8Array;
  readonly remoteId?: string;
  readonly server: { readonly address: string; readonly ikePort: number; readonly nattPort: number };
  /** Our one socket: IKE and NAT-T both. */
  readonly local: Endpoint;
  readonly policy: ClientPolicy;
  readonly ikeProposals: readonly Proposal[];
  readonly espProposals: readonly Proposal[];
  /** What the client reaches through the tunnel (TSr), e.g. 198.18.100.0/24. */
  readonly remoteTs: string;
  readonly traffic: FleetTraffic;
  /** The gateway's virtual host (core/inner) that background data goes to. */
  readonly virtualHost: { readonly address: string; readonly echoPort: number; readonly discardPort: number };
  /** Fake a NAT (default true; see above). */
  readonly fakeNat?: boolean;
}

export type ClientState = 'idle' | 'connecting' | 'up' | 'down' | 'stopped';

export interface EmulatedClientCounters {
  connects: number;
  reconnects: number;
  keepalives: number;
  dpdsInsteadOfKeepalive: number;
  dataSent: number;
  dataReplies: number;
  failures: number;
}

export class EmulatedClient {
  private init: Initiator | null = null;
  private readonly dataPlane: DataPlane;
  private out: Output[] = [];
  state: ClientState = 'idle';
  /** The current IKE SA's name. */
  private current: string | null = null;
  private lastOut = 0;
  private lastIn = 0;
  private lastNow = 0;
  private upAt = 0;
  private keepaliveAt = Infinity;
  private reconnectAt = Infinity;
  private dataAt = Infinity;
  private retryS: number;
  private ipId = 0;
  private virtualIp: string | null = null;
  readonly counters: EmulatedClientCounters = { connects: 0, reconnects: 0, keepalives: 0, dpdsInsteadOfKeepalive: 0, dataSent: 0, dataReplies: 0, failures: 0 };

  constructor(private readonly o: EmulatedClientOptions) {
    this.dataPlane = new DataPlane({ suite: o.suite });
    this.retryS = o.policy.reconnect.retryS;
  }

  /** The Initiator of the current attempt (null before start). */
  get initiator(): Initiator | null {
    return this.init;
  }

  start(now: number): void {
    this.lastNow = now;
    this.connect(now);
  }

  /** Deletes the IKE SA (when up) and stops: no reconnects, no more timers. */
  stop(now: number): void {
    this.lastNow = now;
    if (this.init && this.state === 'up') this.init.close(now);
    this.state = 'stopped';
    this.keepaliveAt = this.reconnectAt = this.dataAt = Infinity;
    this.pump(now);
  }

  drain(): Output[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  nextDeadline(): number {
    const p = this.o.policy;
    const now = this.lastNow;
    // Stopped: only the Delete in flight, if any, until it is answered or given up.
    if (this.state === 'stopped') return this.init?.phase === 'up' ? this.init.nextDeadline() : Infinity;
    const ike = this.init ? alarmTime(p, this.init.nextDeadline(), now) : Infinity;
    // Offloaded keepalives are sent by the modem on its own period, not on a processor alarm.
    const ka = p.keepaliveOffload ? this.keepaliveAt : alarmTime(p, this.keepaliveAt, now);
    return Math.min(ike, ka, alarmTime(p, this.reconnectAt, now), this.dataAt);
  }

  receive(now: number, datagram: Uint8Array, from: Endpoint, to: Endpoint): void {
    this.lastNow = now;
    if (!this.init) return;
    if (datagram.length === 1 && datagram[0] === 0xff) return; // the gateway's keepalive
    if (from.port === this.o.server.nattPort && isEsp(datagram) && this.state === 'up') {
      const r = this.dataPlane.receive(now, datagram);
      if (r.ok) {
        this.lastIn = now;
        this.counters.dataReplies++;
      }
      return;
    }
    if (this.state === 'up') this.lastIn = now;
    this.init.receive(now, datagram, from, to);
    this.pump(now);
  }

  tick(now: number): void {
    this.lastNow = now;
    if (this.state === 'stopped') {
      this.init?.tick(now);
      return this.pump(now);
    }
    this.init?.tick(now);
    this.pump(now);
    if (this.state === 'up' && now >= this.keepaliveAt - EPS) this.onKeepaliveTimer(now);
    if (now >= this.reconnectAt - EPS && (this.state === 'down' || this.state === 'idle')) {
      this.reconnectAt = Infinity;
      this.counters.reconnects++;
      this.connect(now);
    }
    if (this.state === 'up' && now >= this.dataAt - EPS) this.sendData(now);
    this.pump(now);
  }

  // ---- lifecycle ----

  private connect(now: number): void {
    const o = this.o;
    const p = o.policy;
    const keepalives = p.keepaliveS > 0;
    const policy: IkePolicy = {
      localId: identityOf(o.id),
      secrets: new Map(),
      ikeProposals: o.ikeProposals,
      espProposals: o.espProposals,
      pool: null,
      localTs: [],
      // With dpdWithKeepalive the keepalive handler sends the DPD (below), not the Initiator's timer.
      dpd: { delayS: p.dpdWithKeepalive && keepalives ? 0 : p.dpdDelayS, retransmit: p.retransmit, action: 'clear' },
      retransmit: p.retransmit,
      ikeRekeyS: p.ikeRekeyS,
      espRekeyS: p.childRekeyS,
      ikeRekeyJitterS: p.ikeRekeyJitterS,
      espRekeyJitterS: p.childRekeyJitterS,
      cookieThreshold: 0,
      keepaliveS: 0, // sent here, with the margin rule
      mobike: false,
    };
    const ts = cidrRange(parseCidr(o.remoteTs)!);
    this.init = new Initiator({
      suite: o.suite,
      policy,
      nattPort: o.server.nattPort,
      localNattPort: o.local.port,
      fakeNat: o.fakeNat !== false,
      auth: {
        localId: identityOf(o.id),
        ...(o.remoteId ? { remoteId: identityOf(o.remoteId) } : {}),
        psk: o.psk,
        espProposals: o.espProposals,
        requestVip: true,
        remoteTs: [{ kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: formatIpv4(ts.start), endAddress: formatIpv4(ts.end) }],
      },
    });
    this.state = 'connecting';
    this.current = null;
    this.counters.connects++;
    this.init.connect(now, o.local, { address: o.server.address, port: o.server.ikePort });
    this.pump(now);
  }

  private up(now: number, sa: string, virtualIp: string | null): void {
    const p = this.o.policy;
    this.state = 'up';
    this.current = sa;
    this.virtualIp = virtualIp;
    this.upAt = now;
    this.lastIn = now;
    this.lastOut = now;
    this.retryS = p.reconnect.retryS;
    this.keepaliveAt = p.keepaliveS > 0 ? now + p.keepaliveS : Infinity;
    const t = this.o.traffic;
    this.dataAt = t.kind === 'periodic' ? now + t.everyS : Infinity;
  }

  /** The IKE SA is gone or could not be made: try again per the reconnect policy. */
  private failed(now: number, attempt: boolean): void {
    if (this.state === 'stopped') return;
    const r = this.o.policy.reconnect;
    this.counters.failures++;
    this.state = 'down';
    this.current = null;
    this.keepaliveAt = this.dataAt = Infinity;
    if (r.mode === 'never') return;
    if (attempt) {
      const wait = this.retryS;
      this.retryS = Math.min(this.retryS * 2, r.maxRetryS);
      this.reconnectAt = now + wait;
    } else {
      this.reconnectAt = now + r.delayS;
    }
  }

  /** Moves the Initiator's output on, following its SA events. */
  private pump(now: number): void {
    const init = this.init;
    if (!init) return;
    for (const o of init.drain()) {
      this.out.push(o);
      if (o.kind === 'send') {
        this.lastOut = now;
        continue;
      }
      const e = o.event;
      this.onEvent(now, e);
    }
    if (init.phase === 'failed' && this.state === 'connecting') this.failed(now, true);
  }

  private onEvent(now: number, e: IkeEvent): void {
    switch (e.kind) {
      case 'ike-up':
        if (this.state === 'connecting') this.up(now, e.sa, e.virtualIp);
        return;
      case 'ike-rekeyed':
        if (e.sa === this.current) this.current = e.newSa;
        this.dataPlane.moveIkeSa(e.sa, e.newSa);
        return;
      case 'ike-down':
        if (e.sa === this.current && e.reason !== 'rekeyed' && e.reason !== 'redundant') this.failed(now, false);
        return;
      case 'child-up':
        this.dataPlane.add(now, e.sa, e.child);
        return;
      case 'child-down':
        this.dataPlane.remove(e.spiIn);
        return;
      default:
        return;
    }
  }

  // ---- NAT-T keepalives (RFC 3948 4) ----

  private onKeepaliveTimer(now: number): void {
    const p = this.o.policy;
    const k = p.keepaliveS;
    if (p.keepaliveOffload) {
      this.sendKeepalive(now);
      this.keepaliveAt = this.upAt + (Math.floor((now - this.upAt) / k + EPS) + 1) * k;
      return;
    }
    const idle = now - this.lastOut;
    if (idle >= k - EPS) {
      const sa = this.init?.ikeSa;
      const busy = sa?.pending !== null && sa?.pending !== undefined;
      const dpdDue = p.dpdDelayS > 0 && now - this.lastIn >= p.dpdDelayS - EPS;
      const dpdInstead = !busy && ((p.dpdWithKeepalive && dpdDue) || (p.keepaliveDpdMarginS > 0 && idle > k + p.keepaliveDpdMarginS));
      if (dpdInstead) {
        this.counters.dpdsInsteadOfKeepalive++;
        this.init!.dpd(now);
        this.pump(now);
      } else this.sendKeepalive(now);
    }
    this.keepaliveAt = this.lastOut + k;
  }

  private sendKeepalive(now: number): void {
    const sa = this.init?.ikeSa;
    if (!sa) return;
    this.out.push({ kind: 'send', from: sa.local, to: sa.peer, bytes: Uint8Array.of(0xff), note: { cls: 'keepalive' } });
    this.lastOut = now;
    this.counters.keepalives++;
  }

  // ---- background data ----

  private sendData(now: number): void {
    const t = this.o.traffic;
    if (t.kind !== 'periodic') return;
    this.dataAt = now + t.everyS;
    const sa = this.init?.ikeSa;
    const src = this.virtualIp === null ? null : parseIpv4(this.virtualIp);
    const dst = parseIpv4(this.o.virtualHost.address);
    if (!sa || src === null || dst === null) return;
    const payload = new Uint8Array(Math.max(t.bytes - IP_UDP_HEADERS, 0));
    const inner = encodeUdp({ src, dst, id: this.ipId++ & 0xffff }, DATA_SOURCE_PORT, t.echo ? this.o.virtualHost.echoPort : this.o.virtualHost.discardPort, payload);
    const r = this.dataPlane.send(now, inner);
    if (!r.ok) return;
    this.out.push({ kind: 'send', from: sa.local, to: sa.peer, bytes: r.packet, note: { cls: 'data', sa: r.ikeSa, spi: r.spiOut } });
    this.lastOut = now;
    this.counters.dataSent++;
  }
}
