// Shared by the crypto and keymat tests: the vector files of test/vectors (see its README for
// provenance) and a seeded randomBytes, so every run draws the same "random" keys.
import { fromHex } from '../../../src-main/core/bytes/hex.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import x25519Json from '../../vectors/rfc7748-x25519.json';
import standard from '../../vectors/standard-vectors.json';

export const vectors = standard.sections;
export const rfc7748 = x25519Json;
export const h = fromHex;

/** A deterministic randomBytes for tests: the same seed gives the same bytes on every platform. */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  const rng = new Rng(seed);
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const v = rng.nextU32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  };
}

/** A copy with one bit flipped at `index` (negative counts from the end). */
export function flipBit(b: Uint8Array, index: number): Uint8Array {
  const out = b.slice();
  const i = index < 0 ? out.length + index : index;
  out[i] = out[i]! ^ 0x01;
  return out;
}
