/**
 * Why the ESP data plane drops a packet, and the counters it keeps. Every drop is silent: nothing
 * is sent back (RFC 4303 3.4.2 to 3.4.4 say "discard", with at most an audit log), and each one is
 * counted by reason, per CHILD_SA and in the DataPlane's totals.
 */
import { expectInt } from '../crypto/args.ts';

/**
 * Inbound, in the order they are checked (RFC 4303 3.4):
 * - 'short': shorter than SPI | Sequence Number (8 octets), or than header, IV, the shortest text
 *   and ICV of the SA's cipher, or an AES-CBC text that is not whole blocks (3.4.4);
 * - 'unknown-spi': no SA receives on this SPI (3.4.2: "If no valid Security Association exists
 *   for this packet the receiver MUST discard the packet");
 * - 'replay': a duplicate, or below the anti-replay window (3.4.3), checked BEFORE the ICV;
 * - 'bad-icv': authentication failed (3.4.4): forgery, corruption, other keys or wrong ESN high bits;
 * - 'bad-padding': authenticated, but Pad Length or the Padding 1, 2, 3, ... is wrong (2.4);
 * - 'bad-next-header': authenticated, but Next Header is neither 4 (IPv4, tunnel mode) nor 59 (2.6);
 * - 'dummy': authenticated dummy packet, Next Header 59 (2.6: "discarded" by the receiver);
 * - 'bad-inner': the payload is not a well-formed IPv4 datagram (version, IHL, Total Length,
 *   header checksum; RFC 791 3.1);
 * - 'selector-mismatch': the inner source is not in the SA's remote selectors, or the destination
 *   not in its local ones (RFC 4301 5.2, step 4 of inbound processing: "discard").
 * The last five come after authentication: the replay window has moved and the packet counts as
 * proof of life (lastInbound).
 */
export const ESP_IN_DROPS = ['short', 'unknown-spi', 'replay', 'bad-icv', 'bad-padding', 'bad-next-header', 'dummy', 'bad-inner', 'selector-mismatch'] as const;
export type EspInDrop = (typeof ESP_IN_DROPS)[number];

/**
 * Outbound (RFC 4303 3.3; RFC 4301 5.1):
 * - 'bad-inner': what the host handed over is not a well-formed IPv4 datagram;
 * - 'no-sa': (DataPlane only) no CHILD_SA's selectors cover the packet (RFC 4301 5.1: no SPD-S
 *   entry; WakeLab's SPD is exactly the installed CHILD_SAs, and what they do not cover is discarded);
 * - 'selector-mismatch': (EspChildSa.seal) the source is not in the SA's local selectors or the
 *   destination not in its remote ones: the peer would drop it (its own 5.2 check);
 * - 'seq-exhausted': the last sequence number was used; the counter must not cycle (3.3.3).
 */
export const ESP_OUT_DROPS = ['bad-inner', 'no-sa', 'selector-mismatch', 'seq-exhausted'] as const;
export type EspOutDrop = (typeof ESP_OUT_DROPS)[number];

/** Counters of one CHILD_SA or of a whole DataPlane. Plain data. */
export interface EspCounters {
  /** Inner packets delivered (authenticated, checked, not dropped). */
  packetsIn: number;
  /** Octets of those inner packets (IPv4 Total Length: TFC padding not counted). */
  bytesIn: number;
  /** ESP packets built. */
  packetsOut: number;
  /** Octets of the inner packets they carry. */
  bytesOut: number;
  readonly dropsIn: Record<EspInDrop, number>;
  readonly dropsOut: Record<EspOutDrop, number>;
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = 0;
  return out;
}

export function zeroCounters(): EspCounters {
  return { packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, dropsIn: zeros(ESP_IN_DROPS), dropsOut: zeros(ESP_OUT_DROPS) };
}

/** A deep copy (the live counters are mutated per packet). */
export function copyCounters(c: EspCounters): EspCounters {
  return { packetsIn: c.packetsIn, bytesIn: c.bytesIn, packetsOut: c.packetsOut, bytesOut: c.bytesOut, dropsIn: { ...c.dropsIn }, dropsOut: { ...c.dropsOut } };
}

/** Adds `c` into `into`. */
export function addCounters(into: EspCounters, c: EspCounters): void {
  into.packetsIn += c.packetsIn;
  into.bytesIn += c.bytesIn;
  into.packetsOut += c.packetsOut;
  into.bytesOut += c.bytesOut;
  for (const k of ESP_IN_DROPS) into.dropsIn[k] += c.dropsIn[k];
  for (const k of ESP_OUT_DROPS) into.dropsOut[k] += c.dropsOut[k];
}

/**
 * Counters from a snapshot, checked field by field (throws naming the field). Reasons missing
 * from an older snapshot start at 0; unknown reasons are refused.
 */
export function countersFromState(c: EspCounters, arg = 'state.counters'): EspCounters {
  if (typeof c !== 'object' || c === null) throw new TypeError(`"${arg}" expected a counters object, got ${c === null ? 'null' : typeof c}`);
  const out = zeroCounters();
  for (const k of ['packetsIn', 'bytesIn', 'packetsOut', 'bytesOut'] as const) out[k] = expectInt(`${arg}.${k}`, c[k], 0, Number.MAX_SAFE_INTEGER);
  copyDrops(out.dropsIn, c.dropsIn, ESP_IN_DROPS, `${arg}.dropsIn`);
  copyDrops(out.dropsOut, c.dropsOut, ESP_OUT_DROPS, `${arg}.dropsOut`);
  return out;
}

function copyDrops<K extends string>(into: Record<K, number>, from: unknown, keys: readonly K[], arg: string): void {
  if (typeof from !== 'object' || from === null) throw new TypeError(`"${arg}" expected an object of counts by reason, got ${from === null ? 'null' : typeof from}`);
  const known: readonly string[] = keys;
  for (const [k, v] of Object.entries(from)) {
    if (!known.includes(k)) throw new RangeError(`"${arg}" has an unknown reason ${JSON.stringify(k)} (known: ${keys.join(', ')})`);
    into[k as K] = expectInt(`${arg}.${k}`, v, 0, Number.MAX_SAFE_INTEGER);
  }
}
