/**
 * IKE_SA_INIT as the responder (RFC 7296 1.2):
 *
 *   HDR, SAi1, KEi, Ni, [N(COOKIE)], N(NAT_DETECTION_*) -->
 *                          <-- HDR, SAr1, KEr, Nr, N(NAT_DETECTION_*)
 *
 * or, without state, one of the unprotected answers of 1.2 and 2.6: N(COOKIE) when too many SAs are
 * half-open (2.6), N(INVALID_KE_PAYLOAD) with the group we want (1.2, 3.10.1), N(NO_PROPOSAL_CHOSEN)
 * (2.7), N(UNSUPPORTED_CRITICAL_PAYLOAD) (2.5). Keys are derived at once (2.14).
 */
import { Writer } from '../../bytes/cursor.ts';
import { equalBytes } from '../../bytes/hex.ts';
import type { CryptoSuite } from '../../crypto/suite.ts';
import { parseIpv4, ipv4Bytes } from '../../net/ipv4.ts';
import { ExchangeType, NotifyError, NotifyStatus, PayloadType as T } from '../constants.ts';
import type { CookieJar } from '../cookie.ts';
import { IkeSa } from '../ike-sa.ts';
import type { Endpoint } from '../io.ts';
import { deriveIkeSaKeys, skeyseed, type IkeSaTransforms } from '../keymat.ts';
import { natDetectionHash } from '../nat-detection.ts';
import type { IkePolicy } from '../policy.ts';
import { selectProposal } from '../select.ts';
import type { IkeHeader } from '../wire/header.ts';
import { encodeMessage } from '../wire/message.ts';
import type { Payload } from '../wire/payloads.ts';
import { findNotify, first, notify, notifiesOf } from './build.ts';

const NONCE_BYTES = 32;

export type InitOutcome =
  | { readonly kind: 'sa'; readonly sa: IkeSa; readonly response: Uint8Array }
  | { readonly kind: 'reply'; readonly response: Uint8Array; readonly why: string }
  | { readonly kind: 'drop'; readonly reason: string; readonly detail: string };

export interface InitContext {
  readonly suite: CryptoSuite;
  readonly policy: IkePolicy;
  readonly cookies: CookieJar;
  readonly halfOpen: number;
  readonly now: number;
  /** Where the request came from and where it arrived. */
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly natt: boolean;
}

function addressBytes(e: Endpoint): Uint8Array {
  return ipv4Bytes(parseIpv4(e.address) ?? 0);
}

/** An unprotected answer to an IKE_SA_INIT request: SPIr zero, only the notify (2.6, 2.21.1). */
function plainReply(h: IkeHeader, payloads: readonly Payload[], nonEspMarker: boolean): Uint8Array {
  return encodeMessage(
    { header: { spiI: h.spiI, spiR: new Uint8Array(8), exchangeType: ExchangeType.IKE_SA_INIT, initiator: false, response: true, messageId: 0 }, payloads },
    { nonEspMarker },
  );
}

export function respondSaInit(ctx: InitContext, h: IkeHeader, payloads: readonly Payload[], requestBytes: Uint8Array): InitOutcome {
  const { suite, policy } = ctx;
  const sa = first(payloads, T.SA);
  const ke = first(payloads, T.KE);
  const nonce = first(payloads, T.Nonce);
  if (!sa || !ke || !nonce) return { kind: 'drop', reason: 'missing-payload', detail: 'IKE_SA_INIT request without SA, KE or Ni' };

  // 2.6: above the threshold of half-open SAs, only a request that returns our cookie gets state.
  if (ctx.halfOpen >= policy.cookieThreshold) {
    const cookie = findNotify(payloads, NotifyStatus.COOKIE);
    if (!cookie || !ctx.cookies.check(cookie.data, nonce.data, addressBytes(ctx.from), h.spiI)) {
      const data = ctx.cookies.make(nonce.data, addressBytes(ctx.from), h.spiI);
      return { kind: 'reply', response: plainReply(h, [notify(NotifyStatus.COOKIE, data)], ctx.natt), why: 'COOKIE' };
    }
  }

  const chosen = selectProposal(sa.proposals, policy.ikeProposals, 'ike');
  if (!chosen) return { kind: 'reply', response: plainReply(h, [notify(NotifyError.NO_PROPOSAL_CHOSEN)], ctx.natt), why: 'NO_PROPOSAL_CHOSEN' };
  const t = chosen.transforms;
  if (t.prf === undefined || t.dh === undefined) return { kind: 'reply', response: plainReply(h, [notify(NotifyError.NO_PROPOSAL_CHOSEN)], ctx.natt), why: 'NO_PROPOSAL_CHOSEN' };
  // 1.2: a KE for another group than the one we select: tell the initiator which one we want.
  if (ke.group !== t.dh) {
    const want = new Writer(2).u16(t.dh).finish();
    return { kind: 'reply', response: plainReply(h, [notify(NotifyError.INVALID_KE_PAYLOAD, want)], ctx.natt), why: `INVALID_KE_PAYLOAD (want group ${t.dh})` };
  }
  const dh = suite.dh(t.dh);
  const gir = dh.computeShared(ke.data);
  if (!gir) return { kind: 'drop', reason: 'bad-ke', detail: `KEi is not a valid group ${ke.group} public value` };

  const spiR = suite.randomBytes(8);
  const Nr = suite.randomBytes(NONCE_BYTES);
  const transforms: IkeSaTransforms = { encr: t.encr, ...(t.keyLength !== undefined ? { keyLength: t.keyLength } : {}), ...(t.integ ? { integ: t.integ } : {}), prf: t.prf };
  const keys = deriveIkeSaKeys(suite, transforms, skeyseed(suite, t.prf, nonce.data, Nr, gir), nonce.data, Nr, h.spiI, spiR);

  // 2.23: NAT_DETECTION_SOURCE_IP is the sender's (the initiator's) address and port as it sent
  // them; if it does not hash to what we see, the initiator is behind a NAT. DESTINATION_IP is
  // our address as the initiator addressed it; a mismatch means we are behind a NAT.
  const srcHash = natDetectionHash(suite, h.spiI, h.spiR, addressBytes(ctx.from), ctx.from.port);
  const dstHash = natDetectionHash(suite, h.spiI, h.spiR, addressBytes(ctx.to), ctx.to.port);
  const natSrc = notifiesOf(payloads).filter((n) => n.notifyType === NotifyStatus.NAT_DETECTION_SOURCE_IP);
  const natDst = findNotify(payloads, NotifyStatus.NAT_DETECTION_DESTINATION_IP);
  const peerBehindNat = natSrc.length > 0 && !natSrc.some((n) => equalBytes(n.data, srcHash));
  const selfBehindNat = natDst !== undefined && !equalBytes(natDst.data, dstHash);

  const response: Payload[] = [
    { type: T.SA, proposals: [chosen.proposal] },
    { type: T.KE, group: dh.group, data: dh.publicValue },
    { type: T.Nonce, data: Nr },
  ];
  if (natSrc.length > 0 || natDst) {
    // Our answer carries the same two hashes, computed from the response's point of view.
    response.push(notify(NotifyStatus.NAT_DETECTION_SOURCE_IP, natDetectionHash(suite, h.spiI, spiR, addressBytes(ctx.to), ctx.to.port)));
    response.push(notify(NotifyStatus.NAT_DETECTION_DESTINATION_IP, natDetectionHash(suite, h.spiI, spiR, addressBytes(ctx.from), ctx.from.port)));
  }
  const bytes = encodeMessage(
    { header: { spiI: h.spiI, spiR, exchangeType: ExchangeType.IKE_SA_INIT, initiator: false, response: true, messageId: 0 }, payloads: response },
    { nonEspMarker: ctx.natt },
  );
  const ikeSa = new IkeSa({
    role: 'responder',
    spiI: h.spiI.slice(),
    spiR,
    transforms,
    keys,
    Ni: nonce.data.slice(),
    Nr,
    initRequest: requestBytes.slice(),
    initResponse: ctx.natt ? bytes.subarray(4) : bytes,
    local: ctx.to,
    peer: ctx.from,
    natt: ctx.natt,
    now: ctx.now,
  });
  ikeSa.peerBehindNat = peerBehindNat;
  ikeSa.selfBehindNat = selfBehindNat;
  return { kind: 'sa', sa: ikeSa, response: bytes };
}

