/**
 * A whole UDP datagram to or from an IKE port: RFC 7296 section 3 (header + payload chain) and
 * RFC 3948 (UDP encapsulation on port 4500):
 *
 *   port 500:  IKE message
 *   port 4500: 0xFF (1 byte)              NAT-keepalive (RFC 3948 2.3)
 *              00 00 00 00 | IKE message  non-ESP marker, then IKE (RFC 3948 2.2)
 *              SPI (4, non-zero) | Sequence Number (4) | ...  ESP (RFC 3948 2.1, RFC 4303)
 *
 * `decodeMessage` never throws: every outcome is one of the Datagram kinds, drops with a countable
 * reason (and the header when it was readable, so a responder can answer an unsupported critical
 * payload or a bad major version). Byte fields are views into the datagram.
 */
import { Reader, Writer } from '../../bytes/cursor.ts';
import { IKE_HEADER_LENGTH, NATT_KEEPALIVE, NON_ESP_MARKER_LENGTH } from '../constants.ts';
import { decodeHeader, encodeHeader, peekHeader, type HeaderFields, type IkeHeader } from './header.ts';
import { decodePayloads, encodePayloads, firstPayloadType, payloadsLength, type PayloadList } from './payload-chain.ts';
import type { Payload } from './payloads.ts';
import type { Decoded, DropReason } from './result.ts';

export type Datagram =
  | (PayloadList & {
      readonly kind: 'ike';
      readonly header: IkeHeader;
      /** The IKE message without the non-ESP marker (what AUTH signs and the ICV covers). */
      readonly message: Uint8Array;
      readonly nonEspMarker: boolean;
    })
  | { readonly kind: 'keepalive' }
  | {
      readonly kind: 'esp';
      readonly spi: number;
      readonly seq: number;
      /** The whole ESP packet, SPI first. */
      readonly packet: Uint8Array;
    }
  | {
      readonly kind: 'drop';
      readonly reason: DropReason;
      readonly detail: string;
      readonly payloadType?: number;
      /** The IKE header fields when 28 bytes were there (unchecked if the header itself was the fault). */
      readonly header?: IkeHeader;
    };

export interface DecodeOptions {
  /** Received on UDP 4500 (RFC 3948): keepalives, ESP and marked IKE share the port. */
  readonly natt: boolean;
}

const ESP_HEADER_LENGTH = 8;

export function decodeMessage(datagram: Uint8Array, opts: DecodeOptions): Datagram {
  if (!opts.natt) return decodeIke(datagram, false);
  if (datagram.length === 1 && datagram[0] === NATT_KEEPALIVE) return { kind: 'keepalive' };
  if (datagram.length < NON_ESP_MARKER_LENGTH) {
    return { kind: 'drop', reason: 'truncated', detail: `${datagram.length}-byte datagram on the NAT-T port` };
  }
  const r = new Reader(datagram);
  const spi = r.u32();
  if (spi === 0) return decodeIke(datagram.subarray(NON_ESP_MARKER_LENGTH), true);
  const seq = r.u32();
  if (!r.ok) return { kind: 'drop', reason: 'truncated', detail: `ESP: ${datagram.length} bytes, needs ${ESP_HEADER_LENGTH}` };
  return { kind: 'esp', spi, seq, packet: datagram };
}

function decodeIke(message: Uint8Array, nonEspMarker: boolean): Datagram {
  const r = new Reader(message);
  const h = decodeHeader(r);
  if (!h.ok) {
    const header = peekHeader(new Reader(message));
    return header ? { kind: 'drop', reason: h.reason, detail: h.detail, header } : { kind: 'drop', reason: h.reason, detail: h.detail };
  }
  const header = h.value;
  const chain = decodePayloads(r, header.nextPayload);
  if (!chain.ok) return { kind: 'drop', reason: chain.reason, detail: chain.detail, payloadType: chain.payloadType, header };
  return { kind: 'ike', header, ...chain.value, message, nonEspMarker };
}

/** Decodes the plaintext of an SK payload (after the caller decrypted it and removed the padding). */
export function decodeInnerPayloads(plaintext: Uint8Array, firstInner: number): Decoded<PayloadList> {
  return decodePayloads(new Reader(plaintext), firstInner, { inner: true });
}

/** The payload chain alone, as an SK payload's plaintext before padding. */
export function encodeInnerPayloads(payloads: readonly Payload[]): Uint8Array {
  const w = new Writer(payloadsLength(payloads));
  encodePayloads(w, payloads);
  return w.finish();
}

export interface OutgoingMessage {
  readonly header: HeaderFields;
  readonly payloads: readonly Payload[];
}

export interface EncodeOptions {
  /** Put the 4-byte non-ESP marker first (sending IKE on port 4500). */
  readonly nonEspMarker?: boolean;
}

/** IKE message bytes: the header's Next Payload and Length follow from the payloads. */
export function encodeMessage(m: OutgoingMessage, opts: EncodeOptions = {}): Uint8Array {
  const length = messageLength(m);
  const marker = opts.nonEspMarker ? NON_ESP_MARKER_LENGTH : 0;
  const w = new Writer(marker + length);
  if (marker) w.u32(0);
  encodeHeader(w, m.header, firstPayloadType(m.payloads), length);
  encodePayloads(w, m.payloads);
  const written = w.length - marker;
  if (written !== length) throw new Error(`encodeMessage: wrote ${written} bytes, messageLength said ${length}`);
  return w.finish();
}

/** The IKE Length of a message (without the non-ESP marker). */
export function messageLength(m: OutgoingMessage): number {
  return IKE_HEADER_LENGTH + payloadsLength(m.payloads);
}
