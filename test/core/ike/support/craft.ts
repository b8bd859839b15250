/**
 * Hand-made datagrams for the responder's bad-input tests: a Ladder brought to a half-open or
 * established IKE SA, requests sealed with that SA's keys as the initiator would seal them
 * (RFC 7296 3.14, SK_ei / SK_ai), a sealer for raw inner chains the typed encoder cannot express
 * (unknown payload types, wrong lengths), and a way to feed one datagram to the responder and see
 * exactly what came out.
 */
import { concatBytes } from '../../../../src-main/core/bytes/hex.ts';
import { createNobleSuite } from '../../../../src-main/core/crypto/noble-suite.ts';
import { padSkPlaintext } from '../../../../src-main/core/crypto/sk-padding.ts';
import { ExchangeType, PayloadType as T } from '../../../../src-main/core/ike/constants.ts';
import { buildAuthRequest } from '../../../../src-main/core/ike/exchanges/auth-initiator.ts';
import type { IkeSa } from '../../../../src-main/core/ike/ike-sa.ts';
import type { Endpoint, IkeEvent, Send } from '../../../../src-main/core/ike/io.ts';
import { skKeys } from '../../../../src-main/core/ike/keymat.ts';
import { protect, skSizes, unprotect, type IkeDatagram, type ProtectContext } from '../../../../src-main/core/ike/protect.ts';
import type { Responder } from '../../../../src-main/core/ike/responder.ts';
import type { HeaderFields } from '../../../../src-main/core/ike/wire/header.ts';
import { decodeMessage, encodeInnerPayloads, encodeMessage } from '../../../../src-main/core/ike/wire/message.ts';
import type { Payload } from '../../../../src-main/core/ike/wire/payloads.ts';
import { seededRandom } from '../../crypto/fixtures.ts';
import { at, CLI, GW, Ladder, type LadderOptions } from './net.ts';

export const CLI_IKE = at(CLI, 500);
export const GW_IKE = at(GW, 500);
export const CLI_NATT = at(CLI, 4500);
export const GW_NATT = at(GW, 4500);

/** The crafting side's own randomness (IVs, SPIs), apart from both peers'. */
const suite = createNobleSuite(seededRandom(99));

/** An IKE message, or an error naming what it was instead. */
export function ike(bytes: Uint8Array, natt: boolean): IkeDatagram {
  const d = decodeMessage(bytes, { natt });
  if (d.kind !== 'ike') throw new Error(`expected an IKE message, got ${d.kind}${d.kind === 'drop' ? ` (${d.reason})` : ''}`);
  return d;
}

/** What one call into the responder produced. */
export interface Fed {
  readonly sends: Send[];
  readonly events: IkeEvent[];
}

/** Feeds one datagram to the responder and drains what it produced. */
export function feed(r: Responder, now: number, bytes: Uint8Array, from: Endpoint, to: Endpoint): Fed {
  r.receive(now, bytes, from, to);
  const out = r.drain();
  return {
    sends: out.flatMap((o) => (o.kind === 'send' ? [o] : [])),
    events: out.flatMap((o) => (o.kind === 'event' ? [o.event] : [])),
  };
}

/** The drop counters as a plain object, for exact comparisons. */
export const dropsOf = (r: Responder): Record<string, number> => Object.fromEntries(r.drops);

/** The initiator's side of an IKE SA the responder holds. */
export function asInitiator(sa: IkeSa): ProtectContext {
  return { suite, cipher: sa.cipher, keys: sa.keys, role: 'initiator' };
}

/** Header fields of a message the initiator sends on `sa`; `patch` overrides SPIs, flags, ... */
export type HeaderPatch = Partial<HeaderFields> & Pick<HeaderFields, 'exchangeType' | 'messageId'>;

/** A message on `sa` sealed with the initiator's keys, on the NAT-T port (non-ESP marker). */
export function seal(sa: IkeSa, patch: HeaderPatch, payloads: readonly Payload[]): Uint8Array {
  const header: HeaderFields = { spiI: sa.spiI, spiR: sa.spiR, initiator: true, response: false, ...patch };
  return protect(asInitiator(sa), header, payloads, { nonEspMarker: true });
}

/**
 * Like `protect`, but the inner chain is given as bytes (so it may hold what the typed encoder
 * refuses to write): pad, draw the IV, seal with the AAD = header through SK header, append.
 */
export function sealRawRequest(sa: IkeSa, exchangeType: number, messageId: number, firstInner: number, chain: Uint8Array): Uint8Array {
  const ctx = asInitiator(sa);
  const { iv: ivBytes, icv } = skSizes(ctx.cipher);
  const plaintext = padSkPlaintext(ctx.cipher.encr, chain);
  const body = new Uint8Array(ivBytes + plaintext.length + icv);
  const header: HeaderFields = { spiI: sa.spiI, spiR: sa.spiR, exchangeType, initiator: true, response: false, messageId };
  const message = encodeMessage({ header, payloads: [{ type: T.SK, firstInner, body }] }, { nonEspMarker: true });
  const ivAt = message.length - body.length;
  const iv = suite.randomBytes(ivBytes);
  const sealed = suite.encrypt(ctx.cipher, skKeys(ctx.keys, 'initiator'), iv, plaintext, message.subarray(4, ivAt));
  message.set(iv, ivAt);
  message.set(sealed, ivAt + ivBytes);
  return message;
}

/** A response of the responder on `sa`, checked and decrypted with its keys. */
export function openResponse(sa: IkeSa, bytes: Uint8Array): { readonly header: IkeDatagram['header']; readonly payloads: readonly Payload[] } {
  const d = ike(bytes, true);
  const inner = unprotect(asInitiator(sa), d);
  if (!inner.ok) throw new Error(`the response does not unprotect: ${inner.reason} ${inner.detail}`);
  return { header: d.header, payloads: inner.payloads };
}

/**
 * A payload chain with an extra payload of `type` (not one the codec knows) first:
 * returns the new first type and the chain bytes.
 */
export function prependUnknown(first: number, chain: Uint8Array, type: number, critical: boolean, body = Uint8Array.of(0xde, 0xad, 0xbe, 0xef)): Uint8Array {
  const head = Uint8Array.of(first, critical ? 0x80 : 0, 0, 4 + body.length);
  return concatBytes(head, body, chain);
}

/** An IKE message (no marker) with an unknown payload before its first one; the lengths follow. */
export function withUnknownFirst(message: Uint8Array, type: number, critical: boolean): Uint8Array {
  const chain = prependUnknown(message[16]!, message.subarray(28), type, critical);
  const out = concatBytes(message.subarray(0, 28), chain);
  out[16] = type;
  new DataView(out.buffer, out.byteOffset).setUint32(24, out.length);
  return out;
}

/** The inner chain of `payloads` as bytes (the SK plaintext before padding). */
export const chainOf = (payloads: readonly Payload[]): Uint8Array => encodeInnerPayloads(payloads);

/** A Ladder whose IKE_AUTH requests never reach the responder: its IKE SA stays half-open. */
export function halfOpen(o: LadderOptions = {}): { l: Ladder; sa: IkeSa } {
  const l = new Ladder(o);
  l.filter = (s) => {
    const d = decodeMessage(s.bytes, { natt: s.to.port === 4500 });
    return s.to.address === GW && d.kind === 'ike' && d.header.exchangeType === ExchangeType.IKE_AUTH ? [] : [s];
  };
  l.connect();
  l.run(1);
  const sa = l.responder.ikeSas[0];
  if (!sa || sa.state !== 'half-open') throw new Error('halfOpen: no half-open IKE SA');
  return { l, sa };
}

/** A Ladder with the IKE SA and its CHILD_SA up on both sides. */
export function established(o: LadderOptions = {}): { l: Ladder; sa: IkeSa } {
  const l = new Ladder(o);
  l.connect();
  l.run(1);
  const sa = l.responder.ikeSas[0];
  if (!sa || sa.state !== 'established') throw new Error('established: the IKE SA is not up');
  return { l, sa };
}

/** The IKE_AUTH request payloads a client with `psk` would send on `sa` (the responder's half-open SA). */
export function authPayloads(l: Ladder, sa: IkeSa, psk?: string): Payload[] {
  const input = l.initiator.o.auth;
  return buildAuthRequest(suite, sa, psk === undefined ? input : { ...input, psk: new TextEncoder().encode(psk) }).payloads;
}

/** The datagrams one side put on the wire, as IKE messages with their send. */
export function sent(l: Ladder, by: 'i' | 'r'): { send: Send; d: IkeDatagram; t: number }[] {
  return l.wire.flatMap((w) => {
    if (w.by !== by) return [];
    const d = decodeMessage(w.send.bytes, { natt: w.send.to.port === 4500 || w.send.from.port === 4500 });
    return d.kind === 'ike' ? [{ send: w.send, d, t: w.t }] : [];
  });
}
