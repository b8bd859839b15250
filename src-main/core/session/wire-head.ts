/**
 * What a session recording keeps of a datagram's payload: only the octets any observer of the
 * wire reads in the clear, never plaintext of an encrypted payload nor keys (issue "live lab").
 *
 * - ESP (RFC 4303 2.1, in UDP per RFC 3948 2.1): the SPI and sequence number, 8 octets.
 * - IKE (RFC 7296 3.1): the non-ESP marker when present (RFC 3948 2.2, 4 zero octets), the
 *   28-octet IKE header and the first payload's 4-octet generic header (3.2); for an encrypted
 *   message that is the SK payload's header, whose body stays out.
 * - NAT-T keepalive (RFC 3948 2.3): its one 0xFF octet.
 * - Anything else: at most 8 octets.
 *
 * With these, a pcapng export shows each packet's addresses, ports, length, IKE SPIs, exchange,
 * flags and message ID, or ESP SPI and sequence number, as Wireshark would from a capture cut at
 * that length.
 */

export const IKE_HEADER_BYTES = 28;
const GENERIC_HEADER_BYTES = 4;
const NON_ESP_MARKER_BYTES = 4;
const ESP_HEAD_BYTES = 8;
const OTHER_HEAD_BYTES = 8;

/** How many leading octets of a UDP payload a recording keeps. `natt`: it came or went on the NAT-T port. */
export function wireHeadLength(payload: Uint8Array, natt: boolean): number {
  const n = payload.length;
  if (n === 1 && payload[0] === 0xff) return 1;
  if (natt) {
    const marker = n >= NON_ESP_MARKER_BYTES && payload[0] === 0 && payload[1] === 0 && payload[2] === 0 && payload[3] === 0;
    if (!marker) return Math.min(n, ESP_HEAD_BYTES);
    return Math.min(n, NON_ESP_MARKER_BYTES + IKE_HEADER_BYTES + GENERIC_HEADER_BYTES);
  }
  if (n >= IKE_HEADER_BYTES) return Math.min(n, IKE_HEADER_BYTES + GENERIC_HEADER_BYTES);
  return Math.min(n, OTHER_HEAD_BYTES);
}

/** A copy of the octets a recording keeps. */
export function wireHead(payload: Uint8Array, natt: boolean): Uint8Array {
  return payload.slice(0, wireHeadLength(payload, natt));
}

/** A NAT-T keepalive's head (RFC 3948 2.3), one array for all of them: read only. */
const KEEPALIVE_HEAD = Uint8Array.of(0xff);

/**
 * V8 keeps a typed array of up to this many octets inside its heap; a view of one would first move
 * it out (an allocation), so such a payload's head is copied instead.
 */
const IN_HEAP_OCTETS = 64;

/**
 * The octets a recording keeps of a payload that stays as it is (the Gateway keeps IKE messages and
 * what it sends): a view of it, not a copy, or for a keepalive one shared array; read only. The
 * Gateway reports every datagram with its head (core/ike/io.ts, `traffic`): a copy was an array
 * and a buffer of about 240 octets of V8's heap a datagram, the lab's largest allocation
 * (BENCHMARKS.md, "The live lab"). A payload whose buffer is reused (udp-host.ts lends received ESP
 * a batch buffer) needs `wireHead`.
 */
export function wireHeadOf(payload: Uint8Array, natt: boolean): Uint8Array {
  const n = wireHeadLength(payload, natt);
  if (n === 1 && payload[0] === 0xff) return KEEPALIVE_HEAD;
  return payload.length > IN_HEAP_OCTETS ? payload.subarray(0, n) : payload.slice(0, n);
}
