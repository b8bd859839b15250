/**
 * Delete payload body, RFC 7296 section 3.11:
 *
 *   Protocol ID (1) | SPI Size (1) | Num of SPIs (2) | SPIs (Num x SPI Size)
 *
 * Deleting the IKE SA: Protocol ID 1, SPI Size 0, no SPIs. ESP and AH: SPI Size 4, the SPIs the
 * sender expects on inbound packets. The body must be exactly as long as the counts say.
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { checkLength, checkUint, fieldError, malformed, ok, type Decoded } from './result.ts';

export interface Delete {
  readonly protocolId: number;
  readonly spiSize: number;
  readonly spis: readonly Uint8Array[];
}

export function decodeDelete(r: Reader): Decoded<Delete> {
  const protocolId = r.u8();
  const spiSize = r.u8();
  const count = r.u16();
  if (!r.ok) return malformed('D: needs 4 bytes before its SPIs');
  if (r.remaining !== spiSize * count) {
    return malformed(`D: ${count} SPIs of ${spiSize} bytes, but ${r.remaining} bytes follow`);
  }
  const spis: Uint8Array[] = [];
  for (let i = 0; i < count; i++) spis.push(r.bytes(spiSize));
  return ok({ protocolId, spiSize, spis });
}

export function encodeDelete(w: Writer, d: Delete): void {
  checkUint('delete.protocolId', d.protocolId, 8);
  checkUint('delete.spiSize', d.spiSize, 8);
  checkUint('delete.spis.length', d.spis.length, 16);
  if (d.spiSize * d.spis.length > 0xffff - 8) fieldError('delete.spis', 'too many bytes for one payload');
  d.spis.forEach((s, i) => checkLength(`delete.spis[${i}]`, s, d.spiSize, d.spiSize));
  w.u8(d.protocolId).u8(d.spiSize).u16(d.spis.length);
  for (const s of d.spis) w.bytes(s);
}

export function deleteLength(d: Delete): number {
  return 4 + d.spiSize * d.spis.length;
}
