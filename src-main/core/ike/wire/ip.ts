/**
 * IP address text for the ID (RFC 7296 3.5) and Traffic Selector (3.13.1) payloads, as bytes:
 * dotted quads (through core/net/ipv4.ts), and IPv6 in the RFC 5952 canonical form (lower case, the
 * longest run of two or more zero groups written `::`, the first such run on a tie; no embedded
 * dotted quad). Parsers return undefined on bad text, never throw.
 */
import { formatIpv4 as formatV4, ipv4Bytes, ipv4FromBytes, parseIpv4 as parseV4 } from '../../net/ipv4.ts';

export function formatIpv4(b: Uint8Array): string {
  return formatV4(ipv4FromBytes(b));
}

export function parseIpv4(text: string): Uint8Array | undefined {
  const v = parseV4(text);
  return v === null ? undefined : ipv4Bytes(v);
}

export function formatIpv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // The longest run of zero groups, at least two long.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}
