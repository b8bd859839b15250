/**
 * Outbound ESP packet processing, tunnel mode (RFC 4303 3.3): one pure function from an SA
 * direction, a sequence number and an inner packet to the ESP packet (SPI through ICV), ready for
 * UDP encapsulation (RFC 3948 2.2, done elsewhere).
 *
 * Steps (RFC 4303 3.3.2): the inner packet is laid out once in the output buffer, followed by the
 * default Padding 1, 2, 3, ... (2.4, as few octets as fill the cipher's blocks and the 4-octet
 * alignment), Pad Length and Next Header; the suite encrypts that text in place and writes the ICV
 * after it (suite.encryptDetached). No TFC padding (2.7) is added.
 *
 * The IV comes from the suite's randomBytes unless the caller passes one (tests, vectors). AES-CBC
 * needs an unpredictable IV (RFC 3602 3), which a random one is. For AES-GCM and ChaCha20-Poly1305
 * the IV must never repeat under one key (RFC 4106 3.1, RFC 7634 2); with 8 random octets the
 * chance of any repeat among n packets is about n^2 / 2^65 (2^-17 after 2^24 packets, but near
 * 1/2 at 2^32). A caller that sends that much on one SA can pass a counter instead: the 64-bit
 * sequence number is unique per SA and RFC 4106 3.1 allows a counter.
 *
 * Sequence numbers are the caller's: it counts from 1 and stops (or rekeys) before cycling
 * (RFC 4303 3.3.3); sequence number 0 is refused here as a local error.
 */
import { expectBytes, expectInt } from '../crypto/args.ts';
import type { CryptoSuite } from '../crypto/suite.ts';
import { ESP_HEADER_BYTES, ESP_SPI_BYTES, ESP_TRAILER_BYTES, padLengthFor, writeTrailer, writeU32 } from './packet.ts';
import { authData, checkSa, splitSeq, type EspSa, type EspSeq } from './transform.ts';
import { slabAllocator } from '../bytes/slab.ts';

/** The largest inner packet: an IPv4 Total Length (RFC 791 3.1). */
const MAX_INNER = 0xffff;

/** Sealed packets are cut from slabs (core/bytes/slab.ts). */
const packetBuffer = slabAllocator();

/**
 * The ESP packet carrying `inner` (an IPv4 packet in tunnel mode, `nextHeader` 4; 59 for a dummy
 * packet, RFC 4303 2.6). `seq` is the full sequence number; with `esn` its high 32 bits are
 * authenticated but not sent (RFC 4303 2.2.1). Throws only on local misuse, naming the argument.
 */
export function sealEsp(suite: CryptoSuite, sa: EspSa, seq: EspSeq, esn: boolean, inner: Uint8Array, nextHeader: number, iv?: Uint8Array): Uint8Array {
  const layout = checkSa(sa, true);
  const [seqHigh, seqLow] = splitSeq(seq, esn);
  if (seqHigh === 0 && seqLow === 0) throw new RangeError('"seq" must not be 0: the first packet of an SA carries 1 (RFC 4303 3.3.3)');
  expectBytes('inner', inner);
  if (inner.length > MAX_INNER) throw new RangeError(`"inner" expected at most ${MAX_INNER} bytes, got ${inner.length}`);
  expectInt('nextHeader', nextHeader, 0, 255);
  if (iv !== undefined) expectBytes('iv', iv, layout.ivBytes, 'this cipher');

  const padLength = padLengthFor(inner.length, layout.align);
  const textAt = ESP_HEADER_BYTES + layout.ivBytes;
  const textLength = inner.length + padLength + ESP_TRAILER_BYTES;
  const icvAt = textAt + textLength;
  const packet = packetBuffer(icvAt + layout.icvBytes);

  writeU32(packet, 0, sa.spi);
  writeU32(packet, ESP_SPI_BYTES, seqLow);
  const ivView = packet.subarray(ESP_HEADER_BYTES, textAt);
  ivView.set(iv ?? suite.randomBytes(layout.ivBytes));
  const text = packet.subarray(textAt, icvAt);
  text.set(inner);
  writeTrailer(text, inner.length, padLength, nextHeader);

  const { aad, icvTail } = authData(layout, packet, seqHigh, esn);
  suite.encryptDetached(sa.cipher, sa.keys, ivView, text, aad, packet.subarray(icvAt), icvTail);
  return packet;
}
