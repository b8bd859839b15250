/**
 * Numbers into and out of the binary records the session writer queues (packet-records.ts,
 * wakeup-records.ts), little-endian as Buffer's `write*LE`/`read*LE` methods store them, but
 * without their calls: those check their arguments and bounds on every call and return a double
 * in a new box, and the records are written for every datagram and read back for every one at
 * each commit (BENCHMARKS.md, "The live lab").
 */

/** A scratch double and its octets in the machine's order; `LE_OCTET[i]` is where octet i of its little-endian form is. */
const DOUBLE = new Float64Array(1);
const DOUBLE_OCTETS = new Uint8Array(DOUBLE.buffer);
const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const LE_OCTET = Uint8Array.from({ length: 8 }, (_, i) => (LITTLE ? i : 7 - i));

export function putF64(b: Uint8Array, o: number, v: number): void {
  DOUBLE[0] = v;
  for (let i = 0; i < 8; i++) b[o + i] = DOUBLE_OCTETS[LE_OCTET[i]!]!;
}

export function getF64(b: Uint8Array, o: number): number {
  for (let i = 0; i < 8; i++) DOUBLE_OCTETS[LE_OCTET[i]!] = b[o + i]!;
  return DOUBLE[0]!;
}

export function putU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
}

export function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

export function getU16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

export function getU32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** Big-endian (network order: the IKE and ESP headers kept in a record's head). */
export function getU32BE(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
