/**
 * Why the virtual host dropped an inner packet. Every drop is silent on the wire (no ICMP errors
 * are sent, see virtual-host.ts) and counted per reason, so a lab can see what its client sent.
 * Parsers of network input return one of these and never throw.
 */
export const INNER_DROP_REASONS = [
  /** The destination address is not the virtual host's. */
  'not-for-us',
  /**
   * Structure: truncated, version not 4, IHL below 5, a length field that disagrees with the bytes,
   * a UDP length out of range, or a source address a host must not answer (RFC 1122 3.2.1.3).
   */
  'bad-header',
  /** An IPv4 header, ICMP or UDP checksum that does not verify (RFC 1071). */
  'bad-checksum',
  /** A fragment (MF set or a non-zero offset): the host does not reassemble (RFC 791 2.3). */
  'fragment',
  /** A protocol other than ICMP and UDP (TCP among others). */
  'unsupported-protocol',
  /** ICMP other than an Echo Request (RFC 1122 3.2.2: silently discarded by a host). */
  'unsupported-icmp',
  /** UDP to a port with no service on it (neither echo nor discard). */
  'closed-port',
  /**
   * UDP echo that must not be answered: source port 0 ("not used", RFC 768) or a port of a service
   * that answers by itself (echo, daytime, chargen, time), where two such services would bounce
   * datagrams between them for ever.
   */
  'echo-refused',
] as const;

export type InnerDropReason = (typeof INNER_DROP_REASONS)[number];

export interface InnerDrop {
  readonly ok: false;
  readonly reason: InnerDropReason;
}

/** Shared frozen drop objects: the per-packet path allocates nothing to drop a packet. */
const DROPS = Object.fromEntries(INNER_DROP_REASONS.map((r) => [r, Object.freeze({ ok: false, reason: r })])) as unknown as {
  readonly [R in InnerDropReason]: InnerDrop & { readonly reason: R };
};

export function innerDrop<R extends InnerDropReason>(reason: R): InnerDrop & { readonly reason: R } {
  return DROPS[reason];
}
