/**
 * Identification payload body (IDi and IDr), RFC 7296 section 3.5:
 *
 *   ID Type (1) | RESERVED (3) | Identification Data (variable, not empty)
 *
 * ID_IPV4_ADDR (4 bytes) and ID_IPV6_ADDR (16 bytes) become address text; ID_FQDN and
 * ID_RFC822_ADDR become strings, one character per byte, so that re-encoding gives the same bytes
 * (AUTH signs them, RFC 7296 2.15); ID_KEY_ID stays bytes; every other type is kept raw.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { IdType } from '../constants.ts';
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './ip.ts';
import { checkLength, checkUint, fieldError, malformed, ok, type Decoded } from './result.ts';

export type Identification =
  | { readonly kind: 'ipv4'; readonly address: string }
  | { readonly kind: 'ipv6'; readonly address: string }
  | { readonly kind: 'fqdn'; readonly name: string }
  | { readonly kind: 'rfc822'; readonly name: string }
  | { readonly kind: 'key-id'; readonly keyId: Uint8Array }
  | { readonly kind: 'raw'; readonly idType: number; readonly data: Uint8Array };

const BY_TYPE: Readonly<Record<number, Identification['kind']>> = {
  [IdType.ID_IPV4_ADDR]: 'ipv4',
  [IdType.ID_IPV6_ADDR]: 'ipv6',
  [IdType.ID_FQDN]: 'fqdn',
  [IdType.ID_RFC822_ADDR]: 'rfc822',
  [IdType.ID_KEY_ID]: 'key-id',
};

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export function decodeId(r: Reader): Decoded<Identification> {
  const idType = r.u8();
  r.bytes(3);
  const data = r.rest();
  if (!r.ok || data.length === 0) return malformed('ID: needs a type, 3 reserved bytes and data');
  switch (BY_TYPE[idType]) {
    case 'ipv4':
      return data.length === 4 ? ok({ kind: 'ipv4', address: formatIpv4(data) }) : malformed(`ID: ID_IPV4_ADDR of ${data.length} bytes`);
    case 'ipv6':
      return data.length === 16 ? ok({ kind: 'ipv6', address: formatIpv6(data) }) : malformed(`ID: ID_IPV6_ADDR of ${data.length} bytes`);
    case 'fqdn':
      return ok({ kind: 'fqdn', name: latin1(data) });
    case 'rfc822':
      return ok({ kind: 'rfc822', name: latin1(data) });
    case 'key-id':
      return ok({ kind: 'key-id', keyId: data });
    default:
      return ok({ kind: 'raw', idType, data });
  }
}

/** The ID Type and Identification Data of an identity (throws on bad local input). */
function parts(id: Identification): [number, Uint8Array] {
  const bytesOf = (name: string): Uint8Array => {
    const out = new Uint8Array(name.length);
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c > 0xff) fieldError('id.name', `character ${i} is not a single byte`);
      out[i] = c;
    }
    return out;
  };
  switch (id.kind) {
    case 'ipv4':
      return [IdType.ID_IPV4_ADDR, parseIpv4(id.address) ?? fieldError('id.address', `"${id.address}" is not IPv4`)];
    case 'ipv6':
      return [IdType.ID_IPV6_ADDR, parseIpv6(id.address) ?? fieldError('id.address', `"${id.address}" is not IPv6`)];
    case 'fqdn':
      return [IdType.ID_FQDN, bytesOf(id.name)];
    case 'rfc822':
      return [IdType.ID_RFC822_ADDR, bytesOf(id.name)];
    case 'key-id':
      return [IdType.ID_KEY_ID, id.keyId];
    case 'raw':
      checkUint('id.idType', id.idType, 8);
      if (BY_TYPE[id.idType]) fieldError('id.idType', `${id.idType} has its own kind, "${BY_TYPE[id.idType]}"`);
      return [id.idType, id.data];
  }
}

export function encodeId(w: Writer, id: Identification): void {
  const [idType, data] = parts(id);
  checkLength('id data', data, 1, 0xffff - 8);
  w.u8(idType).u8(0).u16(0).bytes(data);
}

export function idLength(id: Identification): number {
  return 4 + parts(id)[1].length;
}
