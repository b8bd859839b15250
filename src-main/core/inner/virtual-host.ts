/**
 * The virtual host behind the responder: the protected side a client reaches through its ESP
 * tunnel. It takes decrypted inner IPv4 datagrams and returns the datagrams to send back into the
 * tunnel. It answers ICMP Echo (RFC 792; RFC 1122 3.2.2.6), runs UDP Echo (RFC 862) and Discard
 * (RFC 863), and pushes downlink UDP to clients (push.ts). Everything else is dropped silently and
 * counted by reason (drop.ts).
 *
 * Sans-IO: every entry point takes `now` (seconds); `nextDeadline()` says when `tick` is next
 * needed. Sent datagrams: 20-byte header, TTL 64, DF, Identification from a 16-bit counter.
 */
import { WakeLabError } from '../errors.ts';
import { INNER_DROP_REASONS, type InnerDropReason } from './drop.ts';
import { decodeEchoRequest, encodeEchoReply } from './icmp.ts';
import { isUnicastHost, parseHostAddress } from './host-address.ts';
import { decodeIpv4, DEFAULT_TTL, IpProtocol, type Ipv4Packet } from './ipv4-packet.ts';
import { fillPushPayload, PushSchedule, type PushSpec } from './push.ts';
import { allocUdp, decodeUdp, sealUdp, UDP_PAYLOAD_OFFSET } from './udp.ts';

/** RFC 862: the Echo service on UDP port 7. */
export const ECHO_PORT = 7;
/** RFC 863: the Discard service on UDP port 9. */
export const DISCARD_PORT = 9;
/**
 * Source ports an echo is never sent to: ports of services that answer whatever arrives (Echo 7,
 * RFC 862; Daytime 13, RFC 867; Character Generator 19, RFC 864; Time 37, RFC 868). Two of them
 * would bounce datagrams between each other for ever (the classic UDP echo/chargen loop).
 */
const LOOPING_PORTS: ReadonlySet<number> = new Set([7, 13, 19, 37]);

/** No reply: one shared empty list, so a discarded datagram allocates nothing. */
const NONE: readonly Uint8Array[] = Object.freeze([]);

export interface VirtualHostOptions {
  /** The host's address; see defaultHostAddress() for the usual choice. */
  readonly address: string | number;
  readonly echoPort?: number;
  readonly discardPort?: number;
  /** Time to Live of what the host sends; DEFAULT_TTL (64) when absent. */
  readonly ttl?: number;
  /** The first IP Identification sent; 0 when absent. */
  readonly firstId?: number;
}

export interface VirtualHostCounters {
  /** Datagrams given to `receive`. */
  received: number;
  icmpEchoReplies: number;
  udpEchoReplies: number;
  udpDiscarded: number;
  /** Datagrams sent by push streams, and the UDP data bytes they carried. */
  pushed: number;
  pushedBytes: number;
  drops: Record<InnerDropReason, number>;
}

export class VirtualHost {
  readonly address: number;
  readonly echoPort: number;
  readonly discardPort: number;
  readonly ttl: number;
  private nextId: number;
  private readonly pushes = new PushSchedule();
  private readonly c: VirtualHostCounters;

  /** Throws INVALID_ARGUMENT naming the field on a bad option. */
  constructor(opts: VirtualHostOptions) {
    if (opts === null || typeof opts !== 'object') throw new WakeLabError('INVALID_ARGUMENT', 'virtual host: options expected an object { address, echoPort?, discardPort? }');
    this.address = parseHostAddress('address', opts.address, 'virtual host: ');
    this.echoPort = portOption('echoPort', opts.echoPort ?? ECHO_PORT);
    this.discardPort = portOption('discardPort', opts.discardPort ?? DISCARD_PORT);
    if (this.echoPort === this.discardPort) throw new WakeLabError('INVALID_ARGUMENT', `virtual host: "discardPort" must differ from "echoPort" (both ${this.echoPort})`);
    this.ttl = intOption('ttl', opts.ttl ?? DEFAULT_TTL, 1, 255);
    this.nextId = intOption('firstId', opts.firstId ?? 0, 0, 0xffff);
    this.c = { received: 0, icmpEchoReplies: 0, udpEchoReplies: 0, udpDiscarded: 0, pushed: 0, pushedBytes: 0, drops: zeroDrops() };
  }

  /** A snapshot of what was answered, pushed and dropped. */
  get counters(): VirtualHostCounters {
    return { ...this.c, drops: { ...this.c.drops } };
  }

  /**
   * Takes one decrypted inner datagram (network input: never throws) and returns the replies.
   * `now` is unused today (nothing received changes a deadline) and kept for the sans-IO shape.
   */
  receive(now: number, packet: Uint8Array): readonly Uint8Array[] {
    void now;
    this.c.received++;
    const ip = decodeIpv4(packet);
    if (!ip.ok) return this.drop(ip.reason);
    if (ip.dst !== this.address) return this.drop('not-for-us');
    // RFC 1122 3.2.1.3: a datagram from an address that cannot be one host is silently discarded
    // (and ours as a source would be a spoof or a loop).
    if (!isUnicastHost(ip.src) || ip.src === this.address) return this.drop('bad-header');
    switch (ip.protocol) {
      case IpProtocol.ICMP:
        return this.icmp(ip);
      case IpProtocol.UDP:
        return this.udp(ip);
      default:
        // A real host answers TCP to a closed port with a RST (RFC 9293 3.10.7.1) and an unknown
        // protocol with ICMP Protocol Unreachable (RFC 1122 3.2.2.1). This one stays silent: it has
        // no TCP stack, and every reply would wake the client's radio for traffic the lab did not
        // ask for, which is the very cost WakeLab measures; a drop counted here is visible instead.
        return this.drop('unsupported-protocol');
    }
  }

  /**
   * Starts pushing UDP to a client (see push.ts): `{ to, port, bytes, everyS }` periodic (first
   * datagram at now + everyS unless `firstAfterS` says otherwise), or `{ to, port, bytes, count }`
   * a burst due now. Returns the stream's id. Throws INVALID_ARGUMENT naming the field.
   */
  push(now: number, spec: PushSpec): number {
    return this.pushes.add(now, spec, this.discardPort);
  }

  /** Stops a push stream; false when it was not running. */
  stopPush(id: number): boolean {
    return this.pushes.remove(id);
  }

  /** When `tick` next has something to send; Infinity when nothing is scheduled. */
  nextDeadline(): number {
    return this.pushes.next();
  }

  /** Every pushed datagram due at `now`, in time order. */
  tick(now: number): Uint8Array[] {
    const due = this.pushes.due(now);
    const out: Uint8Array[] = new Array<Uint8Array>(due.length);
    for (let i = 0; i < due.length; i++) {
      const d = due[i]!;
      const b = allocUdp({ src: this.address, dst: d.to, id: this.takeId(), ttl: this.ttl }, d.fromPort, d.port, d.bytes);
      fillPushPayload(b, UDP_PAYLOAD_OFFSET, d.bytes, d.seq);
      sealUdp(b);
      out[i] = b;
      this.c.pushedBytes += d.bytes;
    }
    this.c.pushed += due.length;
    return out;
  }

  private icmp(ip: Ipv4Packet): readonly Uint8Array[] {
    const echo = decodeEchoRequest(ip.payload);
    if (!echo.ok) return this.drop(echo.reason);
    this.c.icmpEchoReplies++;
    return [encodeEchoReply(ip, ip.payload, this.takeId())];
  }

  private udp(ip: Ipv4Packet): readonly Uint8Array[] {
    const u = decodeUdp(ip.src, ip.dst, ip.payload);
    if (!u.ok) return this.drop(u.reason);
    if (u.dstPort === this.discardPort) {
      // RFC 863: "simply throws away any data it receives".
      this.c.udpDiscarded++;
      return NONE;
    }
    if (u.dstPort !== this.echoPort) return this.drop('closed-port');
    if (u.srcPort === 0 || u.srcPort === this.echoPort || LOOPING_PORTS.has(u.srcPort)) return this.drop('echo-refused');
    // RFC 862: "send back a datagram with the data that was received".
    const b = allocUdp({ src: this.address, dst: ip.src, id: this.takeId(), ttl: this.ttl, tos: ip.tos & 0xfc }, u.dstPort, u.srcPort, u.payload.length);
    b.set(u.payload, UDP_PAYLOAD_OFFSET);
    sealUdp(b);
    this.c.udpEchoReplies++;
    return [b];
  }

  private drop(reason: InnerDropReason): readonly Uint8Array[] {
    this.c.drops[reason]++;
    return NONE;
  }

  /** IP Identification: a counter, wrapping at 16 bits (RFC 791 3.1; RFC 6864 4.1 for DF datagrams). */
  private takeId(): number {
    const id = this.nextId;
    this.nextId = (id + 1) & 0xffff;
    return id;
  }
}

function zeroDrops(): Record<InnerDropReason, number> {
  return Object.fromEntries(INNER_DROP_REASONS.map((r) => [r, 0])) as Record<InnerDropReason, number>;
}

function portOption(field: string, v: unknown): number {
  return intOption(field, v, 1, 0xffff);
}

function intOption(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new WakeLabError('INVALID_ARGUMENT', `virtual host: "${field}" expected a whole number from ${min} to ${max}, got ${JSON.stringify(v) ?? String(v)}`);
  }
  return v;
}
