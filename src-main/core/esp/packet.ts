/**
 * The ESP packet layout (RFC 4303 2), without any crypto:
 *
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Security Parameters Index (SPI)                 |  2.1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      Sequence Number                          |  2.2 (low 32 bits with ESN, 2.2.1)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ---
 *   |                    IV (per algorithm)                         |  2.3      ^ encrypted
 *   |                    Payload Data (the inner IP packet) ...     |  2.3      | from here
 *   |               |     Padding (0-255 bytes)                     |  2.4      |
 *   |                               |  Pad Length   | Next Header   |  2.5, 2.6 v
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ---
 *   |         Integrity Check Value (ICV, per algorithm)            |  2.8
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Padding uses the default contents of RFC 4303 2.4 (1, 2, 3, ...), which the receiver checks.
 * Inside UDP encapsulation (RFC 3948 2.2) the packet starts right after the UDP header; telling it
 * apart from IKE (non-ESP marker) and keepalives is the UDP layer's job.
 */

/** RFC 4303 2.1: the SPI, 32 bits. */
export const ESP_SPI_BYTES = 4;
/** RFC 4303 2.2: the (low-order 32 bits of the) Sequence Number. */
export const ESP_SEQ_BYTES = 4;
/** SPI | Sequence Number. */
export const ESP_HEADER_BYTES = ESP_SPI_BYTES + ESP_SEQ_BYTES;
/** RFC 4303 2.5, 2.6: Pad Length and Next Header, one octet each. */
export const ESP_TRAILER_BYTES = 2;
/** RFC 4303 2.4: "The Pad Length field indicates the number of pad bytes": at most 255. */
export const ESP_MAX_PAD_LENGTH = 255;
/** RFC 4303 2.4: Pad Length and Next Header end on a 4-octet boundary (ciphertext a multiple of 4). */
export const ESP_ALIGN = 4;

/** IANA Assigned Internet Protocol Numbers, as ESP's Next Header (RFC 4303 2.6). */
export const NextHeader = {
  /** IPv4 encapsulated in IP (RFC 2003): the inner packet of tunnel mode (RFC 4303 3.1.2). */
  IPV4: 4,
  /** IPv6-NoNxt: a dummy packet, to be dropped silently (RFC 4303 2.6). */
  NO_NEXT_HEADER: 59,
} as const;

/** The cleartext header of a received ESP packet, read before any crypto. */
/**
 * RFC 3948 2.2: on the NAT-T port, ESP starts with a non-zero SPI and IKE with four zero octets
 * (the non-ESP marker); a single 0xFF octet is a NAT-T keepalive (2.3).
 */
export function isEsp(d: Uint8Array): boolean {
  if (d.length === 1 && d[0] === 0xff) return false;
  return d.length >= 4 && (d[0]! | d[1]! | d[2]! | d[3]!) !== 0;
}

export type EspPeek = { readonly ok: true; readonly spi: number; readonly seqLow: number } | { readonly ok: false; readonly reason: 'short' };

/**
 * SPI and the low 32 bits of the Sequence Number, so the caller can find the SA and check the
 * replay window before spending time on the ICV (RFC 4303 3.4.2, 3.4.3). No crypto. Only the
 * 8-octet header is required here; openEsp checks the rest against the SA's algorithm.
 */
export function peekEsp(packet: Uint8Array): EspPeek {
  if (!(packet instanceof Uint8Array) || packet.length < ESP_HEADER_BYTES) return { ok: false, reason: 'short' };
  return { ok: true, spi: readU32(packet, 0), seqLow: readU32(packet, ESP_SPI_BYTES) };
}

/**
 * The fewest padding octets so that payload | Padding | Pad Length | Next Header is a whole
 * number of `align` octets (the cipher's block and 4, RFC 4303 2.4). Always below 256.
 */
export function padLengthFor(payloadLength: number, align: number): number {
  return (align - ((payloadLength + ESP_TRAILER_BYTES) % align)) % align;
}

/**
 * Writes Padding (1, 2, 3, ..., RFC 4303 2.4), Pad Length and Next Header into `text` after the
 * first `payloadLength` octets; `text` is exactly payload + padding + trailer long.
 */
export function writeTrailer(text: Uint8Array, payloadLength: number, padLength: number, nextHeader: number): void {
  for (let i = 0; i < padLength; i++) text[payloadLength + i] = i + 1;
  text[text.length - 2] = padLength;
  text[text.length - 1] = nextHeader;
}

/** The trailer of a decrypted text, or null when Pad Length does not fit or the Padding is not 1, 2, 3, ... */
export interface EspTrailer {
  /** Octets of Payload Data (any TFC padding, RFC 4303 2.7, stays inside it). */
  readonly payloadLength: number;
  readonly padLength: number;
  readonly nextHeader: number;
}

export function readTrailer(text: Uint8Array): EspTrailer | null {
  if (text.length < ESP_TRAILER_BYTES) return null;
  const padLength = text[text.length - 2]!;
  const nextHeader = text[text.length - 1]!;
  const payloadLength = text.length - ESP_TRAILER_BYTES - padLength;
  if (payloadLength < 0) return null;
  // RFC 4303 2.4: "the receiver SHOULD inspect the Padding field" when the default is used,
  // and every algorithm here uses the default.
  for (let i = 0; i < padLength; i++) if (text[payloadLength + i] !== i + 1) return null;
  return { payloadLength, padLength, nextHeader };
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
