/** Payload constructors for the exchanges (RFC 7296 section 3 layouts, in wire/). */
import { ProtocolId, PayloadType as T } from '../constants.ts';
import type { Payload, PayloadOf } from '../wire/payloads.ts';

type N = PayloadOf<typeof T.N>;

/** A notify about the IKE SA (Protocol ID 0, no SPI), or about the SA `spi` of `protocolId`. */
export function notify(notifyType: number, data: Uint8Array = new Uint8Array(0), protocolId = 0, spi: Uint8Array = new Uint8Array(0)): N {
  return { type: T.N, protocolId, spi, notifyType, data };
}

/** The notifies of a payload list. */
export function notifiesOf(payloads: readonly Payload[]): N[] {
  return payloads.filter((p): p is N => p.type === T.N);
}

export function findNotify(payloads: readonly Payload[], notifyType: number): N | undefined {
  return notifiesOf(payloads).find((n) => n.notifyType === notifyType);
}

/** The first payload of a type, typed. */
export function first<K extends Payload['type']>(payloads: readonly Payload[], type: K): PayloadOf<K> | undefined {
  return payloads.find((p) => p.type === type) as PayloadOf<K> | undefined;
}

/** The first error notify (types below 16384), if any. */
export function errorNotify(payloads: readonly Payload[]): N | undefined {
  return notifiesOf(payloads).find((n) => n.notifyType < 16384);
}

/** A 4-byte ESP SPI as a number, and back. */
export function spiNumber(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

export function spiBytes(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}

export const ESP = ProtocolId.ESP;
