/**
 * The traffic selectors of one side of a CHILD_SA, compiled once from ChildSaInfo's text
 * ("198.18.100.0/24", "198.18.200.1/32[udp/53]", as ike/traffic-selectors.ts selectorText prints
 * them) into numbers for the per-packet check of RFC 4301 5.1 (outbound) and 5.2 (inbound: "check
 * that the packet ... matches the selectors of the SA", else discard).
 *
 * A side is the union of its selectors (RFC 7296 2.9: the SA carries every combination of TSi and
 * TSr). A selector matches a packet's address on that side when:
 * - the address lies in [start, end] (TS_IPV4_ADDR_RANGE, RFC 7296 3.13.1);
 * - IP Protocol ID is 0 (any) or the datagram's Protocol;
 * - the ports are ANY (0..65535), or the packet's port on that side lies in [startPort, endPort];
 *   OPAQUE (start > end, RFC 7296 3.13.1) matches only packets without ports (RFC 4301 4.4.1.1:
 *   a non-initial fragment); a restricted range never matches a packet without ports.
 * For ICMP the "port" is type << 8 | code on both sides (inner-flow.ts), so a selector restricting
 * ICMP type and code on either side is honoured.
 */
import { parseSelectorText } from '../ike/traffic-selectors.ts';
import { parseIpv4 } from '../net/ipv4.ts';

interface Compiled {
  readonly start: number;
  readonly end: number;
  /** 0: any. */
  readonly protocol: number;
  readonly startPort: number;
  readonly endPort: number;
}

const ANY_PORT_START = 0;
const ANY_PORT_END = 0xffff;

export class SelectorSet {
  /** The selectors as given (ChildSaInfo text), for logs and snapshots. */
  readonly text: readonly string[];
  private readonly list: readonly Compiled[];

  private constructor(text: readonly string[], list: readonly Compiled[]) {
    this.text = text;
    this.list = list;
  }

  /**
   * Compiles `texts`; throws naming `arg[i]` for a selector that is not IPv4 selector text (a local
   * error: the IKE layer narrows to IPv4 ranges) or for an empty list (an SA covering nothing).
   */
  static parse(texts: readonly string[], arg: string): SelectorSet {
    if (!Array.isArray(texts) || texts.length === 0) throw new RangeError(`"${arg}" expected at least one traffic selector, got ${JSON.stringify(texts)}`);
    const list: Compiled[] = [];
    texts.forEach((t, i) => {
      const ts = typeof t === 'string' ? parseSelectorText(t) : null;
      if (ts === null || ts.kind !== 'ipv4') throw new RangeError(`"${arg}[${i}]" expected IPv4 selector text such as "198.18.100.0/24", got ${JSON.stringify(t)}`);
      // parseSelectorText formats what it parsed: the addresses read back.
      list.push({ start: parseIpv4(ts.startAddress)!, end: parseIpv4(ts.endAddress)!, protocol: ts.ipProtocol, startPort: ts.startPort, endPort: ts.endPort });
    });
    return new SelectorSet(Object.freeze([...texts]), list);
  }

  /** Whether some selector covers `address` with `protocol` and `port` (-1: the packet has none). */
  matches(address: number, protocol: number, port: number): boolean {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      if (address < s.start || address > s.end) continue;
      if (s.protocol !== 0 && s.protocol !== protocol) continue;
      if (s.startPort === ANY_PORT_START && s.endPort === ANY_PORT_END) return true;
      if (s.startPort > s.endPort) {
        if (port < 0) return true; // OPAQUE
        continue;
      }
      if (port >= s.startPort && port <= s.endPort) return true;
    }
    return false;
  }
}
