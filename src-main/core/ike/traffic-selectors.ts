/**
 * Traffic selector narrowing by the responder, RFC 7296 section 2.9: the responder answers with a
 * subset of what the initiator offered, the part its policy allows; if nothing is left it answers
 * TS_UNACCEPTABLE. Here the policy is IPv4 address ranges: each offered TS_IPV4_ADDR_RANGE is
 * intersected with each allowed range, keeping the IP protocol and ports as offered (3.13.1).
 * Selectors of other types (IPv6, TS_SECLABEL) meet no IPv4 range and drop out.
 *
 * The road warrior with a virtual IP (2.19; strongSwan's remote-access setup): the client offers
 * TSi 0.0.0.0/0 (it does not know its address yet) and TSr 0.0.0.0/0 or its configured remote_ts;
 * the responder narrows TSi to the address it assigned, /32, and TSr to its configured local_ts.
 */
import { cidrRange, formatIpv4, parseIpv4, type Cidr } from '../net/ipv4.ts';
import { parseIpv4 as ipv4Bytes, parseIpv6 as ipv6Bytes } from './wire/ip.ts';
import type { TrafficSelector } from './wire/ts.ts';

/** An inclusive IPv4 range, addresses as unsigned 32-bit numbers (core/net/ipv4.ts). */
export interface AddressRange {
  readonly start: number;
  readonly end: number;
}

/** A TS_IPV4_ADDR_RANGE or TS_IPV6_ADDR_RANGE selector (wire/ts.ts keeps both in one shape). */
type AddressSelector = Exclude<TrafficSelector, { kind: 'other' }>;

export interface NarrowedTs {
  readonly tsi: TrafficSelector[];
  readonly tsr: TrafficSelector[];
}

const sameSelector = (a: AddressSelector, b: AddressSelector): boolean =>
  a.ipProtocol === b.ipProtocol && a.startPort === b.startPort && a.endPort === b.endPort && a.startAddress === b.startAddress && a.endAddress === b.endAddress;

/**
 * The offered selectors cut down to `allowed`, in the order offered (each one split by the allowed
 * ranges in their order); null when nothing is left (answer TS_UNACCEPTABLE, 2.9).
 */
export function narrow(offered: readonly TrafficSelector[], allowed: readonly AddressRange[]): TrafficSelector[] | null {
  const out: AddressSelector[] = [];
  for (const ts of offered) {
    if (ts.kind !== 'ipv4') continue;
    const start = parseIpv4(ts.startAddress);
    const end = parseIpv4(ts.endAddress);
    if (start === null || end === null || start > end) continue;
    for (const a of allowed) {
      const lo = Math.max(start, a.start);
      const hi = Math.min(end, a.end);
      if (lo > hi) continue;
      const s: AddressSelector = { ...ts, startAddress: formatIpv4(lo), endAddress: formatIpv4(hi) };
      if (!out.some((o) => sameSelector(o, s))) out.push(s);
    }
  }
  return out.length > 0 ? out : null;
}

/** The responder's narrowing for a road warrior (see the header); null: TS_UNACCEPTABLE. */
export function narrowForRoadWarrior(
  tsi: readonly TrafficSelector[],
  tsr: readonly TrafficSelector[],
  /** The virtual IP assigned in CP(CFG_REPLY), dotted; null when the client asked for none. */
  vip: string | null,
  localTs: readonly Cidr[],
  /** Without a virtual IP: what the client may claim as its side (strongSwan's remote_ts); default any IPv4. */
  remoteTs: readonly Cidr[] = [{ base: 0, prefix: 0 }],
): NarrowedTs | null {
  let peerSide: AddressRange[];
  if (vip !== null) {
    const v = parseIpv4(vip);
    if (v === null) throw new RangeError(`"vip" expected a dotted IPv4 address, got ${JSON.stringify(vip)}`);
    peerSide = [{ start: v, end: v }];
  } else {
    peerSide = remoteTs.map(cidrRange);
  }
  const i = narrow(tsi, peerSide);
  const r = narrow(tsr, localTs.map(cidrRange));
  return i && r ? { tsi: i, tsr: r } : null;
}

/** The prefix length if start..end is exactly one prefix, else null. */
function prefixOf(start: Uint8Array, end: Uint8Array): number | null {
  const bits = start.length * 8;
  let n = 0;
  while (n < bits && bitAt(start, n) === bitAt(end, n)) n++;
  for (let k = n; k < bits; k++) if (bitAt(start, k) !== 0 || bitAt(end, k) !== 1) return null;
  return n;
}

const bitAt = (b: Uint8Array, k: number): number => (b[k >> 3]! >> (7 - (k & 7))) & 1;

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp' };

/**
 * A selector as strongSwan prints it: "10.1.0.0/16", "10.1.0.5..10.1.0.9", with "[udp/53]",
 * "[tcp/1024-2048]", "[udp/OPAQUE]" or "[icmp]" when protocol or ports are restricted.
 */
export function selectorText(ts: TrafficSelector): string {
  if (ts.kind === 'other') return `ts-type-${ts.raw[0]}`;
  const parse = ts.kind === 'ipv4' ? ipv4Bytes : ipv6Bytes;
  const start = parse(ts.startAddress);
  const end = parse(ts.endAddress);
  const prefix = start && end ? prefixOf(start, end) : null;
  const range = prefix !== null ? `${ts.startAddress}/${prefix}` : `${ts.startAddress}..${ts.endAddress}`;
  const allPorts = ts.startPort === 0 && ts.endPort === 65535;
  if (ts.ipProtocol === 0 && allPorts) return range;
  const proto = PROTOCOL_NAMES[ts.ipProtocol] ?? String(ts.ipProtocol);
  const ports = allPorts
    ? ''
    : ts.startPort > ts.endPort
      ? '/OPAQUE'
      : ts.startPort === ts.endPort
        ? `/${ts.startPort}`
        : `/${ts.startPort}-${ts.endPort}`;
  return `${range}[${proto}${ports}]`;
}

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(PROTOCOL_NAMES).map(([n, name]) => [name, Number(n)]));

/** The inverse of selectorText for IPv4 selectors; null for anything else. */
export function parseSelectorText(text: string): TrafficSelector | null {
  const m = /^([\d.]+)(?:\/(\d+)|\.\.([\d.]+))(?:\[([a-z0-9-]+)(?:\/(OPAQUE|\d+(?:-\d+)?))?\])?$/.exec(text);
  if (!m) return null;
  const base = parseIpv4(m[1]!);
  if (base === null) return null;
  let start = base;
  let end: number | null;
  if (m[2] !== undefined) {
    const prefix = Number(m[2]);
    if (prefix > 32) return null;
    const range = cidrRange({ base, prefix });
    // The base must be the first address of its prefix, as selectorText prints it.
    if (range.end - range.start + 1 !== 2 ** (32 - prefix)) return null;
    ({ start, end } = range);
  } else end = parseIpv4(m[3]!);
  if (end === null || end < start) return null;
  const proto = m[4] === undefined ? 0 : (PROTOCOL_NUMBERS[m[4]] ?? (/^\d+$/.test(m[4]) ? Number(m[4]) : -1));
  if (proto < 0 || proto > 255) return null;
  let [startPort, endPort] = [0, 65535];
  if (m[5] === 'OPAQUE') [startPort, endPort] = [65535, 0];
  else if (m[5] !== undefined) {
    const [a, b = a] = m[5].split('-').map(Number) as [number, number?];
    if (a > 65535 || b! > 65535) return null;
    [startPort, endPort] = [a, b!];
  }
  return { kind: 'ipv4', ipProtocol: proto, startPort, endPort, startAddress: formatIpv4(start), endAddress: formatIpv4(end) };
}
