/**
 * Addresses the virtual host accepts: its own (configured, or the first host address of the first
 * local traffic selector network, e.g. 198.18.100.1 for 198.18.100.0/24), the clients it pushes
 * to, and the sources it answers. A host must not answer, nor take as its own, an address that
 * cannot name one host (RFC 1122 3.2.1.3): "this network" 0.0.0.0/8, loopback 127.0.0.0/8, and
 * 224.0.0.0/3, which is multicast (RFC 1112 4: never a source), the reserved class E and the limited
 * broadcast 255.255.255.255.
 */
import { WakeLabError } from '../errors.ts';
import { cidrRange, formatIpv4, parseCidr, parseIpv4, type Cidr } from '../net/ipv4.ts';

/** Whether `a` (unsigned 32-bit) can be one host's address. */
export function isUnicastHost(a: number): boolean {
  const first = a >>> 24;
  return first !== 0 && first !== 127 && first < 224;
}

/**
 * An address from a configuration or a call: dotted text or an unsigned 32-bit number. Throws
 * INVALID_ARGUMENT naming `field` (after `where`, e.g. "push: ") unless it is a unicast host address.
 */
export function parseHostAddress(field: string, value: unknown, where = ''): number {
  const a =
    typeof value === 'string' ? parseIpv4(value) : typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? value : null;
  if (a === null) {
    throw new WakeLabError('INVALID_ARGUMENT', `${where}"${field}" expected an IPv4 address such as 198.18.100.1, got ${JSON.stringify(value) ?? String(value)}`);
  }
  if (!isUnicastHost(a)) {
    throw new WakeLabError('INVALID_ARGUMENT', `${where}"${field}" expected a unicast host address, got ${formatIpv4(a)} (this-network, loopback, multicast or reserved)`);
  }
  return a;
}

/**
 * The default address of the virtual host: the first host address of the first network in
 * `localTs` (the responder configuration's strings or parsed prefixes). That is the network
 * address + 1, except for a /31 (both addresses are hosts, RFC 3021) and a /32 (the one address).
 */
export function defaultHostAddress(localTs: readonly (string | Cidr)[]): number {
  const first = localTs[0];
  const net = typeof first === 'string' ? parseCidr(first) : first;
  if (net === undefined || net === null) {
    throw new WakeLabError('INVALID_ARGUMENT', `"localTs" expected at least one IPv4 prefix such as 198.18.100.0/24, got ${JSON.stringify(first ?? null)}`);
  }
  const { start } = cidrRange(net);
  const host = net.prefix >= 31 ? start : (start + 1) >>> 0;
  if (!isUnicastHost(host)) {
    throw new WakeLabError('INVALID_ARGUMENT', `"localTs.0": the first host address ${formatIpv4(host)} is not a unicast host address; set the virtual host's address`);
  }
  return host;
}
