/**
 * IKE_AUTH as the initiator, with a pre-shared key (RFC 7296 1.2, 2.15), asking for a virtual IP
 * (3.15) and one CHILD_SA:
 *
 *   HDR, SK {IDi, [IDr,] AUTH, CP(CFG_REQUEST), N(INITIAL_CONTACT), SAi2, TSi, TSr} -->
 *                      <-- HDR, SK {IDr, AUTH, CP(CFG_REPLY), SAr2, TSi, TSr}
 */
import { Writer } from '../../bytes/cursor.ts';
import { constantTimeEqual } from '../../bytes/hex.ts';
import type { CryptoSuite } from '../../crypto/suite.ts';
import { formatIpv4, ipv4FromBytes } from '../../net/ipv4.ts';
import { AuthMethod, CfgAttr, CfgType, EsnId, NotifyStatus, PayloadType as T, ProtocolId } from '../constants.ts';
import { ChildSa } from '../child-sa.ts';
import type { IkeSa } from '../ike-sa.ts';
import { deriveChildSaKeys, macedId, pskAuth, signedOctets } from '../keymat.ts';
import { proposalTransforms, type Proposal } from '../proposal-syntax.ts';
import { acceptedTransforms } from '../select.ts';
import { selectorText } from '../traffic-selectors.ts';
import { encodeId, type Identification } from '../wire/id.ts';
import type { Payload } from '../wire/payloads.ts';
import type { Proposal as WireProposal } from '../wire/sa.ts';
import type { TrafficSelector } from '../wire/ts.ts';
import { errorNotify, first, notify, spiBytes, spiNumber } from './build.ts';
import { newSpi } from './child.ts';

export interface AuthRequestInput {
  readonly localId: Identification;
  readonly remoteId?: Identification;
  readonly psk: Uint8Array;
  readonly espProposals: readonly Proposal[];
  readonly requestVip: boolean;
  /** What we want to reach (TSr); TSi is any address, narrowed by the responder to our virtual IP. */
  readonly remoteTs: readonly TrafficSelector[];
  /** Offer MOBIKE (RFC 4555 3.3: N(MOBIKE_SUPPORTED) in IKE_AUTH). */
  readonly mobike?: boolean;
}

function idBody(id: Identification): Uint8Array {
  const w = new Writer(64);
  encodeId(w, id);
  return w.finish();
}

const ANY: TrafficSelector = { kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '0.0.0.0', endAddress: '255.255.255.255' };

/** Our ESP proposals as SA payload proposals, numbered from 1, all with our inbound SPI. */
export function wireProposals(list: readonly Proposal[], protocolId: number, spi: Uint8Array): WireProposal[] {
  return list.map((p, i) => ({
    number: i + 1,
    protocolId,
    spi,
    transforms: proposalTransforms(p).map((t) => ({ type: t.type, id: t.id, attributes: t.keyLength ? [{ type: 14, value: t.keyLength }] : [] })),
  }));
}

export function buildAuthRequest(suite: CryptoSuite, sa: IkeSa, input: AuthRequestInput): { payloads: Payload[]; spiIn: number } {
  const prf = sa.transforms.prf;
  const auth = pskAuth(suite, prf, input.psk, signedOctets(sa.initRequest, sa.Nr, macedId(suite, prf, sa.keys.SK_pi, idBody(input.localId))));
  const spiIn = newSpi(suite, () => false);
  const payloads: Payload[] = [
    { type: T.IDi, ...input.localId },
    ...(input.remoteId ? [{ type: T.IDr, ...input.remoteId } as Payload] : []),
    { type: T.AUTH, method: AuthMethod.SHARED_KEY_MIC, data: auth },
    ...(input.requestVip ? [{ type: T.CP, cfgType: CfgType.CFG_REQUEST, attributes: [{ type: CfgAttr.INTERNAL_IP4_ADDRESS, value: new Uint8Array(0) }] } as Payload] : []),
    notify(NotifyStatus.INITIAL_CONTACT),
    ...(input.mobike ? [notify(NotifyStatus.MOBIKE_SUPPORTED)] : []),
    // RFC 6311 4: we answer a gateway's message ID synchronisation (charon says the same).
    notify(NotifyStatus.IKEV2_MESSAGE_ID_SYNC_SUPPORTED),
    { type: T.SA, proposals: wireProposals(input.espProposals, ProtocolId.ESP, spiBytes(spiIn)) },
    { type: T.TSi, selectors: [ANY] },
    { type: T.TSr, selectors: input.remoteTs },
  ];
  return { payloads, spiIn };
}

export type AuthResult =
  | { readonly ok: true; readonly peerId: Identification; readonly vip: string | null; readonly child: ChildSa | null; readonly childError: number | null }
  | { readonly ok: false; readonly detail: string };

export function processAuthResponse(suite: CryptoSuite, sa: IkeSa, input: AuthRequestInput, spiIn: number, payloads: readonly Payload[], bodies: readonly Uint8Array[], now: number): AuthResult {
  const idrIndex = payloads.findIndex((p) => p.type === T.IDr);
  const idr = payloads[idrIndex];
  const auth = first(payloads, T.AUTH);
  if (!idr || idr.type !== T.IDr || !auth) return { ok: false, detail: `IKE_AUTH failed: ${describe(errorNotify(payloads)?.notifyType)}` };
  const prf = sa.transforms.prf;
  const expected = pskAuth(suite, prf, input.psk, signedOctets(sa.initResponse, sa.Ni, macedId(suite, prf, sa.keys.SK_pr, bodies[idrIndex]!)));
  if (auth.method !== AuthMethod.SHARED_KEY_MIC || !constantTimeEqual(expected, auth.data)) return { ok: false, detail: 'the responder AUTH does not match the pre-shared key' };
  const cp = first(payloads, T.CP);
  const addr = cp?.attributes.find((a) => a.type === CfgAttr.INTERNAL_IP4_ADDRESS && a.value.length === 4);
  const vip = addr ? formatIpv4(ipv4FromBytes(addr.value)) : null;
  const sar = first(payloads, T.SA);
  const tsi = first(payloads, T.TSi);
  const tsr = first(payloads, T.TSr);
  if (!sar || !tsi || !tsr) return { ok: true, peerId: idr, vip, child: null, childError: errorNotify(payloads)?.notifyType ?? null };
  const p = sar.proposals[0];
  const t = acceptedTransforms(p, false);
  if (!p || !t || p.spi.length !== 4) return { ok: false, detail: 'the responder accepted an ESP proposal without ENCR or a 4-octet SPI' };
  const cipher = { encr: t.encr, ...(t.keyLength !== undefined ? { keyLength: t.keyLength } : {}), ...(t.integ ? { integ: t.integ } : {}) };
  const keys = deriveChildSaKeys(suite, prf, sa.keys.SK_d, cipher, sa.Ni, sa.Nr);
  const child = new ChildSa(spiIn, spiNumber(p.spi), { ...cipher, esn: t.esn === EsnId.ESN }, keys, 'initiator', tsi.selectors.map(selectorText), tsr.selectors.map(selectorText), now);
  return { ok: true, peerId: idr, vip, child, childError: null };
}

function describe(n: number | undefined): string {
  return n === undefined ? 'no IDr/AUTH in the response' : `the responder sent error notify ${n}`;
}
