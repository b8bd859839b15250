/**
 * MODP Diffie-Hellman groups (RFC 7296 3.4): 1024-bit (group 2, RFC 2409 6.2), 2048-bit (group
 * 14, RFC 3526 3) and 3072-bit (group 15, RFC 3526 4), all with generator g = 2. The primes are
 * p = 2^n - 2^(n-64) - 1 + 2^64 * ([2^(n-130) pi] + k) (RFC 2409 6.2, RFC 3526); the tests rebuild
 * them from that formula and compare.
 *
 * Key Exchange Data and g^ir are big-endian, left-padded with zeros to the prime's length
 * (RFC 7296 3.4, 2.14). A peer value outside 1 < y < p-1 is refused (RFC 6989 2.1).
 * BigInt arithmetic is not constant-time: acceptable for a lab responder, noted for readers.
 */
import { pow } from '@noble/curves/abstract/modular.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { DhGroup } from '../ike/constants.ts';
import type { DhExchange } from './suite.ts';

const hex = (lines: readonly string[]): bigint => BigInt(`0x${lines.join('')}`);

// The first 1024 bits of the 2048-bit and 3072-bit primes differ from the 1024-bit prime only in
// its last 96 bits, so each prime is written out whole, as its RFC prints it.
const P1024 = hex([
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD',
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED',
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF',
]);
const P2048 = hex([
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD',
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED',
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F',
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B',
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510',
  '15728E5A8AACAA68FFFFFFFFFFFFFFFF',
]);
const P3072 = hex([
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD',
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED',
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F',
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B',
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510',
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7',
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C',
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF',
]);

export interface ModpGroup {
  readonly p: bigint;
  readonly g: bigint;
  /** Octets of p: the length of Key Exchange Data and of g^ir. */
  readonly bytes: number;
  /** Private exponent length: at least twice the group's strength (RFC 3526 8: 2048-bit 320, 3072-bit 420 bits). */
  readonly exponentBytes: number;
}

export const MODP_GROUPS: ReadonlyMap<number, ModpGroup> = new Map([
  [DhGroup.MODP_1024, { p: P1024, g: 2n, bytes: 128, exponentBytes: 32 }],
  [DhGroup.MODP_2048, { p: P2048, g: 2n, bytes: 256, exponentBytes: 40 }],
  [DhGroup.MODP_3072, { p: P3072, g: 2n, bytes: 384, exponentBytes: 53 }],
]);

export function modpExchange(id: number, group: ModpGroup, randomBytes: (n: number) => Uint8Array): DhExchange {
  let x = 0n;
  while (x < 2n) x = bytesToNumberBE(randomBytes(group.exponentBytes));
  const publicValue = numberToBytesBE(pow(group.g, x, group.p), group.bytes);
  return {
    group: id,
    publicValue,
    computeShared(peerPublic: Uint8Array): Uint8Array | null {
      if (!(peerPublic instanceof Uint8Array) || peerPublic.length !== group.bytes) return null;
      const y = bytesToNumberBE(peerPublic);
      if (y <= 1n || y >= group.p - 1n) return null;
      return numberToBytesBE(pow(y, x, group.p), group.bytes);
    },
  };
}
