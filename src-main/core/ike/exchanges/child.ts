/**
 * Making a CHILD_SA as the responder, for IKE_AUTH (RFC 7296 1.2) and CREATE_CHILD_SA (1.3.1):
 * pick an ESP proposal (2.7), narrow the traffic selectors (2.9), choose our inbound SPI, and
 * derive KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (2.17).
 */
import type { CryptoSuite } from '../../crypto/suite.ts';
import { parseIpv4 } from '../../net/ipv4.ts';
import { EsnId, NotifyError, PayloadType as T, ProtocolId } from '../constants.ts';
import { ChildSa } from '../child-sa.ts';
import type { IkeSa } from '../ike-sa.ts';
import { deriveChildSaKeys } from '../keymat.ts';
import type { IkePolicy } from '../policy.ts';
import { selectProposal } from '../select.ts';
import { narrow, narrowForRoadWarrior, parseSelectorText, selectorText, type NarrowedTs } from '../traffic-selectors.ts';
import type { TrafficSelector } from '../wire/ts.ts';
import type { Payload } from '../wire/payloads.ts';
import { first, spiBytes, spiNumber } from './build.ts';

export type ChildResult = { readonly kind: 'child'; readonly child: ChildSa; readonly reply: Payload[] };
export type ChildOutcome = ChildResult | { readonly kind: 'error'; readonly notifyType: number; readonly detail: string };

export interface ChildOptions {
  /** The virtual IP given to the peer (its TSi is narrowed to it), or null. */
  readonly vip: string | null;
  /** CREATE_CHILD_SA: the exchange's own nonces (and new g^ir with PFS); IKE_AUTH uses the IKE SA's. */
  readonly Ni?: Uint8Array;
  readonly Nr?: Uint8Array;
  readonly gir?: Uint8Array;
  /** CREATE_CHILD_SA with a KE: the group the proposal must carry. */
  readonly dhGroup?: number;
  /**
   * A rekey: the old CHILD_SA, whose selectors the new one keeps (2.9.2: "the traffic selectors of
   * the rekeyed SA"), whichever end we are; the request is narrowed to them.
   */
  readonly rekeyOf?: ChildSa;
}

/** A fresh inbound ESP SPI: random, not 0 and not 1..255 (RFC 4303 2.1 reserves them). */
export function newSpi(suite: CryptoSuite, taken: (spi: number) => boolean): number {
  for (;;) {
    const spi = spiNumber(suite.randomBytes(4));
    if (spi > 255 && !taken(spi)) return spi;
  }
}

export function makeChild(suite: CryptoSuite, policy: IkePolicy, sa: IkeSa, payloads: readonly Payload[], now: number, o: ChildOptions): ChildOutcome {
  const sai = first(payloads, T.SA);
  const tsi = first(payloads, T.TSi);
  const tsr = first(payloads, T.TSr);
  if (!sai || !tsi || !tsr) return { kind: 'error', notifyType: NotifyError.INVALID_SYNTAX, detail: 'CHILD_SA request without SA, TSi or TSr' };
  // IKE_AUTH and a CREATE_CHILD_SA without KE carry no key exchange: D-H transforms are not chosen.
  const chosen = selectProposal(sai.proposals, policy.espProposals, 'esp', { skipKe: o.dhGroup === undefined });
  if (!chosen || chosen.proposal.spi.length !== 4) return { kind: 'error', notifyType: NotifyError.NO_PROPOSAL_CHOSEN, detail: 'no acceptable ESP proposal' };
  const t = chosen.transforms;
  if (o.dhGroup !== undefined && t.dh !== o.dhGroup) return { kind: 'error', notifyType: NotifyError.NO_PROPOSAL_CHOSEN, detail: 'the proposal does not carry the KE group' };
  const narrowed = o.rekeyOf ? narrowToOld(tsi.selectors, tsr.selectors, o.rekeyOf) : narrowForRoadWarrior(tsi.selectors, tsr.selectors, o.vip, policy.localTs);
  if (!narrowed) return { kind: 'error', notifyType: NotifyError.TS_UNACCEPTABLE, detail: 'the traffic selectors do not meet our networks' };

  const taken = (spi: number) => sa.children.some((c) => c.spiIn === spi);
  const spiIn = newSpi(suite, taken);
  const spiOut = spiNumber(chosen.proposal.spi);
  const cipher = { encr: t.encr, ...(t.keyLength !== undefined ? { keyLength: t.keyLength } : {}), ...(t.integ ? { integ: t.integ } : {}) };
  const keys = deriveChildSaKeys(suite, sa.transforms.prf, sa.keys.SK_d, cipher, o.Ni ?? sa.Ni, o.Nr ?? sa.Nr, o.gir);
  const child = new ChildSa(
    spiIn,
    spiOut,
    { ...cipher, esn: t.esn === EsnId.ESN, ...(o.gir ? { dh: t.dh } : {}) },
    keys,
    // We answer this exchange, so the KEYMAT's "i" half (2.17) is the peer's outbound direction.
    'responder',
    narrowed.tsr.map(selectorText),
    narrowed.tsi.map(selectorText),
    now,
  );
  const proposal = { ...chosen.proposal, protocolId: ProtocolId.ESP, spi: spiBytes(spiIn) };
  const reply: Payload[] = [
    { type: T.SA, proposals: [proposal] },
    { type: T.TSi, selectors: narrowed.tsi },
    { type: T.TSr, selectors: narrowed.tsr },
  ];
  return { kind: 'child', child, reply };
}

/** The request's selectors cut down to the old CHILD_SA's: TSi is the peer's side, TSr ours. */
function narrowToOld(tsi: readonly TrafficSelector[], tsr: readonly TrafficSelector[], old: ChildSa): NarrowedTs | null {
  const ranges = (texts: readonly string[]) =>
    texts.flatMap((t) => {
      const s = parseSelectorText(t);
      return s && s.kind === 'ipv4' ? [{ start: parseIpv4(s.startAddress)!, end: parseIpv4(s.endAddress)! }] : [];
    });
  const i = narrow(tsi, ranges(old.remoteTs));
  const r = narrow(tsr, ranges(old.localTs));
  return i && r ? { tsi: i, tsr: r } : null;
}
