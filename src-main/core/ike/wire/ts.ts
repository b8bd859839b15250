/**
 * Traffic Selector payload body (TSi and TSr), RFC 7296 sections 3.13 and 3.13.1:
 *
 *   Number of TSs (1) | RESERVED (3) | Traffic Selectors
 *   Selector: TS Type (1) | IP Protocol ID (1, 0 = any) | Selector Length (2)
 *             Start Port (2) | End Port (2) | Starting Address | Ending Address
 *   TS_IPV4_ADDR_RANGE: 4-byte addresses, length 16; TS_IPV6_ADDR_RANGE: 16-byte, length 40.
 *
 * Other TS types (for example TS_SECLABEL, RFC 9478) are kept raw, whole, for the caller to skip.
 * Ports are kept as sent (start above end means OPAQUE, RFC 7296 3.13.1).
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { TsType } from '../constants.ts';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip.ts';
import { checkLength, checkUint, fieldError, malformed, ok, type Decoded } from './result.ts';

export type TrafficSelector =
  | {
      readonly kind: 'ipv4' | 'ipv6';
      readonly ipProtocol: number;
      readonly startPort: number;
      readonly endPort: number;
      readonly startAddress: string;
      readonly endAddress: string;
    }
  /** The whole selector: TS Type, its second byte, Selector Length and the rest. */
  | { readonly kind: 'other'; readonly raw: Uint8Array };

export interface TsPayload {
  readonly selectors: readonly TrafficSelector[];
}

const V4_LENGTH = 16;
const V6_LENGTH = 40;

export function decodeTs(r: Reader): Decoded<TsPayload> {
  const count = r.u8();
  r.bytes(3);
  if (!r.ok) return malformed('TS: needs 4 bytes before its selectors');
  const selectors: TrafficSelector[] = [];
  for (let i = 0; i < count; i++) {
    const tsType = r.u8();
    const ipProtocol = r.u8();
    const length = r.u16();
    if (!r.ok) return malformed(`TS: ${i} of ${count} selectors`);
    const v4 = tsType === TsType.TS_IPV4_ADDR_RANGE;
    const v6 = tsType === TsType.TS_IPV6_ADDR_RANGE;
    if ((v4 && length !== V4_LENGTH) || (v6 && length !== V6_LENGTH) || length < 4 || length - 4 > r.remaining) {
      return malformed(`TS: selector ${i + 1} of type ${tsType} has Selector Length ${length}`);
    }
    if (!v4 && !v6) {
      const raw = new Uint8Array(length);
      raw.set([tsType, ipProtocol, length >> 8, length & 0xff]);
      raw.set(r.bytes(length - 4), 4);
      selectors.push({ kind: 'other', raw });
      continue;
    }
    const startPort = r.u16();
    const endPort = r.u16();
    const size = v4 ? 4 : 16;
    const format = v4 ? formatIpv4 : formatIpv6;
    const startAddress = format(r.bytes(size));
    const endAddress = format(r.bytes(size));
    selectors.push({ kind: v4 ? 'ipv4' : 'ipv6', ipProtocol, startPort, endPort, startAddress, endAddress });
  }
  if (r.remaining !== 0) return malformed(`TS: ${r.remaining} bytes after ${count} selectors`);
  return ok({ selectors });
}

export function encodeTs(w: Writer, ts: TsPayload): void {
  checkUint('ts.selectors.length', ts.selectors.length, 8);
  w.u8(ts.selectors.length).u8(0).u16(0);
  ts.selectors.forEach((s, i) => {
    const f = `ts.selectors[${i}]`;
    if (s.kind === 'other') {
      checkLength(`${f}.raw`, s.raw, 4, 0xffff - 8);
      const t = s.raw[0];
      const length = (s.raw[2]! << 8) | s.raw[3]!;
      if (t === TsType.TS_IPV4_ADDR_RANGE || t === TsType.TS_IPV6_ADDR_RANGE) fieldError(`${f}.raw`, `TS Type ${t} has its own kind`);
      if (length !== s.raw.length) fieldError(`${f}.raw`, `Selector Length ${length}, ${s.raw.length} bytes given`);
      w.bytes(s.raw);
      return;
    }
    checkUint(`${f}.ipProtocol`, s.ipProtocol, 8);
    checkUint(`${f}.startPort`, s.startPort, 16);
    checkUint(`${f}.endPort`, s.endPort, 16);
    const v4 = s.kind === 'ipv4';
    const parse = v4 ? parseIpv4 : parseIpv6;
    const start = parse(s.startAddress) ?? fieldError(`${f}.startAddress`, `"${s.startAddress}" is not ${s.kind}`);
    const end = parse(s.endAddress) ?? fieldError(`${f}.endAddress`, `"${s.endAddress}" is not ${s.kind}`);
    w.u8(v4 ? TsType.TS_IPV4_ADDR_RANGE : TsType.TS_IPV6_ADDR_RANGE).u8(s.ipProtocol).u16(v4 ? V4_LENGTH : V6_LENGTH);
    w.u16(s.startPort).u16(s.endPort).bytes(start).bytes(end);
  });
}

export function tsLength(ts: TsPayload): number {
  return 4 + ts.selectors.reduce((n, s) => n + (s.kind === 'other' ? s.raw.length : s.kind === 'ipv4' ? V4_LENGTH : V6_LENGTH), 0);
}
