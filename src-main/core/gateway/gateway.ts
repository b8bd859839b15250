/**
 * The responder's whole side of the tunnel, sans-IO: the IKEv2 Responder (core/ike), the ESP data
 * plane (core/esp) and the virtual host behind it (core/inner), driven like the Responder alone
 * (`receive`, `tick`, `drain`, `nextDeadline`), so the UDP adapter, the simulator and the tests
 * run it the same way.
 *
 * - On the NAT-T port a datagram whose first four octets are not zero is ESP (RFC 3948 2.2; zero
 *   is the non-ESP marker before IKE, a single 0xFF a NAT-keepalive); it goes to the data plane,
 *   and what it carries to the virtual host. Authenticated ESP is proof of life for DPD (RFC
 *   7296 2.4). Replies and pushed traffic go back through the data plane to the IKE SA's peer.
 * - The Responder's SA events keep the data plane's table in step: child-up adds a CHILD_SA,
 *   child-down and ike-down remove, ike-rekeyed moves the CHILD_SAs to the new IKE SA (2.18).
 * - When a CHILD_SA's outbound sequence numbers near their end, the data plane asks for a rekey
 *   and the Responder starts one (RFC 4303 3.3.3: a sequence number never wraps).
 * - Every ESP drop is silent on the wire and counted by reason (`drop` events `esp-<reason>`).
 * - Every datagram in and out is reported as a `traffic` event with its class (ike/traffic.ts):
 *   what the live estimator and session recordings feed on.
 */
import { EndpointMap } from '../net/endpoint-map.ts';
import { parseIpv4 } from '../net/ipv4.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { DataPlane } from '../esp/data-plane.ts';
import { isEsp } from '../esp/packet.ts';
import type { Endpoint, IkeEvent, Output } from '../ike/io.ts';
import type { TrafficNote } from '../ike/traffic.ts';
import { wireHead, wireHeadOf } from '../session/wire-head.ts';
import { TimerHeap } from '../timer-heap.ts';
import type { IkePolicy } from '../ike/policy.ts';
import { Responder, type Ports } from '../ike/responder.ts';
import { parseSelectorText } from '../ike/traffic-selectors.ts';
import { VirtualHost, type VirtualHostOptions } from '../inner/virtual-host.ts';

/** Downlink traffic pushed to each client's virtual IP (inner/push.ts). */
export interface PushToClients {
  readonly port: number;
  readonly bytes: number;
  readonly everyS: number;
}

export interface GatewayOptions {
  /** IKE's crypto. */
  readonly suite: CryptoSuite;
  /** ESP's crypto (noble or node:crypto; the same bytes either way); default `suite`. */
  readonly espSuite?: CryptoSuite;
  readonly policy: IkePolicy;
  readonly ports: Ports;
  readonly replayWindow?: number;
  readonly seqRekeyThreshold?: number;
  readonly host: VirtualHostOptions;
  readonly push?: readonly PushToClients[];
  /** Report every datagram as a `traffic` event (default true; off saves an object a packet). */
  readonly traffic?: boolean;
}

export class Gateway {
  readonly responder: Responder;
  readonly dataPlane: DataPlane;
  readonly host: VirtualHost;
  private out: Output[] = [];
  private readonly push: readonly PushToClients[];
  /** Push streams by IKE SA, stopped when it goes. */
  private readonly pushes = new Map<string, number[]>();
  /**
   * Which IKE SA each peer endpoint belongs to, as the note of a keepalive from there (made once per
   * SA, not per keepalive), and back: keepalives carry no SPI.
   */
  private readonly saAt = new EndpointMap<TrafficNote>();
  private readonly peerOf = new Map<string, Endpoint>();
  /**
   * The gateway's own NAT-T keepalives (policy keepaliveS > 0): to a peer behind a NAT, after
   * keepaliveS without sending it anything (RFC 3948 4 has the NATed side send them; a gateway
   * doing so keeps a carrier's mapping open, at the cost of the phone's radio).
   */
  private readonly lastOutTo = new Map<string, number>();
  private readonly keepalives = new TimerHeap<string>((sa) => {
    const last = this.lastOutTo.get(sa);
    const k = this.responder.policy.keepaliveS;
    return last === undefined ? Number.NaN : k > 0 ? last + k : Infinity;
  });

  constructor(private readonly o: GatewayOptions) {
    this.responder = new Responder(o.suite, o.policy, o.ports);
    this.dataPlane = new DataPlane({
      suite: o.espSuite ?? o.suite,
      ...(o.replayWindow !== undefined ? { replayWindow: o.replayWindow } : {}),
      ...(o.seqRekeyThreshold !== undefined ? { seqRekeyThreshold: o.seqRekeyThreshold } : {}),
    });
    this.host = new VirtualHost(o.host);
    this.push = o.push ?? [];
  }

  drain(): Output[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  nextDeadline(): number {
    return Math.min(this.responder.nextDeadline(), this.host.nextDeadline(), this.keepalives.next());
  }

  /**
   * Changes the DPD delay and retransmissions and the gateway's keepalive interval while running
   * (Responder.updatePolicy): existing SAs follow at their next timer. Reported as a
   * `policy-changed` event, so session recordings show when.
   */
  updatePolicy(now: number, patch: Parameters<Responder['updatePolicy']>[1]): void {
    this.responder.updatePolicy(now, patch);
    if (patch.keepaliveS !== undefined) for (const sa of this.lastOutTo.keys()) this.keepalives.touch(sa);
    this.out.push({ kind: 'event', event: { kind: 'policy-changed', changes: { ...patch } } });
    this.pump(now);
  }

  /** Moves on what the Responder produced outside `receive` and `tick` (a restore, gateway/snapshot.ts). */
  settle(now: number): void {
    this.pump(now);
  }

  /**
   * Whether `receive` keeps nothing of this datagram's octets once it returns (udp-host.ts may then
   * lend it a reused buffer): ESP only. Its plaintext is decrypted into new memory and a recording
   * keeps a copy of its head (wireHead); IKE keeps messages (the IKE_SA_INIT request is signed
   * later, RFC 7296 2.15).
   */
  transient(datagram: Uint8Array, to: Endpoint): boolean {
    return to.port === this.o.ports.natt && isEsp(datagram);
  }

  receive(now: number, datagram: Uint8Array, from: Endpoint, to: Endpoint): void {
    if (to.port === this.o.ports.natt && isEsp(datagram)) this.onEsp(now, datagram, from, to);
    else {
      this.responder.receive(now, datagram, from, to);
      const note = this.responder.lastIn;
      // A keepalive names no SA (RFC 3948 2.3): it belongs to the IKE SA whose peer sent it, if any.
      this.traffic('in', from, to, datagram, note.cls === 'keepalive' ? (this.saAt.get(from) ?? note) : note);
    }
    this.pump(now);
  }

  tick(now: number): void {
    this.responder.tick(now);
    this.pump(now);
    for (const name of this.keepalives.due(now)) this.keepalive(now, name);
    for (const inner of this.host.tick(now)) this.sendInner(now, inner);
    this.pump(now);
  }

  private onEsp(now: number, packet: Uint8Array, from: Endpoint, to: Endpoint): void {
    const r = this.dataPlane.receive(now, packet);
    if (this.o.traffic !== false) {
      // Built only when reported: this runs for every ESP packet.
      const spi = ((packet[0]! << 24) | (packet[1]! << 16) | (packet[2]! << 8) | packet[3]!) >>> 0;
      this.traffic('in', from, to, packet, r.ok || r.ikeSa !== undefined ? { cls: r.ok ? 'data' : 'invalid', sa: r.ikeSa!, spi } : { cls: 'invalid', spi }, true);
    }
    if (!r.ok) return this.drop(`esp-${r.reason}`, `ESP${r.spiIn !== undefined ? ` SPI ${r.spiIn.toString(16).padStart(8, '0')}` : ''}`, from);
    this.responder.espAlive(now, r.ikeSa);
    for (const reply of this.host.receive(now, r.inner)) this.sendInner(now, reply);
  }

  /** An inner packet from the virtual host into the tunnel towards its destination. */
  private sendInner(now: number, inner: Uint8Array): void {
    const r = this.dataPlane.send(now, inner);
    const sa = r.ok ? this.responder.ikeSa(r.ikeSa) : undefined;
    if (!r.ok || !sa) return this.drop(`esp-out-${r.ok ? 'no-ike-sa' : r.reason}`, 'a packet from the virtual host', { address: '0.0.0.0', port: 0 });
    const note: TrafficNote = { cls: 'data', sa: r.ikeSa, slot: sa.slot, spi: r.spiOut };
    this.out.push({ kind: 'send', from: sa.local, to: sa.peer, bytes: r.packet, note });
    this.traffic('out', sa.peer, sa.local, r.packet, note);
    this.sentTo(now, r.ikeSa);
  }

  /** Something went to this SA's peer: its keepalive moves (lazily: the heap looks again when due). */
  private sentTo(now: number, sa: string): void {
    if (this.lastOutTo.has(sa)) this.lastOutTo.set(sa, now);
  }

  private keepalive(now: number, name: string): void {
    const sa = this.responder.ikeSa(name);
    const k = this.responder.policy.keepaliveS;
    if (!sa || sa.state !== 'established' || k <= 0) return;
    const last = this.lastOutTo.get(name) ?? now;
    if (sa.natt && sa.peerBehindNat && now >= last + k - 1e-9) {
      const note: TrafficNote = { cls: 'keepalive', sa: name, slot: sa.slot };
      const bytes = Uint8Array.of(0xff);
      this.out.push({ kind: 'send', from: sa.local, to: sa.peer, bytes, note });
      this.traffic('out', sa.peer, sa.local, bytes, note);
      this.lastOutTo.set(name, now);
    }
    this.keepalives.touch(name);
  }

  /**
   * Reports a datagram. Its head is a view of `payload` (wire-head.ts), which stays as it is: the
   * Gateway keeps what it receives, but for received ESP (`transient`: the host reuses its buffer),
   * and what it sends is new. A `transient` datagram's head is copied.
   */
  private traffic(dir: 'in' | 'out', peer: Endpoint, local: Endpoint, payload: Uint8Array, note: TrafficNote, transient = false): void {
    if (this.o.traffic === false) return;
    const bytes = payload.length;
    const natt = local.port === this.o.ports.natt;
    const head = transient ? wireHead(payload, natt) : wireHeadOf(payload, natt);
    // 20 octets of IPv4 header and 8 of UDP around the datagram (RFC 791, RFC 768).
    // Every field named, so every traffic event has one shape (a spread gave each note's its own).
    const event = { kind: 'traffic', dir, peer, local, bytes, ipBytes: bytes + 28, head, cls: note.cls, sa: note.sa, slot: note.slot, messageId: note.messageId, request: note.request, spi: note.spi } as const;
    this.out.push({ kind: 'event', event });
  }

  /** Moves the Responder's output on, keeping the data plane in step with its SA events. */
  private pump(now: number): void {
    for (let round = 0; round < 2; round++) {
      for (const o of this.responder.drain()) {
        if (o.kind === 'event') this.onEvent(now, o.event);
        this.out.push(o);
        if (o.kind === 'send') {
          this.traffic('out', o.to, o.from, o.bytes, o.note ?? { cls: 'control' });
          if (o.note?.sa !== undefined) this.sentTo(now, o.note.sa);
        }
      }
      const due = this.dataPlane.takeRekeysDue();
      if (due.length === 0) return;
      for (const d of due) this.responder.rekeyChildSa(now, d.ikeSa, d.spiIn);
    }
  }

  /** The note of a keepalive from the peer of IKE SA `sa`. */
  private keepaliveFrom(sa: string): TrafficNote {
    const slot = this.responder.ikeSa(sa)?.slot;
    return slot === undefined || slot < 0 ? { cls: 'keepalive', sa } : { cls: 'keepalive', sa, slot };
  }

  /** Keeps the endpoint index (for keepalives) in step with where each IKE SA's peer is. */
  private track(sa: string, peer: Endpoint | null): void {
    const old = this.peerOf.get(sa);
    if (old !== undefined && this.saAt.get(old)?.sa === sa) this.saAt.delete(old);
    this.peerOf.delete(sa);
    if (!peer) return;
    // A copy: the event's endpoint object is the caller's.
    const at = { address: peer.address, port: peer.port };
    this.saAt.set(at, this.keepaliveFrom(sa));
    this.peerOf.set(sa, at);
  }

  private onEvent(now: number, e: IkeEvent): void {
    if (this.o.traffic !== false) this.trackEvent(e);
    this.trackKeepalive(now, e);
    switch (e.kind) {
      case 'child-up': {
        this.dataPlane.add(now, e.sa, e.child);
        if (e.rekeyOf === null) this.startPushes(now, e.sa, e.child.remoteTs);
        return;
      }
      case 'child-down':
        this.dataPlane.remove(e.spiIn);
        return;
      case 'ike-restored': {
        // The data plane already holds its CHILD_SAs (snapshot.ts); the pushes start again.
        const first = e.children[0];
        if (first) this.startPushes(now, e.sa, first.remoteTs);
        return;
      }
      case 'ike-rekeyed': {
        this.dataPlane.moveIkeSa(e.sa, e.newSa);
        const ids = this.pushes.get(e.sa);
        if (ids) {
          this.pushes.delete(e.sa);
          this.pushes.set(e.newSa, ids);
        }
        return;
      }
      case 'ike-down': {
        this.dataPlane.removeIkeSa(e.sa);
        for (const id of this.pushes.get(e.sa) ?? []) this.host.stopPush(id);
        this.pushes.delete(e.sa);
        return;
      }
      default:
        return;
    }
  }

  /** Which IKE SAs may get the gateway's keepalives, and since when nothing went to them. */
  private trackKeepalive(now: number, e: IkeEvent): void {
    switch (e.kind) {
      case 'ike-up':
      case 'ike-restored':
        this.lastOutTo.set(e.sa, now);
        return this.keepalives.touch(e.sa);
      case 'ike-rekeyed': {
        const last = this.lastOutTo.get(e.sa);
        this.lastOutTo.delete(e.sa);
        this.lastOutTo.set(e.newSa, last ?? now);
        return this.keepalives.touch(e.newSa);
      }
      case 'ike-down':
        this.lastOutTo.delete(e.sa);
        return;
      default:
        return;
    }
  }

  private trackEvent(e: IkeEvent): void {
    switch (e.kind) {
      case 'ike-up':
      case 'ike-restored':
      case 'peer-moved':
      case 'mobike-update':
        return this.track(e.sa, e.peer);
      case 'ike-rekeyed': {
        const key = this.peerOf.get(e.sa);
        this.track(e.sa, null);
        if (key !== undefined) {
          this.saAt.set(key, this.keepaliveFrom(e.newSa));
          this.peerOf.set(e.newSa, key);
        }
        return;
      }
      case 'ike-down':
        return this.track(e.sa, null);
      default:
        return;
    }
  }

  /** Push streams to the client's virtual IP: the single address its side of the CHILD_SA covers. */
  private startPushes(now: number, sa: string, remoteTs: readonly string[]): void {
    if (this.push.length === 0 || this.pushes.has(sa)) return;
    const ts = remoteTs.length === 1 ? parseSelectorText(remoteTs[0]!) : null;
    if (!ts || ts.kind !== 'ipv4' || ts.startAddress !== ts.endAddress || parseIpv4(ts.startAddress) === null) return;
    this.pushes.set(
      sa,
      this.push.map((p) => this.host.push(now, { to: ts.startAddress, port: p.port, bytes: p.bytes, everyS: p.everyS })),
    );
  }

  private drop(reason: string, detail: string, from: Endpoint): void {
    this.out.push({ kind: 'event', event: { kind: 'drop', reason, detail, from } });
  }
}
