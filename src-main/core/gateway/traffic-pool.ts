/**
 * The Gateway's `traffic` events (core/ike/io.ts) refilled instead of made for each datagram
 * (GatewayOptions.traffic `'reused'`, what the live lab runs). A new event, its output wrapper and
 * its head (a view, or a copy of a payload of 64 octets or less, as most DPD messages are) were
 * about 300 octets of V8's heap a datagram, half of the garbage the live lab added to the
 * responder's (a sampling heap profile of the lab bench's window, BENCHMARKS.md "The live lab").
 *
 * Each event here keeps its own copy of its head in 36 octets of its own (the longest head,
 * session/wire-head.ts), and a view of them for each head length it has had. The events a `drain`
 * handed out are refilled after the next one: valid until then, as the UDP host uses them
 * (udp-host.ts `flush`); a consumer that keeps one copies it (the live estimator does: core/live/estimator.ts).
 */
import type { Endpoint, IkeEvent, Output } from '../ike/io.ts';
import type { TrafficNote } from '../ike/traffic.ts';
import { MAX_WIRE_HEAD_BYTES, wireHeadLength } from '../session/wire-head.ts';

type Traffic = Extract<IkeEvent, { kind: 'traffic' }>;
type Filled = { -readonly [K in keyof Traffic]: Traffic[K] };

interface Entry {
  readonly output: { readonly kind: 'event'; readonly event: Filled };
  /** The head's octets. */
  readonly octets: Uint8Array;
  /** `octets.subarray(0, n)` by head length n, made when first needed. */
  readonly views: (Uint8Array | undefined)[];
}

const NO_ENDPOINT: Endpoint = Object.freeze({ address: '', port: 0 });

export class TrafficPool {
  private readonly entries: Entry[] = [];
  /** Entries handed out since the last `reuse`. */
  private used = 0;

  /**
   * The next event, filled in as the Gateway reports a datagram (gateway.ts `traffic`); `payload`
   * is read during the call only, so a lent buffer needs no copy of its own.
   */
  take(dir: 'in' | 'out', peer: Endpoint, local: Endpoint, payload: Uint8Array, natt: boolean, note: TrafficNote): Output {
    let x = this.entries[this.used];
    if (x === undefined) this.entries.push((x = entry()));
    this.used++;
    const n = wireHeadLength(payload, natt);
    const octets = x.octets;
    // Octet by octet: at most 36 of them, fewer than a builtin's call costs.
    for (let i = 0; i < n; i++) octets[i] = payload[i]!;
    let head = x.views[n];
    if (head === undefined) x.views[n] = head = octets.subarray(0, n);
    const e = x.output.event;
    e.dir = dir;
    e.peer = peer;
    e.local = local;
    e.bytes = payload.length;
    // 20 octets of IPv4 header and 8 of UDP around the datagram (RFC 791, RFC 768).
    e.ipBytes = payload.length + 28;
    e.head = head;
    e.cls = note.cls;
    e.sa = note.sa;
    e.slot = note.slot;
    e.messageId = note.messageId;
    e.request = note.request;
    e.spi = note.spi;
    return x.output;
  }

  /** The events taken so far were drained: the next ones are written over them. */
  reuse(): void {
    this.used = 0;
  }
}

function entry(): Entry {
  const event: Filled = { kind: 'traffic', dir: 'in', peer: NO_ENDPOINT, local: NO_ENDPOINT, bytes: 0, ipBytes: 0, head: new Uint8Array(0), cls: 'invalid', sa: undefined, slot: undefined, messageId: undefined, request: undefined, spi: undefined };
  return { output: { kind: 'event', event }, octets: new Uint8Array(MAX_WIRE_HEAD_BYTES), views: [] };
}
