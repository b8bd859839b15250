/**
 * Notify payload body, RFC 7296 section 3.10:
 *
 *   Protocol ID (1) | SPI Size (1) | Notify Message Type (2) | SPI (SPI Size) | Notification Data
 *
 * Protocol ID and SPI Size are zero for notifies about the IKE SA; types below 16384 are errors
 * (NotifyError), 16384 and up are status (NotifyStatus). The data's meaning is the type's.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { checkLength, checkUint, malformed, ok, type Decoded } from './result.ts';

export interface Notify {
  readonly protocolId: number;
  /** Empty for the IKE SA. */
  readonly spi: Uint8Array;
  readonly notifyType: number;
  readonly data: Uint8Array;
}

/** The first notify type that is a status, not an error (RFC 7296 3.10.1). */
export const FIRST_STATUS_NOTIFY = 16384;

export function decodeNotify(r: Reader): Decoded<Notify> {
  const protocolId = r.u8();
  const spiSize = r.u8();
  const notifyType = r.u16();
  const spi = r.bytes(spiSize);
  const data = r.rest();
  if (!r.ok) return malformed(`N: ${spiSize}-byte SPI and a 4-byte head do not fit`);
  return ok({ protocolId, spi, notifyType, data });
}

export function encodeNotify(w: Writer, n: Notify): void {
  checkUint('notify.protocolId', n.protocolId, 8);
  checkUint('notify.notifyType', n.notifyType, 16);
  checkLength('notify.spi', n.spi, 0, 255);
  checkLength('notify.data', n.data, 0, 0xffff);
  w.u8(n.protocolId).u8(n.spi.length).u16(n.notifyType).bytes(n.spi).bytes(n.data);
}

export function notifyLength(n: Notify): number {
  return 4 + n.spi.length + n.data.length;
}
