/**
 * The Encrypted and Authenticated payload (SK), RFC 7296 section 3.14, with the combined-mode
 * ciphers of RFC 5282 (AES-GCM) and RFC 7634 (ChaCha20-Poly1305):
 *
 *   IKE header (Next Payload = SK, Length = the whole message)
 *   SK generic header: Next Payload = the first inner payload | C | RESERVED | Payload Length
 *   Initialization Vector | Encrypted IKE Payloads | Padding | Pad Length | Integrity Checksum Data
 *
 * `protect` pads the inner chain (sk-padding.ts), draws a fresh IV from the suite (a whole block
 * for AES-CBC, 3.14; the 8-octet explicit IV for AES-GCM and ChaCha20-Poly1305, RFC 5282 3.1,
 * RFC 7634 2), encrypts with the AAD = the message from the first octet of the IKE header through
 * the SK generic header with its final lengths (RFC 5282 5.1; for AES-CBC the ICV covers that,
 * the IV and the ciphertext, 3.14), and appends the ICV.
 *
 * `unprotect` is the inverse with the peer's keys: the ICV is checked before anything decrypted is
 * read. It never throws on network input and counts nothing; it returns a reason the caller counts.
 * Keys by direction (2.14): the initiator sends with SK_ei / SK_ai, the responder with SK_er / SK_ar.
 * Fragmented messages (SKF, RFC 7383) are not handled here.
 */
import { encrInfo, integInfo } from '../crypto/algorithms.ts';
import { padSkPlaintext, unpadSkPlaintext } from '../crypto/sk-padding.ts';
import type { CryptoSuite, SkCipher } from '../crypto/suite.ts';
import { NON_ESP_MARKER_LENGTH, PayloadType } from './constants.ts';
import { skKeys, type IkeSaKeys } from './keymat.ts';
import type { HeaderFields } from './wire/header.ts';
import { decodeInnerPayloads, encodeInnerPayloads, encodeMessage, type Datagram } from './wire/message.ts';
import { firstPayloadType, type PayloadList } from './wire/payload-chain.ts';
import type { Payload } from './wire/payloads.ts';
import { fieldError, type DropReason } from './wire/result.ts';

type Role = 'initiator' | 'responder';

export interface ProtectContext {
  readonly suite: CryptoSuite;
  /** The IKE SA's ENCR transform (with its Key Length) and, unless AEAD, its INTEG transform. */
  readonly cipher: SkCipher;
  readonly keys: IkeSaKeys;
  /** Our role in the IKE SA: we send with our own keys and receive with the peer's. */
  readonly role: Role;
}

export interface ProtectOptions {
  /** Put the 4-octet non-ESP marker first (IKE on the NAT-T port, RFC 3948 2.2). */
  readonly nonEspMarker?: boolean;
}

/** Why `unprotect` refused a message. */
export const UNPROTECT_FAILURES = [
  /** The message has no SK payload (an encrypted exchange sent in the clear). */
  'no-sk',
  /** The SK body cannot hold IV, ciphertext and ICV, or the ciphertext is not whole blocks. */
  'bad-length',
  /** The ICV (or AEAD tag) does not verify with the peer's keys: forged, damaged, or other keys. */
  'bad-icv',
  /** Authentic, but the Pad Length does not fit the plaintext. */
  'bad-padding',
  /** Authentic, but the inner payload chain breaks its layout (`inner` says how). */
  'malformed-inner',
] as const;

export type UnprotectFailure = (typeof UNPROTECT_FAILURES)[number];

export type Unprotected =
  | (PayloadList & {
      readonly ok: true;
      /** The SK header's Next Payload: the type of the first inner payload. */
      readonly firstInner: number;
    })
  | {
      readonly ok: false;
      readonly reason: UnprotectFailure;
      readonly detail: string;
      /** For 'malformed-inner': the chain's drop reason ('unsupported-critical-payload' is answered with UNSUPPORTED_CRITICAL_PAYLOAD, the rest with INVALID_SYNTAX, RFC 7296 2.21.2). */
      readonly inner?: DropReason;
      readonly payloadType?: number;
    };

export type IkeDatagram = Extract<Datagram, { kind: 'ike' }>;

const peerOf = (role: Role): Role => (role === 'initiator' ? 'responder' : 'initiator');

/** The IV, ICV and block sizes of the SK payload under `cipher` (throws on a cipher we lack). */
export function skSizes(cipher: SkCipher): { readonly iv: number; readonly icv: number; readonly block: number } {
  const info = encrInfo(cipher.encr, 'cipher.encr');
  const icv = info.aead ? info.icvBytes : integInfo(cipher.integ ?? 0, 'cipher.integ').icvBytes;
  return { iv: info.ivBytes, icv, block: info.blockBytes };
}

/** The whole IKE message whose only payload is SK, carrying `innerPayloads` encrypted. */
export function protect(ctx: ProtectContext, header: HeaderFields, innerPayloads: readonly Payload[], opts: ProtectOptions = {}): Uint8Array {
  innerPayloads.forEach((p, i) => {
    if (p.type === PayloadType.SK) fieldError(`innerPayloads[${i}]`, 'an SK payload cannot be nested inside SK');
  });
  const { iv: ivBytes, icv } = skSizes(ctx.cipher);
  const plaintext = padSkPlaintext(ctx.cipher.encr, encodeInnerPayloads(innerPayloads));
  // Encode with a zero body of the final size, so that the header and SK lengths in the AAD are final.
  const body = new Uint8Array(ivBytes + plaintext.length + icv);
  const message = encodeMessage({ header, payloads: [{ type: PayloadType.SK, firstInner: firstPayloadType(innerPayloads), body }] }, opts);
  const ivAt = message.length - body.length;
  const aad = message.subarray(opts.nonEspMarker ? NON_ESP_MARKER_LENGTH : 0, ivAt);
  const iv = ctx.suite.randomBytes(ivBytes);
  const sealed = ctx.suite.encrypt(ctx.cipher, skKeys(ctx.keys, ctx.role), iv, plaintext, aad);
  if (sealed.length !== plaintext.length + icv) throw new Error(`protect: the cipher returned ${sealed.length} bytes, expected ${plaintext.length + icv}`);
  message.set(iv, ivAt);
  message.set(sealed, ivAt + ivBytes);
  return message;
}

function fail(reason: UnprotectFailure, detail: string): Unprotected {
  return { ok: false, reason, detail };
}

/** The inner payloads of a received message, checked and decrypted with the peer's keys. */
export function unprotect(ctx: ProtectContext, datagram: IkeDatagram): Unprotected {
  const sk = datagram.payloads[datagram.payloads.length - 1];
  if (sk?.type !== PayloadType.SK) return fail('no-sk', 'the message carries no SK payload');
  const { iv: ivBytes, icv, block } = skSizes(ctx.cipher);
  const body = sk.body;
  const ciphertext = body.length - ivBytes - icv;
  if (ciphertext < 1 || ciphertext % block !== 0) {
    return fail('bad-length', `SK body of ${body.length} bytes: IV ${ivBytes} + ICV ${icv} leave ${ciphertext}, not whole ${block}-byte blocks`);
  }
  // SK is the last payload and fills the message to its end (payload-chain.ts), so everything
  // before its body (IKE header, earlier payloads, SK generic header) is the AAD.
  const aad = datagram.message.subarray(0, datagram.message.length - body.length);
  const padded = ctx.suite.decrypt(ctx.cipher, skKeys(ctx.keys, peerOf(ctx.role)), body.subarray(0, ivBytes), body.subarray(ivBytes), aad);
  if (!padded) return fail('bad-icv', `the ICV does not verify with the ${peerOf(ctx.role)}'s keys`);
  const inner = unpadSkPlaintext(padded);
  if (!inner) return fail('bad-padding', `Pad Length ${padded[padded.length - 1]} in a ${padded.length}-byte plaintext`);
  const chain = decodeInnerPayloads(inner, sk.firstInner);
  if (!chain.ok) {
    const base = { ok: false as const, reason: 'malformed-inner' as const, detail: chain.detail, inner: chain.reason };
    return chain.payloadType === undefined ? base : { ...base, payloadType: chain.payloadType };
  }
  return { ok: true, firstInner: sk.firstInner, ...chain.value };
}
