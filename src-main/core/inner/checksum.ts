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

/**
 * The unfolded sum of the 16-bit words of `b[start..end)` added to `initial`. Chain calls only on
 * segments that start at an even offset of the covered data (every segment but the last must have
 * an even length), as RFC 1071's byte order independence needs.
 */
export function sumWords(b: Uint8Array, start: number, end: number, initial = 0): number {
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
