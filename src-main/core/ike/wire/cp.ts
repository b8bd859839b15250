/**
 * Configuration payload body, RFC 7296 sections 3.15 and 3.15.1:
 *
 *   CFG Type (1: CFG_REQUEST 1, CFG_REPLY 2, CFG_SET 3, CFG_ACK 4) | RESERVED (3) | Attributes
 *   Attribute: R (1 bit, sent 0, ignored) | Attribute Type (15 bits) | Length (2) | Value (Length)
 *
 * In a CFG_REQUEST a zero-length attribute asks for any value ("give me an INTERNAL_IP4_ADDRESS");
 * values are kept as bytes, with helpers for the address attributes.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { formatIpv4, parseIpv4 } from './ip.ts';
import { checkLength, checkUint, fieldError, malformed, ok, type Decoded } from './result.ts';

export interface CfgAttribute {
  /** CfgAttr. */
  readonly type: number;
  /** Empty: a request for a value. */
  readonly value: Uint8Array;
}

export interface Cp {
  /** CfgType. */
  readonly cfgType: number;
  readonly attributes: readonly CfgAttribute[];
}

export function decodeCp(r: Reader): Decoded<Cp> {
  const cfgType = r.u8();
  r.bytes(3);
  if (!r.ok) return malformed('CP: needs a CFG Type and 3 reserved bytes');
  const attributes: CfgAttribute[] = [];
  while (r.remaining > 0) {
    const type = r.u16() & 0x7fff;
    const value = r.bytes(r.u16());
    if (!r.ok) return malformed(`CP: attribute ${attributes.length + 1} cut short`);
    attributes.push({ type, value });
  }
  return ok({ cfgType, attributes });
}

export function encodeCp(w: Writer, cp: Cp): void {
  checkUint('cp.cfgType', cp.cfgType, 8);
  w.u8(cp.cfgType).u8(0).u16(0);
  cp.attributes.forEach((a, i) => {
    checkUint(`cp.attributes[${i}].type`, a.type, 15);
    checkLength(`cp.attributes[${i}].value`, a.value, 0, 0xffff - 12);
    w.u16(a.type).u16(a.value.length).bytes(a.value);
  });
}

export function cpLength(cp: Cp): number {
  return 4 + cp.attributes.reduce((n, a) => n + 4 + a.value.length, 0);
}

/** An attribute holding one IPv4 address (INTERNAL_IP4_ADDRESS, _NETMASK, _DNS, ...). */
export function ipv4Attribute(type: number, address: string): CfgAttribute {
  return { type, value: parseIpv4(address) ?? fieldError('cp attribute address', `"${address}" is not IPv4`) };
}

/** The address in a 4-byte attribute value, or undefined (empty: a request; other sizes: malformed). */
export function ipv4Of(a: CfgAttribute): string | undefined {
  return a.value.length === 4 ? formatIpv4(a.value) : undefined;
}
