/**
 * Vendor ID payload body, RFC 7296 section 3.12:
 *
 *   Vendor ID (variable; a hash or string the vendor chose)
 */
import type { Reader, Writer } from '../../bytes/cursor.ts';
import { checkLength, ok, type Decoded } from './result.ts';

export interface VendorId {
  readonly vendorId: Uint8Array;
}

export function decodeVendorId(r: Reader): Decoded<VendorId> {
  return ok({ vendorId: r.rest() });
}

export function encodeVendorId(w: Writer, v: VendorId): void {
  checkLength('vendor.vendorId', v.vendorId, 0, 0xffff - 4);
  w.bytes(v.vendorId);
}

export function vendorIdLength(v: VendorId): number {
  return v.vendorId.length;
}
