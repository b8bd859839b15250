/**
 * IKEv2 key derivation and the pre-shared-key AUTH value, as RFC 7296 gives them:
 *
 *   SKEYSEED = prf(Ni | Nr, g^ir)                                          (2.14)
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *            = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)                      (2.14)
 *   KEYMAT   = prf+(SK_d, Ni | Nr)            CHILD_SA without PFS         (2.17)
 *   KEYMAT   = prf+(SK_d, g^ir (new) | Ni | Nr)   CHILD_SA with PFS        (2.17)
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)   IKE SA rekey        (2.18)
 *   AUTH     = prf( prf(Shared Secret, "Key Pad for IKEv2"), <InitiatorSignedOctets>)   (2.15)
 *   InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI, MACedIDForI = prf(SK_pi, RestOfInitIDPayload)
 *   ResponderSignedOctets = RealMessage2 | NonceIData | MACedIDForR, MACedIDForR = prf(SK_pr, RestOfRespIDPayload)
 *
 * The HMAC PRFs here take the whole nonces as key (2.14). Every function takes the CryptoSuite,
 * so the same code runs live and in the simulator.
 */
import { concatBytes } from '../bytes/hex.ts';
import { encrKeySizes, integInfo, prfInfo } from '../crypto/algorithms.ts';
import { expectBytes } from '../crypto/args.ts';
import type { CryptoSuite, SkCipher, SkKeys } from '../crypto/suite.ts';

/** The transforms of an IKE SA: its PRF and its SK payload cipher. */
export interface IkeSaTransforms extends SkCipher {
  /** PRF Transform ID (PrfId). */
  readonly prf: number;
}

/** The seven secrets of an IKE SA (RFC 7296 2.14), named as the RFC names them. */
export interface IkeSaKeys {
  readonly SK_d: Uint8Array;
  readonly SK_ai: Uint8Array;
  readonly SK_ar: Uint8Array;
  readonly SK_ei: Uint8Array;
  readonly SK_er: Uint8Array;
  readonly SK_pi: Uint8Array;
  readonly SK_pr: Uint8Array;
}

/** SK_a / ESP integrity key length: 0 octets with AEAD (RFC 5282 7.1), else the INTEG key size. */
function integKeyBytes(aead: boolean, integ: number | undefined, arg: string): number {
  if (aead) return 0;
  if (integ === undefined || integ === 0) throw new RangeError(`"${arg}" is required with a non-AEAD cipher (RFC 7296 3.3.3)`);
  return integInfo(integ, arg).keyBytes;
}

/** RFC 7296 2.14, in prf+ order: SK_d, SK_pi and SK_pr take the PRF's key size, SK_a the INTEG
 * key size (0 octets with AEAD, RFC 5282 7.1), SK_e the cipher's key material (with salt). */
export function ikeSaKeyLengths(t: IkeSaTransforms): Readonly<Record<keyof IkeSaKeys, number>> {
  const prfKey = prfInfo(t.prf, 't.prf').keyBytes;
  const encr = encrKeySizes(t.encr, t.keyLength, 't.encr');
  const integKey = integKeyBytes(encr.info.aead, t.integ, 't.integ');
  return { SK_d: prfKey, SK_ai: integKey, SK_ar: integKey, SK_ei: encr.keymatBytes, SK_er: encr.keymatBytes, SK_pi: prfKey, SK_pr: prfKey };
}

/** RFC 7296 2.14: SKEYSEED = prf(Ni | Nr, g^ir). */
export function skeyseed(suite: CryptoSuite, prf: number, Ni: Uint8Array, Nr: Uint8Array, gir: Uint8Array): Uint8Array {
  return suite.prf(prf, concatBytes(expectBytes('Ni', Ni), expectBytes('Nr', Nr)), expectBytes('g^ir', gir));
}

/** RFC 7296 2.14: the seven SK_* keys from prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr). */
export function deriveIkeSaKeys(
  suite: CryptoSuite,
  t: IkeSaTransforms,
  SKEYSEED: Uint8Array,
  Ni: Uint8Array,
  Nr: Uint8Array,
  SPIi: Uint8Array,
  SPIr: Uint8Array,
): IkeSaKeys {
  expectBytes('SPIi', SPIi, 8, 'an IKE SA (RFC 7296 3.1)');
  expectBytes('SPIr', SPIr, 8, 'an IKE SA (RFC 7296 3.1)');
  const lengths = ikeSaKeyLengths(t);
  const order = ['SK_d', 'SK_ai', 'SK_ar', 'SK_ei', 'SK_er', 'SK_pi', 'SK_pr'] as const;
  const total = order.reduce((n, k) => n + lengths[k], 0);
  const stream = suite.prfPlus(t.prf, SKEYSEED, concatBytes(expectBytes('Ni', Ni), expectBytes('Nr', Nr), SPIi, SPIr), total);
  const keys: Partial<Record<keyof IkeSaKeys, Uint8Array>> = {};
  let at = 0;
  for (const k of order) {
    keys[k] = stream.slice(at, at + lengths[k]);
    at += lengths[k];
  }
  return keys as IkeSaKeys;
}

/** The SK payload keys one side sends with: the initiator's are SK_ei / SK_ai (RFC 7296 2.14). */
export function skKeys(keys: IkeSaKeys, sender: 'initiator' | 'responder'): SkKeys {
  return sender === 'initiator' ? { encr: keys.SK_ei, integ: keys.SK_ai } : { encr: keys.SK_er, integ: keys.SK_ar };
}

/** RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old IKE SA's PRF. */
export function rekeySkeyseed(suite: CryptoSuite, oldPrf: number, SK_d_old: Uint8Array, girNew: Uint8Array, Ni: Uint8Array, Nr: Uint8Array): Uint8Array {
  const seed = concatBytes(expectBytes('g^ir (new)', girNew), expectBytes('Ni', Ni), expectBytes('Nr', Nr));
  return suite.prf(oldPrf, expectBytes('SK_d (old)', SK_d_old), seed);
}

/** RFC 7296 2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), `length` octets. */
export function childKeymat(suite: CryptoSuite, prf: number, SK_d: Uint8Array, Ni: Uint8Array, Nr: Uint8Array, length: number, girNew?: Uint8Array): Uint8Array {
  const nonces = concatBytes(expectBytes('Ni', Ni), expectBytes('Nr', Nr));
  const seed = girNew === undefined ? nonces : concatBytes(expectBytes('g^ir (new)', girNew), nonces);
  return suite.prfPlus(prf, expectBytes('SK_d', SK_d), seed, length);
}

/** The keys of one CHILD_SA pair: `i` protects initiator-to-responder traffic, `r` the reverse. */
export interface ChildSaKeys {
  readonly i: SkKeys;
  readonly r: SkKeys;
}

/**
 * RFC 7296 2.17: keys for the initiator-to-responder SA come first, then the reverse; within each,
 * the encryption key and then the integrity key (RFC 4301 via 2.17). AEAD: key | salt, no
 * integrity key (RFC 4106 8.1, RFC 7634 2).
 */
export function deriveChildSaKeys(suite: CryptoSuite, prf: number, SK_d: Uint8Array, cipher: SkCipher, Ni: Uint8Array, Nr: Uint8Array, girNew?: Uint8Array): ChildSaKeys {
  const encr = encrKeySizes(cipher.encr, cipher.keyLength, 'cipher.encr');
  const integBytes = integKeyBytes(encr.info.aead, cipher.integ, 'cipher.integ');
  const each = encr.keymatBytes + integBytes;
  const keymat = childKeymat(suite, prf, SK_d, Ni, Nr, 2 * each, girNew);
  const half = (at: number): SkKeys => ({
    encr: keymat.slice(at, at + encr.keymatBytes),
    integ: keymat.slice(at + encr.keymatBytes, at + each),
  });
  return { i: half(0), r: half(each) };
}

/** RFC 7296 2.15: the 17 ASCII octets "Key Pad for IKEv2", no terminating null. */
export const KEY_PAD_FOR_IKEV2 = new TextEncoder().encode('Key Pad for IKEv2');

/** RFC 7296 2.15: MACedIDForI = prf(SK_pi, RestOfInitIDPayload) (or SK_pr, RestOfRespIDPayload):
 * the ID payload from the ID Type octet on, without the generic payload header. */
export function macedId(suite: CryptoSuite, prf: number, SK_p: Uint8Array, restOfIdPayload: Uint8Array): Uint8Array {
  return suite.prf(prf, expectBytes('SK_p', SK_p), expectBytes('restOfIdPayload', restOfIdPayload));
}

/** RFC 7296 2.15: <SignedOctets> = RealMessage | Nonce(peer)Data | MACedID. For the initiator:
 * its IKE_SA_INIT request, Nr, prf(SK_pi, IDi'); for the responder: its response, Ni, prf(SK_pr, IDr'). */
export function signedOctets(realMessage: Uint8Array, peerNonce: Uint8Array, macedIdValue: Uint8Array): Uint8Array {
  return concatBytes(expectBytes('realMessage', realMessage), expectBytes('peerNonce', peerNonce), expectBytes('macedId', macedIdValue));
}

/** RFC 7296 2.15: AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>). */
export function pskAuth(suite: CryptoSuite, prf: number, sharedSecret: Uint8Array, octets: Uint8Array): Uint8Array {
  const padKey = suite.prf(prf, expectBytes('sharedSecret', sharedSecret), KEY_PAD_FOR_IKEV2);
  return suite.prf(prf, padKey, expectBytes('signedOctets', octets));
}
