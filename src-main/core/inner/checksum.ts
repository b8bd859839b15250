/**
 * The Internet checksum, RFC 1071 ("Computing the Internet Checksum"), used by the IPv4 header
 * (RFC 791 3.1), ICMP (RFC 792) and UDP (RFC 768): the 16-bit one's complement of the one's
 * complement sum of the data taken as big-endian 16-bit words, an odd last byte padded with a zero
 * byte on the right (RFC 1071 1, step 1).
 *
 * The sum is accumulated in an ordinary number and folded once at the end (RFC 1071 2(A),
 * "deferred carries"): an IPv4 datagram is at most 65535 bytes, so at most 32768 words of 0xffff
 * plus a pseudo-header, which stays below 2^32 and is folded exactly with 32-bit operations.
 * Receivers check a field by summing the covered bytes *with* the checksum in place: the data is
 * intact when the folded sum is 0xffff (RFC 1071 1, step 3).
 */

/** Typed-array reads are in the host's byte order; the 32-bit fast path below assumes little-endian. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
/** Below this many bytes the byte loop is as fast as making a Uint32Array view. */
const WIDE_MIN_BYTES = 128;

/**
 * The sum of the 16-bit words of `b[start..end)` added to `initial`, unfolded or partly folded:
 * congruent to the unfolded sum mod 0xffff and zero only when it is, which is all `fold`,
 * `checksumOf` and `verifies` need. Chain calls only on
 * segments that start at an even offset of the covered data (every segment but the last must have
 * an even length), as RFC 1071's byte order independence needs.
 *
 * Long runs are summed 32 bits at a time through a Uint32Array view (RFC 1071 2(C), "parallel
 * summation"), about 3x faster here than pairs of bytes: on a little-endian host each 32-bit word
 * holds two byte-swapped 16-bit words, and the folded sum of swapped words, swapped back, is the
 * sum of the words (RFC 1071 2(B), byte order independence). The words are added as doubles,
 * exact below 2^53 (an IPv4 datagram has at most 16384 of them), and folded with 2^16 = 1 mod 0xffff.
 */
export function sumWords(b: Uint8Array, start: number, end: number, initial = 0): number {
  let i = start;
  let s = initial;
  if (LITTLE_ENDIAN && end - start >= WIDE_MIN_BYTES && ((b.byteOffset + start) & 1) === 0) {
    if (((b.byteOffset + i) & 2) !== 0) {
      s += (b[i]! << 8) | b[i + 1]!; // one word to reach a 4-byte boundary
      i += 2;
    }
    const n = (end - i) >>> 2;
    const words = new Uint32Array(b.buffer, b.byteOffset + i, n);
    let wide = 0;
    for (let k = 0; k < n; k++) wide += words[k]!;
    while (wide > 0xffff) wide = (wide % 0x10000) + Math.floor(wide / 0x10000);
    s += ((wide & 0xff) << 8) | (wide >>> 8);
    i += n * 4;
  }
  return sumPairs(b, i, end, s);
}

/** The byte-pair loop: big-endian 16-bit words, an odd last byte padded on the right (RFC 1071 1). */
function sumPairs(b: Uint8Array, start: number, end: number, initial: number): number {
  let s = initial;
  let i = start;
  const even = end - ((end - start) & 1);
  for (; i < even; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  return s;
}

/** The sum folded to 16 bits with end-around carries (RFC 1071 2(A)). */
export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** The checksum field for an unfolded sum computed with the field itself taken as zero. */
export function checksumOf(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** Whether a sum computed over the data with its checksum field in place shows it intact. */
export function verifies(sum: number): boolean {
  return fold(sum) === 0xffff;
}
