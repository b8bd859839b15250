/**
 * CREATE_CHILD_SA requests from the peer (RFC 7296 1.3):
 *
 *   rekey a CHILD_SA (1.3.3):  HDR, SK {N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr} -->
 *                                          <-- HDR, SK {SA, Nr, [KEr,] TSi, TSr}
 *   a new CHILD_SA (1.3.1):     the same without N(REKEY_SA)
 *   rekey the IKE SA (1.3.2):   HDR, SK {SA, Ni, KEi} -->  <-- HDR, SK {SA, Nr, KEr}
 *
 * A rekeyed CHILD_SA lives until the peer deletes the old one (2.8); a rekeyed IKE SA hands its
 * CHILD_SAs to the new one and waits for the peer's Delete (2.18). New SAs get their own nonces and,
 * with a KE, a new g^ir (2.17, 2.18).
 *
 * Exchange collisions (2.25): a rekey of an SA we are closing, a CHILD_SA rekey while we rekey the
 * IKE SA, and an IKE SA rekey while a CHILD_SA of ours is being rekeyed or closed, are refused with
 * TEMPORARY_FAILURE. A rekey of an SA we are rekeying ourselves is answered as usual and recorded
 * on the old SA; our own response then settles which new SA is redundant (2.8.1, 2.8.2).
 */
import { Writer } from '../../bytes/cursor.ts';
import { formatIpv4 } from '../../net/ipv4.ts';
import { NotifyError, NotifyStatus, PayloadType as T, ProtocolId } from '../constants.ts';
import { IkeSa } from '../ike-sa.ts';
import { deriveIkeSaKeys, rekeySkeyseed, type IkeSaTransforms } from '../keymat.ts';
import { selectProposal } from '../select.ts';
import type { Payload } from '../wire/payloads.ts';
import { findNotify, first, notify, spiNumber } from './build.ts';
import { makeChild } from './child.ts';
import type { Env } from './env.ts';
import { adopt, childUp, handOver } from './lifecycle.ts';

const NONCE_BYTES = 32;

export interface CreateChildAnswer {
  readonly reply: Payload[];
  /** State changes once the answer is on its way. */
  readonly after: () => void;
}

const nothing = (): void => {};
const temporaryFailure = (): CreateChildAnswer => ({ reply: [notify(NotifyError.TEMPORARY_FAILURE)], after: nothing });

export function respondCreateChild(env: Env, sa: IkeSa, payloads: readonly Payload[], now: number): CreateChildAnswer {
  const saPayload = first(payloads, T.SA);
  const ni = first(payloads, T.Nonce);
  if (!saPayload || !ni) return { reply: [notify(NotifyError.INVALID_SYNTAX)], after: nothing };
  const isIke = saPayload.proposals.some((p) => p.protocolId === ProtocolId.IKE);
  return isIke ? rekeyIke(env, sa, payloads, now) : newChild(env, sa, payloads, now);
}

function keyExchange(env: Env, payloads: readonly Payload[]): { gir?: Uint8Array; reply?: Payload; group?: number } | null {
  const ke = first(payloads, T.KE);
  if (!ke) return {};
  const dh = env.suite.dh(ke.group);
  const gir = dh.computeShared(ke.data);
  if (!gir) return null;
  return { gir, reply: { type: T.KE, group: dh.group, data: dh.publicValue }, group: ke.group };
}

function newChild(env: Env, sa: IkeSa, payloads: readonly Payload[], now: number): CreateChildAnswer {
  const rekey = findNotify(payloads, NotifyStatus.REKEY_SA);
  const old = rekey ? sa.children.find((c) => c.spiOut === spiNumber(rekey.spi) || c.spiIn === spiNumber(rekey.spi)) : undefined;
  if (rekey && !old) return { reply: [notify(NotifyError.CHILD_SA_NOT_FOUND, new Uint8Array(0), ProtocolId.ESP, rekey.spi)], after: nothing };
  // 2.25.1: not while we close that CHILD_SA (or already replaced it); 2.25.2: nor while we rekey the IKE SA.
  if (old && (old.rekeyed || old.closing)) return temporaryFailure();
  if (sa.rekeying || sa.collision) return temporaryFailure();
  const kx = keyExchange(env, payloads);
  if (!kx) return { reply: [notify(NotifyError.INVALID_SYNTAX)], after: nothing };
  const Nr = env.suite.randomBytes(NONCE_BYTES);
  const vip = sa.virtualIp === null ? null : formatIpv4(sa.virtualIp);
  const made = makeChild(env.suite, env.policy, sa, payloads, now, { vip, Ni: first(payloads, T.Nonce)!.data, Nr, ...(kx.gir ? { gir: kx.gir, dhGroup: kx.group } : {}), ...(old ? { rekeyOf: old } : {}) });
  if (made.kind === 'error') return { reply: [notify(made.notifyType)], after: nothing };
  const [saR, tsi, tsr] = made.reply;
  const reply: Payload[] = [saR!, { type: T.Nonce, data: Nr }, ...(kx.reply ? [kx.reply] : []), tsi!, tsr!];
  return {
    reply,
    after: () => {
      if (old) {
        // 2.8.1: our own rekey of it is in flight; its response decides which new SA goes.
        if (old.rekeying) old.collision = { child: made.child, nonces: [first(payloads, T.Nonce)!.data, Nr] };
        old.rekeyed = true;
      }
      childUp(env, sa, made.child, old ? old.spiIn : null, now);
    },
  };
}

function rekeyIke(env: Env, sa: IkeSa, payloads: readonly Payload[], now: number): CreateChildAnswer {
  // 2.25.2: not while a CHILD_SA of it is being rekeyed or closed by us, nor twice at once.
  if (sa.collision || sa.children.some((c) => c.rekeying || c.closing)) return temporaryFailure();
  const chosen = selectProposal(first(payloads, T.SA)!.proposals, env.policy.ikeProposals, 'ike');
  const ke = first(payloads, T.KE);
  if (!chosen || chosen.transforms.prf === undefined || chosen.transforms.dh === undefined || chosen.proposal.spi.length !== 8) {
    return { reply: [notify(NotifyError.NO_PROPOSAL_CHOSEN)], after: nothing };
  }
  if (!ke || ke.group !== chosen.transforms.dh) {
    return { reply: [notify(NotifyError.INVALID_KE_PAYLOAD, new Writer(2).u16(chosen.transforms.dh).finish())], after: nothing };
  }
  const kx = keyExchange(env, payloads);
  if (!kx?.gir) return { reply: [notify(NotifyError.INVALID_SYNTAX)], after: nothing };
  const t = chosen.transforms;
  const Ni = first(payloads, T.Nonce)!.data;
  const Nr = env.suite.randomBytes(NONCE_BYTES);
  const spiI = chosen.proposal.spi.slice();
  const spiR = env.suite.randomBytes(8);
  const transforms: IkeSaTransforms = { encr: t.encr, ...(t.keyLength !== undefined ? { keyLength: t.keyLength } : {}), ...(t.integ ? { integ: t.integ } : {}), prf: t.prf! };
  // 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old SA's PRF.
  const seed = rekeySkeyseed(env.suite, sa.transforms.prf, sa.keys.SK_d, kx.gir, Ni, Nr);
  const keys = deriveIkeSaKeys(env.suite, transforms, seed, Ni, Nr, spiI, spiR);
  // 2.18: whoever started the rekey is the initiator of the new IKE SA; here that is the peer.
  const next = new IkeSa({ role: 'responder', spiI, spiR, transforms, keys, Ni: Ni.slice(), Nr, initRequest: new Uint8Array(0), initResponse: new Uint8Array(0), local: sa.local, peer: sa.peer, natt: sa.natt, now });
  const proposal = { ...chosen.proposal, spi: spiR };
  return {
    reply: [{ type: T.SA, proposals: [proposal] }, { type: T.Nonce, data: Nr }, kx.reply!],
    after: () => {
      adopt(env, sa, next, now);
      // 2.8.2: our own rekey of this SA is in flight; its response decides which new SA takes over.
      if (sa.rekeying) sa.collision = { next, nonces: [Ni, Nr] };
      else handOver(env, sa, next, now);
    },
  };
}
