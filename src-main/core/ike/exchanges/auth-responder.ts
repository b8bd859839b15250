/**
 * IKE_AUTH as the responder, with pre-shared keys (RFC 7296 1.2, 2.15) and one CHILD_SA:
 *
 *   HDR, SK {IDi, [IDr,] AUTH, [CP(CFG_REQUEST),] [N(INITIAL_CONTACT),] SAi2, TSi, TSr} -->
 *                       <-- HDR, SK {IDr, AUTH, [CP(CFG_REPLY),] SAr2, TSi, TSr}
 *
 * A wrong key gets N(AUTHENTICATION_FAILED) and the SA is gone (2.21.2). If the IKE SA is fine but
 * the CHILD_SA cannot be made, the answer carries the error notify instead of SAr2/TSi/TSr and the
 * IKE SA stays up (2.21.3): NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE, INTERNAL_ADDRESS_FAILURE.
 */
import { Writer } from '../../bytes/cursor.ts';
import { constantTimeEqual } from '../../bytes/hex.ts';
import type { CryptoSuite } from '../../crypto/suite.ts';
import { formatIpv4, ipv4Bytes } from '../../net/ipv4.ts';
import { AuthMethod, CfgAttr, CfgType, NotifyError, NotifyStatus, PayloadType as T } from '../constants.ts';
import type { IkeSa } from '../ike-sa.ts';
import { macedId, pskAuth, signedOctets } from '../keymat.ts';
import { identityText, pskFor, type IkePolicy } from '../policy.ts';
import { encodeId, type Identification } from '../wire/id.ts';
import type { Payload } from '../wire/payloads.ts';
import { findNotify, first, notify } from './build.ts';
import { makeChild, type ChildResult } from './child.ts';

export type AuthOutcome =
  | { readonly kind: 'ok'; readonly reply: Payload[]; readonly child: ChildResult | null; readonly initialContact: boolean }
  | { readonly kind: 'failed'; readonly reply: Payload[]; readonly detail: string };

function idBody(id: Identification): Uint8Array {
  const w = new Writer(64);
  encodeId(w, id);
  return w.finish();
}

export function respondAuth(
  suite: CryptoSuite,
  policy: IkePolicy,
  sa: IkeSa,
  payloads: readonly Payload[],
  bodies: readonly Uint8Array[],
  now: number,
  /** Called once the peer's AUTH verified, before anything is leased to it. */
  onAuthenticated: (peerId: string, initialContact: boolean) => void = () => {},
): AuthOutcome {
  const failed = (detail: string): AuthOutcome => ({ kind: 'failed', reply: [notify(NotifyError.AUTHENTICATION_FAILED)], detail });
  const idiIndex = payloads.findIndex((p) => p.type === T.IDi);
  const idi = payloads[idiIndex];
  const auth = first(payloads, T.AUTH);
  if (!idi || idi.type !== T.IDi || !auth) return failed('IKE_AUTH request without IDi or AUTH (EAP is not supported)');
  const peerId = identityText(idi);
  const psk = pskFor(policy.secrets, peerId);
  if (!psk) return failed(`no pre-shared key for the identity "${peerId}"`);
  if (auth.method !== AuthMethod.SHARED_KEY_MIC) return failed(`AUTH method ${auth.method} is not SHARED_KEY_MIC (only PSK is supported)`);
  const idr = first(payloads, T.IDr);
  if (idr && identityText(idr) !== identityText(policy.localId)) return failed(`the initiator wants to talk to "${identityText(idr)}", we are "${identityText(policy.localId)}"`);

  // 2.15: the initiator signed its IKE_SA_INIT request, Nr and prf(SK_pi, IDi').
  const prf = sa.transforms.prf;
  const expected = pskAuth(suite, prf, psk, signedOctets(sa.initRequest, sa.Nr, macedId(suite, prf, sa.keys.SK_pi, bodies[idiIndex]!)));
  if (!constantTimeEqual(expected, auth.data)) return failed(`AUTH from "${peerId}" does not match its pre-shared key`);
  sa.peerId = peerId;
  const initialContact = findNotify(payloads, NotifyStatus.INITIAL_CONTACT) !== undefined;
  onAuthenticated(peerId, initialContact);

  // Our half: the IKE_SA_INIT response, Ni and prf(SK_pr, IDr').
  const ourId = policy.localId;
  const ourAuth = pskAuth(suite, prf, psk, signedOctets(sa.initResponse, sa.Ni, macedId(suite, prf, sa.keys.SK_pr, idBody(ourId))));
  const reply: Payload[] = [
    { type: T.IDr, ...ourId },
    { type: T.AUTH, method: AuthMethod.SHARED_KEY_MIC, data: ourAuth },
  ];
  // 3.15: a virtual IP for a CFG_REQUEST that asks for INTERNAL_IP4_ADDRESS.
  const cp = first(payloads, T.CP);
  const wantsIp = cp?.cfgType === CfgType.CFG_REQUEST && cp.attributes.some((a) => a.type === CfgAttr.INTERNAL_IP4_ADDRESS);
  let addressFailure = false;
  if (wantsIp) {
    const vip = policy.pool?.lease(peerId) ?? null;
    if (vip === null) addressFailure = true;
    else {
      sa.virtualIp = vip;
      reply.push({ type: T.CP, cfgType: CfgType.CFG_REPLY, attributes: [{ type: CfgAttr.INTERNAL_IP4_ADDRESS, value: ipv4Bytes(vip) }] });
    }
  }

  let child: ChildResult | null = null;
  const sai2 = first(payloads, T.SA);
  if (sai2) {
    if (addressFailure) reply.push(notify(NotifyError.INTERNAL_ADDRESS_FAILURE));
    else {
      const made = makeChild(suite, policy, sa, payloads, now, { vip: sa.virtualIp === null ? null : formatIpv4(sa.virtualIp) });
      if (made.kind === 'error') reply.push(notify(made.notifyType));
      else {
        child = made;
        reply.push(...made.reply);
      }
    }
  }
  // Status notifies last, as charon puts them. RFC 4555 3.3: MOBIKE is in use when both ends say
  // MOBIKE_SUPPORTED in IKE_AUTH. RFC 6311 4: we take part in message ID synchronisation (as the
  // side that restarts from a snapshot).
  if (policy.mobike && findNotify(payloads, NotifyStatus.MOBIKE_SUPPORTED)) {
    sa.mobike = true;
    reply.push(notify(NotifyStatus.MOBIKE_SUPPORTED));
  }
  if (findNotify(payloads, NotifyStatus.IKEV2_MESSAGE_ID_SYNC_SUPPORTED)) {
    sa.msgIdSync = true;
    reply.push(notify(NotifyStatus.IKEV2_MESSAGE_ID_SYNC_SUPPORTED));
  }
  return { kind: 'ok', reply, child, initialContact };
}
