/**
 * Diffie-Hellman for the KE payload (RFC 7296 1.2, 3.4), one exchange per call, the private value
 * drawn from the injected randomBytes and kept inside the closure.
 *
 * - MODP groups 2, 14, 15: modp.ts.
 * - ECP_256 / ECP_384 (RFC 5903 7): Key Exchange Data is x | y, each the field's length, without
 *   the 0x04 point-format octet; g^ir is the x coordinate of the shared point. The peer's point
 *   must be on the curve (RFC 6989 2.3).
 * - CURVE25519 (RFC 8031 2): 32-octet u-coordinates as RFC 7748 5 encodes them; an all-zero
 *   shared secret is refused (RFC 8031 recipient tests, RFC 7748 6.1).
 */
import { p256, p384 } from '@noble/curves/nist.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { concatBytes } from '../bytes/hex.ts';
import { DhGroup } from '../ike/constants.ts';
import { dhInfo } from './algorithms.ts';
import { MODP_GROUPS, modpExchange } from './modp.ts';
import type { DhExchange } from './suite.ts';

type RandomBytes = (n: number) => Uint8Array;

const UNCOMPRESSED = new Uint8Array([0x04]);

function ecpExchange(id: number, curve: typeof p256, fieldBytes: number, randomBytes: RandomBytes): DhExchange {
  const secret = curve.utils.randomSecretKey(randomBytes(curve.lengths.seed!));
  // SEC 1 uncompressed encoding 04 | x | y; RFC 5903 7 sends x | y.
  const publicValue = curve.getPublicKey(secret, false).subarray(1);
  return {
    group: id,
    publicValue,
    computeShared(peerPublic: Uint8Array): Uint8Array | null {
      if (!(peerPublic instanceof Uint8Array) || peerPublic.length !== 2 * fieldBytes) return null;
      try {
        // fromBytes refuses points off the curve; getSharedSecret refuses the point at infinity.
        const shared = curve.getSharedSecret(secret, concatBytes(UNCOMPRESSED, peerPublic), true);
        return shared.subarray(1); // compressed form prefix | x: keep x
      } catch {
        return null;
      }
    },
  };
}

function x25519Exchange(id: number, randomBytes: RandomBytes): DhExchange {
  const secret = randomBytes(32);
  const publicValue = x25519.getPublicKey(secret);
  return {
    group: id,
    publicValue,
    computeShared(peerPublic: Uint8Array): Uint8Array | null {
      if (!(peerPublic instanceof Uint8Array) || peerPublic.length !== 32) return null;
      try {
        // noble refuses low-order points, whose result would be all zeros.
        const shared = x25519.getSharedSecret(secret, peerPublic);
        return shared.some((b) => b !== 0) ? shared : null;
      } catch {
        return null;
      }
    },
  };
}

export function createDh(group: number, randomBytes: RandomBytes): DhExchange {
  const info = dhInfo(group, 'group');
  switch (info.kind) {
    case 'modp':
      return modpExchange(group, MODP_GROUPS.get(group)!, randomBytes);
    case 'ecp':
      return group === DhGroup.ECP_256 ? ecpExchange(group, p256, 32, randomBytes) : ecpExchange(group, p384, 48, randomBytes);
    case 'x25519':
      return x25519Exchange(group, randomBytes);
  }
}
