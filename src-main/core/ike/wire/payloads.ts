/**
 * The payloads this codec knows, as one tagged union (the tag is the Next Payload value of RFC 7296
 * section 3.2), and the dispatch from a payload type to its body codec. Each body codec lives in
 * its own file with the section it implements.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { PayloadType } from '../constants.ts';
import { authLength, decodeAuth, encodeAuth, type Auth } from './auth.ts';
import { cpLength, decodeCp, encodeCp, type Cp } from './cp.ts';
import { decodeDelete, deleteLength, encodeDelete, type Delete } from './delete.ts';
import { decodeId, encodeId, idLength, type Identification } from './id.ts';
import { decodeKe, encodeKe, keLength, type Ke } from './ke.ts';
import { decodeNonce, encodeNonce, nonceLength, type Nonce } from './nonce.ts';
import { decodeNotify, encodeNotify, notifyLength, type Notify } from './notify.ts';
import { decodeRaw, encodeRaw, rawLength, type RawPayload } from './raw.ts';
import { ok, type Decoded } from './result.ts';
import { decodeSa, encodeSa, saLength, type Sa } from './sa.ts';
import { encodeSk, skLength, type Sk } from './sk.ts';
import { decodeTs, encodeTs, tsLength, type TsPayload } from './ts.ts';
import { decodeVendorId, encodeVendorId, vendorIdLength, type VendorId } from './vendor.ts';

type P = typeof PayloadType;
type Tagged<T, K extends number> = T & { readonly type: K };

export type Payload =
  | Tagged<Sa, P['SA']>
  | Tagged<Ke, P['KE']>
  | Tagged<Identification, P['IDi'] | P['IDr']>
  | Tagged<RawPayload, P['CERT'] | P['CERTREQ'] | P['EAP']>
  | Tagged<Auth, P['AUTH']>
  | Tagged<Nonce, P['Nonce']>
  | Tagged<Notify, P['N']>
  | Tagged<Delete, P['D']>
  | Tagged<VendorId, P['V']>
  | Tagged<TsPayload, P['TSi'] | P['TSr']>
  | Tagged<Sk, P['SK']>
  | Tagged<Cp, P['CP']>;

/** The payload with type `K`, for narrowing: `PayloadOf<typeof PayloadType.N>`. */
export type PayloadOf<K extends Payload['type']> = Payload & { readonly type: K };

function tag<T, K extends number>(type: K, d: Decoded<T>): Decoded<Tagged<T, K>> {
  return d.ok ? ok({ ...d.value, type }) : d;
}

/**
 * Decodes the body of a payload of `type` (not SK, whose framing the chain handles), or returns
 * undefined when the type is not one this codec knows.
 */
export function decodeBody(type: number, r: Reader): Decoded<Payload> | undefined {
  switch (type) {
    case PayloadType.SA:
      return tag(type, decodeSa(r));
    case PayloadType.KE:
      return tag(type, decodeKe(r));
    case PayloadType.IDi:
    case PayloadType.IDr:
      return tag(type, decodeId(r));
    case PayloadType.CERT:
    case PayloadType.CERTREQ:
    case PayloadType.EAP:
      return tag(type, decodeRaw(r));
    case PayloadType.AUTH:
      return tag(type, decodeAuth(r));
    case PayloadType.Nonce:
      return tag(type, decodeNonce(r));
    case PayloadType.N:
      return tag(type, decodeNotify(r));
    case PayloadType.D:
      return tag(type, decodeDelete(r));
    case PayloadType.V:
      return tag(type, decodeVendorId(r));
    case PayloadType.TSi:
    case PayloadType.TSr:
      return tag(type, decodeTs(r));
    case PayloadType.CP:
      return tag(type, decodeCp(r));
    default:
      return undefined;
  }
}

export function encodeBody(w: Writer, p: Payload): void {
  switch (p.type) {
    case PayloadType.SA: return encodeSa(w, p);
    case PayloadType.KE: return encodeKe(w, p);
    case PayloadType.IDi:
    case PayloadType.IDr: return encodeId(w, p);
    case PayloadType.CERT:
    case PayloadType.CERTREQ:
    case PayloadType.EAP: return encodeRaw(w, p);
    case PayloadType.AUTH: return encodeAuth(w, p);
    case PayloadType.Nonce: return encodeNonce(w, p);
    case PayloadType.N: return encodeNotify(w, p);
    case PayloadType.D: return encodeDelete(w, p);
    case PayloadType.V: return encodeVendorId(w, p);
    case PayloadType.TSi:
    case PayloadType.TSr: return encodeTs(w, p);
    case PayloadType.SK: return encodeSk(w, p);
    case PayloadType.CP: return encodeCp(w, p);
  }
}

export function bodyLength(p: Payload): number {
  switch (p.type) {
    case PayloadType.SA: return saLength(p);
    case PayloadType.KE: return keLength(p);
    case PayloadType.IDi:
    case PayloadType.IDr: return idLength(p);
    case PayloadType.CERT:
    case PayloadType.CERTREQ:
    case PayloadType.EAP: return rawLength(p);
    case PayloadType.AUTH: return authLength(p);
    case PayloadType.Nonce: return nonceLength(p);
    case PayloadType.N: return notifyLength(p);
    case PayloadType.D: return deleteLength(p);
    case PayloadType.V: return vendorIdLength(p);
    case PayloadType.TSi:
    case PayloadType.TSr: return tsLength(p);
    case PayloadType.SK: return skLength(p);
    case PayloadType.CP: return cpLength(p);
  }
}
