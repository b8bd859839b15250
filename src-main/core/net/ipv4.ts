/**
 * IPv4 addresses and CIDR prefixes as plain numbers (unsigned 32-bit), for traffic selectors
 * (RFC 7296 3.13.1) and address pools. Parsers return null on bad text; callers name the field.
 */

export interface Cidr {
  /** Network address (host bits cleared). */
  base: number;
  prefix: number;
}

/** "192.0.2.1" → 0xc0000201, or null. Leading zeros and out-of-range octets are refused. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v >>> 0;
}

export function formatIpv4(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

export function ipv4Bytes(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}

export function ipv4FromBytes(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** The netmask of a prefix length (0..32). */
export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "198.18.100.0/24" → { base, prefix }, or null. A bare address is a /32. Host bits must be zero. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined || addr === undefined) return null;
  const base = parseIpv4(addr);
  if (base === null) return null;
  const prefix = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) return null;
  if ((base & ~maskOf(prefix)) >>> 0 !== 0) return null;
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** First and last address of a prefix. */
export function cidrRange(c: Cidr): { start: number; end: number } {
  return { start: c.base, end: (c.base | ~maskOf(c.prefix)) >>> 0 };
}
