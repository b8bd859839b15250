/**
 * Proposal selection by the responder, RFC 7296 2.7 and 3.3.6 (3.3.3 lists the transform types of
 * each protocol): choose one offered proposal and, within it, exactly one transform of each type.
 *
 * Order follows strongSwan's responder with its default `charon.prefer_configured_proposals = yes`:
 * walk the *configured* proposals in order, and take the first that matches any offered proposal;
 * within a transform type the configured order wins too (src/libstrongswan/crypto/proposal/
 * proposal.c: select_proposal without PROPOSAL_PREFER_SUPPLIED, and select_algo, "order of algs
 * in e1 is preferred"; sa/ikev2/tasks/ike_init.c and child_create.c set that flag only when the
 * option is off). So a peer whose KE is for another group than the one chosen is sent
 * INVALID_KE_PAYLOAD even if it also offered ours (ike_init.c then asks for the selected group).
 *
 * Per transform type, as strongSwan's select_algos matches them:
 * - a transform matches on Transform ID and Key Length attribute (3.3.5) alike;
 * - an AEAD cipher makes INTEG moot: none is chosen, and whatever the peer put there is ignored
 *   (RFC 5282 8 says it sends none, or NONE);
 * - D-H is mandatory for IKE. For ESP it is optional: a side that lists no D-H transform matches
 *   the other only if that one lists NONE (0). `skipKe` ignores D-H altogether, as for the CHILD_SA
 *   of IKE_AUTH, which has no KE (1.2; strongSwan's PROPOSAL_SKIP_KE);
 * - ESN is mandatory for ESP; NO_ESN (0) is a value like any other.
 * And as 3.3.6 demands: a proposal with a transform type its protocol does not have (3.3.3) is
 * unacceptable; a transform with any attribute but one TV Key Length is never chosen, while other
 * transforms of its type still are.
 */
import { encrInfo } from '../crypto/algorithms.ts';
import { ProtocolId, TransformAttr, TransformType } from './constants.ts';
import type { Proposal as ConfiguredProposal, ProposalProtocol } from './proposal-syntax.ts';
import { keyLength, type Proposal as OfferedProposal, type Transform } from './wire/sa.ts';

const { ENCR, PRF, INTEG, DH, ESN } = TransformType;

export interface SelectedTransforms {
  readonly encr: number;
  /** Key Length attribute (bits), when the ENCR transform carries one. */
  readonly keyLength?: number;
  readonly integ?: number;
  readonly prf?: number;
  /** Absent for ESP without PFS (or with `skipKe`). */
  readonly dh?: number;
  /** ESP only: ESN (1) or NO_ESN (0). */
  readonly esn?: number;
}

export interface Selection {
  /**
   * For the response's SA payload: the peer's Proposal Num and Protocol ID, and one transform of
   * each type exactly as the peer sent it (attributes unmodified, 3.3.6). `spi` is still the
   * peer's SPI as offered: the caller puts its own there before sending.
   */
  readonly proposal: OfferedProposal;
  readonly transforms: SelectedTransforms;
  /** The SPI the peer offered: empty in IKE_SA_INIT, 8 octets for an IKE SA rekey, 4 for ESP. */
  readonly peerSpi: Uint8Array;
  /** Index of the configured proposal that matched. */
  readonly configured: number;
}

export interface SelectOptions {
  /** Ignore D-H transforms on both sides (the CHILD_SA created by IKE_AUTH, RFC 7296 1.2). */
  readonly skipKe?: boolean;
}

const PROTOCOL_ID: Readonly<Record<ProposalProtocol, number>> = { ike: ProtocolId.IKE, esp: ProtocolId.ESP };

/** RFC 7296 3.3.3, in the order 3.3.2 numbers them (ENCR before INTEG: AEAD decides INTEG). */
const TYPES: Readonly<Record<ProposalProtocol, readonly number[]>> = { ike: [ENCR, PRF, INTEG, DH], esp: [ENCR, INTEG, DH, ESN] };

interface Choice {
  readonly id: number;
  readonly keyLength?: number;
}

function ours(p: ConfiguredProposal, type: number): readonly Choice[] {
  const ids = (list: readonly number[]) => list.map((id) => ({ id }));
  switch (type) {
    case ENCR: return p.encr;
    case PRF: return ids(p.prf);
    case INTEG: return ids(p.integ);
    case DH: return ids(p.dh);
    default: return ids(p.esn);
  }
}

/** 3.3.6: the only attribute understood is one Key Length in TV format. */
function understood(t: Transform): boolean {
  return t.attributes.length <= 1 && t.attributes.every((a) => a.type === TransformAttr.KEY_LENGTH && typeof a.value === 'number');
}

/**
 * strongSwan's select_algo for one type: the first of ours the peer also offers. 'none' when the
 * type ends up unused (both sides list nothing, or an optional type with NONE on the other side).
 */
function pick(mine: readonly Choice[], theirs: readonly Transform[], optional: boolean): Transform | 'none' | null {
  if (mine.length === 0 && theirs.length === 0) return 'none';
  if (mine.length === 0 || theirs.length === 0) {
    const listed = mine.length === 0 ? theirs.map((t) => t.id) : mine.map((c) => c.id);
    return optional && listed.includes(0) ? 'none' : null;
  }
  for (const c of mine) {
    const t = theirs.find((x) => x.id === c.id && keyLength(x) === c.keyLength);
    if (t) return t;
  }
  return null;
}

function match(conf: ConfiguredProposal, offer: OfferedProposal, protocol: ProposalProtocol, opts: SelectOptions): Omit<Selection, 'configured'> | null {
  if (offer.protocolId !== PROTOCOL_ID[protocol]) return null;
  const types = TYPES[protocol];
  if (offer.transforms.some((t) => !types.includes(t.type))) return null;
  const usable = offer.transforms.filter(understood);
  const chosen: Transform[] = [];
  const picked: Partial<Record<number, Transform>> = {};
  for (const type of types) {
    if (type === INTEG && picked[ENCR] && encrInfo(picked[ENCR].id).aead) continue;
    if (type === DH && opts.skipKe) continue;
    const t = pick(ours(conf, type), usable.filter((x) => x.type === type), type === DH && protocol === 'esp');
    if (t === null) return null;
    // 0 is NONE for INTEG and D-H (not sent back), but a real value (NO_ESN) for ESN.
    if (t === 'none' || (t.id === 0 && type !== ESN)) continue;
    chosen.push(t);
    picked[type] = t;
  }
  const encr = picked[ENCR];
  if (!encr) return null;
  const transforms: SelectedTransforms = {
    encr: encr.id,
    ...(keyLength(encr) !== undefined ? { keyLength: keyLength(encr) } : {}),
    ...(picked[INTEG] ? { integ: picked[INTEG].id } : {}),
    ...(picked[PRF] ? { prf: picked[PRF].id } : {}),
    ...(picked[DH] ? { dh: picked[DH].id } : {}),
    ...(picked[ESN] ? { esn: picked[ESN].id } : {}),
  };
  return { proposal: { number: offer.number, protocolId: offer.protocolId, spi: offer.spi, transforms: chosen }, transforms, peerSpi: offer.spi };
}

/** The proposal to accept (our configured order first), or null: answer NO_PROPOSAL_CHOSEN. */
export function selectProposal(
  offered: readonly OfferedProposal[],
  configured: readonly ConfiguredProposal[],
  protocol: ProposalProtocol,
  opts: SelectOptions = {},
): Selection | null {
  for (const [i, conf] of configured.entries()) {
    if (conf.protocol !== protocol) continue;
    for (const offer of offered) {
      const m = match(conf, offer, protocol, opts);
      if (m) return { ...m, configured: i };
    }
  }
  return null;
}

/**
 * Whether the KE payload's group (undefined: no KE) fits the selection (RFC 7296 1.2, 1.3). With
 * no D-H group selected (ESP without PFS) a KE is ignored, as strongSwan does ("ignoring KE
 * payload, agreed on a non-PFS proposal", child_create.c).
 */
export function acceptableDhGroup(selected: Selection, keGroup: number | undefined): boolean {
  return selected.transforms.dh === undefined || selected.transforms.dh === keGroup;
}

/** The group to ask for in INVALID_KE_PAYLOAD: the selected proposal's (RFC 7296 1.2, 3.10.1). */
export function invalidKeGroup(selected: Selection): number | undefined {
  return selected.transforms.dh;
}

/** INVALID_KE_PAYLOAD's Notification Data: the accepted group, two octets big-endian (3.10.1). */
export function invalidKeData(group: number): Uint8Array {
  return Uint8Array.of((group >>> 8) & 0xff, group & 0xff);
}

/**
 * The transforms of the single proposal the peer accepted (its SA payload in a response, RFC 7296
 * 3.3.6: one transform of each type), or null when it carries no ENCR transform, or no PRF where
 * `needPrf` (an IKE SA). Network input: never throws.
 */
export function acceptedTransforms(p: OfferedProposal | undefined, needPrf: boolean): SelectedTransforms | null {
  const get = (type: number) => p?.transforms.find((t) => t.type === type);
  const encr = get(ENCR);
  const prf = get(PRF)?.id;
  if (!encr || (needPrf && prf === undefined)) return null;
  const bits = keyLength(encr);
  const integ = get(INTEG)?.id;
  const dh = get(DH)?.id;
  const esn = get(ESN)?.id;
  return {
    encr: encr.id,
    ...(bits !== undefined ? { keyLength: bits } : {}),
    ...(integ ? { integ } : {}),
    ...(prf !== undefined ? { prf } : {}),
    ...(dh !== undefined ? { dh } : {}),
    ...(esn !== undefined ? { esn } : {}),
  };
}
