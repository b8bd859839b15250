/**
 * strongSwan proposal strings ("aes128-sha256-prfsha256-curve25519") to IKEv2 transforms with
 * IANA IDs (RFC 7296 3.3.2) and Key Length attributes (3.3.5). Keywords mean what strongSwan
 * documents (docs.strongswan.org, "Algorithm Proposals (Cipher Suites)"; the keyword table in
 * src/libstrongswan/crypto/proposal/proposal_keywords_static.txt), and the same checks apply as
 * in strongSwan's proposal parser:
 * - IKE without a prf keyword: each integrity keyword also proposes the PRF on the same hash
 *   ("sha256" = AUTH_HMAC_SHA2_256_128 and PRF_HMAC_SHA2_256). A PRF and a DH group are required.
 * - All-AEAD proposals carry no INTEG transform (RFC 5282 8), so with AEAD in IKE "sha256" only
 *   means the PRF. AEAD and classic ciphers may not share a proposal.
 * - ESP: prf keywords are dropped, the DH group is optional (PFS), no esn keyword means noesn.
 * Only algorithms WakeLab implements are accepted; any other keyword is refused by name. One
 * check is stricter than strongSwan's: a classic ESP cipher needs an integrity algorithm, as
 * WakeLab does no encryption-only ESP.
 */
import { WakeLabError } from '../errors.ts';
import { DhGroup, EncrId, EsnId, IntegId, PrfId, TransformType } from './constants.ts';

export type ProposalProtocol = 'ike' | 'esp';

export interface EncrTransform {
  readonly id: number;
  /** Key Length attribute in bits; absent for ENCR_CHACHA20_POLY1305 (RFC 7634). */
  readonly keyLength?: number;
}

/** One proposal: the transforms of each type in preference order. */
export interface Proposal {
  readonly protocol: ProposalProtocol;
  readonly encr: readonly EncrTransform[];
  readonly prf: readonly number[];
  readonly integ: readonly number[];
  readonly dh: readonly number[];
  /** ESP only: ESN / NO_ESN (RFC 7296 3.3.2 Transform Type 5). */
  readonly esn: readonly number[];
}

/** A transform substructure's content (RFC 7296 3.3.2, 3.3.5). */
export interface Transform {
  readonly type: number;
  readonly id: number;
  readonly keyLength?: number;
}

type Keyword = { readonly type: number; readonly id: number; readonly keyLength?: number };

const KEYWORDS: ReadonlyMap<string, Keyword> = (() => {
  const m = new Map<string, Keyword>();
  const encr = (id: number, keyLength?: number): Keyword => ({ type: TransformType.ENCR, id, ...(keyLength ? { keyLength } : {}) });
  m.set('aes', encr(EncrId.ENCR_AES_CBC, 128));
  for (const bits of [128, 192, 256]) {
    m.set(`aes${bits}`, encr(EncrId.ENCR_AES_CBC, bits));
    // strongSwan names the ICV in octets (16) or bits (128); "aesNNNgcm" alone is the 16-octet ICV.
    for (const [suffixes, id] of [
      [['8', '64'], EncrId.ENCR_AES_GCM_8],
      [['12', '96'], EncrId.ENCR_AES_GCM_12],
      [['16', '128', ''], EncrId.ENCR_AES_GCM_16],
    ] as const) {
      for (const s of suffixes) m.set(`aes${bits}gcm${s}`, encr(id, bits));
    }
  }
  m.set('chacha20poly1305', encr(EncrId.ENCR_CHACHA20_POLY1305));
  const integ = (id: number): Keyword => ({ type: TransformType.INTEG, id });
  for (const k of ['sha', 'sha1']) m.set(k, integ(IntegId.AUTH_HMAC_SHA1_96));
  for (const k of ['sha256', 'sha2_256']) m.set(k, integ(IntegId.AUTH_HMAC_SHA2_256_128));
  for (const k of ['sha384', 'sha2_384']) m.set(k, integ(IntegId.AUTH_HMAC_SHA2_384_192));
  for (const k of ['sha512', 'sha2_512']) m.set(k, integ(IntegId.AUTH_HMAC_SHA2_512_256));
  const prf = (id: number): Keyword => ({ type: TransformType.PRF, id });
  m.set('prfsha1', prf(PrfId.PRF_HMAC_SHA1));
  m.set('prfsha256', prf(PrfId.PRF_HMAC_SHA2_256));
  m.set('prfsha384', prf(PrfId.PRF_HMAC_SHA2_384));
  m.set('prfsha512', prf(PrfId.PRF_HMAC_SHA2_512));
  const dh = (id: number): Keyword => ({ type: TransformType.DH, id });
  for (const k of ['none', 'modpnone']) m.set(k, dh(DhGroup.NONE));
  m.set('modp1024', dh(DhGroup.MODP_1024));
  m.set('modp2048', dh(DhGroup.MODP_2048));
  m.set('modp3072', dh(DhGroup.MODP_3072));
  m.set('ecp256', dh(DhGroup.ECP_256));
  m.set('ecp384', dh(DhGroup.ECP_384));
  for (const k of ['curve25519', 'x25519']) m.set(k, dh(DhGroup.CURVE25519));
  m.set('esn', { type: TransformType.ESN, id: EsnId.ESN });
  m.set('noesn', { type: TransformType.ESN, id: EsnId.NO_ESN });
  return m;
})();

/** strongSwan's integ_prf_map: the PRF on the same hash as an integrity algorithm. */
const PRF_OF_INTEG: ReadonlyMap<number, number> = new Map([
  [IntegId.AUTH_HMAC_SHA1_96, PrfId.PRF_HMAC_SHA1],
  [IntegId.AUTH_HMAC_SHA2_256_128, PrfId.PRF_HMAC_SHA2_256],
  [IntegId.AUTH_HMAC_SHA2_384_192, PrfId.PRF_HMAC_SHA2_384],
  [IntegId.AUTH_HMAC_SHA2_512_256, PrfId.PRF_HMAC_SHA2_512],
]);

const AEAD: ReadonlySet<number> = new Set([EncrId.ENCR_AES_GCM_8, EncrId.ENCR_AES_GCM_12, EncrId.ENCR_AES_GCM_16, EncrId.ENCR_CHACHA20_POLY1305]);

/** The keywords this parser accepts, for help texts and editors. */
export function proposalKeywords(): readonly string[] {
  return [...KEYWORDS.keys()];
}

function pushUnique(list: number[], id: number): void {
  if (!list.includes(id)) list.push(id);
}

/** Parses one proposal; throws INVALID_ARGUMENT naming the proposal and the offending keyword. */
export function parseProposal(text: string, protocol: ProposalProtocol): Proposal {
  const fail = (why: string): never => {
    throw new WakeLabError('INVALID_ARGUMENT', `${protocol.toUpperCase()} proposal "${text}": ${why}`);
  };
  if (typeof text !== 'string' || text.trim() === '') fail('is empty');
  const encr: EncrTransform[] = [];
  const prf: number[] = [];
  const integ: number[] = [];
  const dh: number[] = [];
  const esn: number[] = [];
  for (const raw of text.split('-')) {
    const word = raw.trim();
    if (word === '') fail('has an empty algorithm keyword (two dashes in a row?)');
    const k = KEYWORDS.get(word) ?? fail(`unknown or unsupported algorithm keyword "${word}"`);
    if (k.type === TransformType.ENCR) {
      if (!encr.some((e) => e.id === k.id && e.keyLength === k.keyLength)) encr.push(k.keyLength ? { id: k.id, keyLength: k.keyLength } : { id: k.id });
    } else if (k.type === TransformType.PRF) pushUnique(prf, k.id);
    else if (k.type === TransformType.INTEG) pushUnique(integ, k.id);
    else if (k.type === TransformType.DH) pushUnique(dh, k.id);
    else if (protocol === 'ike') fail(`"${word}" (extended sequence numbers) applies to ESP only`);
    else pushUnique(esn, k.id);
  }

  if (encr.length === 0) fail('needs an encryption algorithm');
  const aead = encr.filter((e) => AEAD.has(e.id)).length;
  if (aead > 0 && aead < encr.length) fail('mixes AEAD and classic encryption algorithms; give them separate proposals');

  if (protocol === 'ike') {
    if (prf.length === 0) for (const id of integ) pushUnique(prf, PRF_OF_INTEG.get(id)!);
    if (prf.length === 0) fail('needs a PRF (a prf keyword such as prfsha256, or an integrity keyword such as sha256)');
    const groups = dh.filter((g) => g !== DhGroup.NONE);
    dh.splice(0, dh.length, ...groups);
    if (dh.length === 0) fail('needs a Diffie-Hellman group (such as curve25519, ecp256 or modp2048)');
  } else {
    prf.length = 0;
    if (esn.length === 0) esn.push(EsnId.NO_ESN);
  }
  if (aead > 0) integ.length = 0;
  else if (integ.length === 0) fail('needs an integrity algorithm with a classic cipher (such as sha256)');
  return { protocol, encr, prf, integ, dh, esn };
}

/** Parses a list of proposals (swanctl's comma-separated form or an array). */
export function parseProposals(list: string | readonly string[], protocol: ProposalProtocol): Proposal[] {
  const items = typeof list === 'string' ? list.split(',') : list;
  return items.map((p) => parseProposal(p.trim(), protocol));
}

/** The proposal's transforms in the order RFC 7296 3.3 lists the types (ENCR, PRF, INTEG, D-H, ESN). */
export function proposalTransforms(p: Proposal): Transform[] {
  return [
    ...p.encr.map((e) => ({ type: TransformType.ENCR, ...e })),
    ...p.prf.map((id) => ({ type: TransformType.PRF, id })),
    ...p.integ.map((id) => ({ type: TransformType.INTEG, id })),
    ...p.dh.map((id) => ({ type: TransformType.DH, id })),
    ...p.esn.map((id) => ({ type: TransformType.ESN, id })),
  ];
}
