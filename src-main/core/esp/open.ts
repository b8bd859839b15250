/**
 * Inbound ESP packet processing (RFC 4303 3.4), split so the caller can drop cheaply first:
 *
 *   1. peekEsp (packet.ts): SPI and low sequence bits, no crypto; the caller finds the SA
 *      (3.4.2), infers the full sequence number with ESN (Appendix A) and checks its replay
 *      window (3.4.3) BEFORE any crypto.
 *   2. openEsp: ICV, then decryption (3.4.4; the ICV is checked first for AES-CBC + HMAC, the
 *      AEADs verify their tag before releasing plaintext), then the trailer: Pad Length, the
 *      default Padding 1, 2, 3, ... (2.4) and Next Header (2.6). Only after `ok` may the caller
 *      advance its replay window.
 *
 * Outcomes never throw for anything in the packet:
 * - 'short': the packet cannot hold header, IV, the shortest text and the ICV of this SA, or its
 *   text is not a whole number of cipher blocks (AES-CBC);
 * - 'bad-icv': authentication failed (forgery, corruption, wrong keys or sequence high bits);
 * - 'bad-padding': authenticated, but Pad Length runs past the text or the Padding is not
 *   1, 2, 3, ... (the peer is broken, not an attacker);
 * - 'bad-next-header' (openEsp only): tunnel mode here carries IPv4 (4); anything else but a dummy.
 * A dummy packet (Next Header 59, RFC 4303 2.6) is `ok` with nextHeader 59: the caller drops it
 * silently, but may count it as authenticated traffic.
 *
 * A mismatch between the caller's arguments and the packet (SPI, low sequence bits) is a local
 * error and throws.
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { ESP_HEADER_BYTES, ESP_SPI_BYTES, NextHeader, readTrailer, readU32 } from './packet.ts';
import { authData, checkSa, splitSeq, type EspSa, type EspSeq } from './transform.ts';

export type EspDropReason = 'short' | 'bad-icv' | 'bad-padding' | 'bad-next-header';

export type EspOpened =
  | {
      readonly ok: true;
      /** The Payload Data: the inner packet (with any TFC padding, RFC 4303 2.7, at its end). */
      readonly inner: Uint8Array;
      readonly nextHeader: number;
      readonly padLength: number;
    }
  | { readonly ok: false; readonly reason: EspDropReason };

const fail = (reason: EspDropReason): EspOpened => ({ ok: false, reason });

/**
 * Authenticates and decrypts an ESP packet of `sa` and reads its trailer, whatever its Next
 * Header (tunnel or transport mode alike). `seq` is the full sequence number the caller inferred;
 * its low 32 bits must be the packet's.
 */
export function decryptEsp(suite: CryptoSuite, sa: EspSa, packet: Uint8Array, seq: EspSeq, esn: boolean): EspOpened {
  const layout = checkSa(sa, false);
  const [seqHigh, seqLow] = splitSeq(seq, esn);
  if (!(packet instanceof Uint8Array)) throw new TypeError(`"packet" expected Uint8Array, got ${typeof packet}`);
  const textAt = ESP_HEADER_BYTES + layout.ivBytes;
  const textLength = packet.length - textAt - layout.icvBytes;
  if (textLength < layout.minText || textLength % layout.block !== 0) return fail('short');
  // The caller chose the SA and the sequence number from this very packet (peekEsp).
  if (readU32(packet, 0) !== sa.spi) throw new RangeError(`"sa.spi" is ${sa.spi}, the packet's SPI is ${readU32(packet, 0)}`);
  if (readU32(packet, ESP_SPI_BYTES) !== seqLow) throw new RangeError(`"seq" ends in ${seqLow}, the packet's Sequence Number is ${readU32(packet, ESP_SPI_BYTES)}`);

  const icvAt = textAt + textLength;
  const { aad, icvTail } = authData(layout, packet, seqHigh, esn);
  const text = suite.decryptDetached(
    sa.cipher,
    sa.keys,
    packet.subarray(ESP_HEADER_BYTES, textAt),
    packet.subarray(textAt, icvAt),
    packet.subarray(icvAt),
    aad,
    icvTail,
  );
  if (!text) return fail('bad-icv');
  const trailer = readTrailer(text);
  if (!trailer) return fail('bad-padding');
  return { ok: true, inner: text.subarray(0, trailer.payloadLength), nextHeader: trailer.nextHeader, padLength: trailer.padLength };
}

/**
 * decryptEsp for a tunnel-mode SA carrying IPv4 (RFC 4303 3.1.2): Next Header must be 4, or 59
 * for a dummy packet (returned as ok, for the caller to drop silently).
 */
export function openEsp(suite: CryptoSuite, sa: EspSa, packet: Uint8Array, seq: EspSeq, esn: boolean): EspOpened {
  const opened = decryptEsp(suite, sa, packet, seq, esn);
  if (opened.ok && opened.nextHeader !== NextHeader.IPV4 && opened.nextHeader !== NextHeader.NO_NEXT_HEADER) return fail('bad-next-header');
  return opened;
}
