/**
 * The SK payload plaintext (RFC 7296 3.14): the inner payloads, then Padding, then the one-octet
 * Pad Length, together a whole number of the cipher's blocks. Padding is zeros here (the sender
 * may choose any value); the receiver accepts any Pad Length that fits (RFC 5282 3: up to 255).
 */
import { encrInfo } from './algorithms.ts';
import { expectBytes } from './args.ts';

/** payloads | Padding | Pad Length, the fewest octets that fill the cipher's blocks. */
export function padSkPlaintext(encr: number, payloads: Uint8Array): Uint8Array {
  const block = encrInfo(encr, 'encr').blockBytes;
  expectBytes('payloads', payloads);
  const padLength = (block - ((payloads.length + 1) % block)) % block;
  const out = new Uint8Array(payloads.length + padLength + 1);
  out.set(payloads);
  out[out.length - 1] = padLength;
  return out;
}

/** The inner payloads of a decrypted plaintext, or null when the Pad Length does not fit. */
export function unpadSkPlaintext(plaintext: Uint8Array): Uint8Array | null {
  if (plaintext.length === 0) return null;
  const padLength = plaintext[plaintext.length - 1]!;
  if (padLength + 1 > plaintext.length) return null;
  return plaintext.subarray(0, plaintext.length - padLength - 1);
}
