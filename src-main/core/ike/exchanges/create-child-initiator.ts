/**
 * CREATE_CHILD_SA as the side that starts it (RFC 7296 1.3), for rekeys we initiate:
 *
 *   rekey a CHILD_SA (1.3.3):  HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} -->  <-- HDR, SK {SA, Nr, TSi, TSr}
 *                              then INFORMATIONAL {D(old)} (2.8)
 *   rekey the IKE SA (1.3.2):  HDR, SK {SA, Ni, KEi} -->  <-- HDR, SK {SA, Nr, KEr}
 *                              then INFORMATIONAL {D(IKE)} on the old SA (2.18)
 *
 * A rekey may carry a new key exchange (KEi/KEr, 1.3.3) when the first proposal names a group.
 * Collisions: when the peer rekeyed the same SA while ours was in flight (recorded by the
 * responder side), the nonces decide which new SA is redundant (2.8.1, 2.8.2; collisions.ts).
 */
import { EsnId, ExchangeType, NotifyError, NotifyStatus, PayloadType as T, ProtocolId } from '../constants.ts';
import { ChildSa } from '../child-sa.ts';
import { IkeSa, uniformFrom } from '../ike-sa.ts';
import { deriveChildSaKeys, deriveIkeSaKeys, rekeySkeyseed } from '../keymat.ts';
import type { Payload } from '../wire/payloads.ts';
import type { TrafficSelector } from '../wire/ts.ts';
import { parseSelectorText } from '../traffic-selectors.ts';
import { acceptedTransforms } from '../select.ts';
import { wireProposals } from './auth-initiator.ts';
import { findNotify, first, notify, spiBytes, spiNumber } from './build.ts';
import { lowestIn } from './collisions.ts';
import { newSpi } from './child.ts';
import type { Env } from './env.ts';
import { adopt, childDown, childUp, destroy, handOver } from './lifecycle.ts';
import { sendRequest } from './requests-out.ts';

const NONCE_BYTES = 32;
/**
 * After a refused rekey (TEMPORARY_FAILURE and the like, 2.25), try again 5..15 s later, at random
 * so that two ends refusing each other's rekeys do not collide again (charon retries the same way,
 * 15 s less up to 10 s of jitter).
 */
function retryAt(env: Env, now: number): number {
  return now + 5 + 10 * uniformFrom(env.suite).next();
}

/** The group the peer asked for with INVALID_KE_PAYLOAD (1.3.2, 3.10.1), if it did. */
function askedGroup(resp: readonly Payload[]): number | undefined {
  const n = findNotify(resp, NotifyError.INVALID_KE_PAYLOAD);
  return n && n.data.length === 2 ? (n.data[0]! << 8) | n.data[1]! : undefined;
}

/** The selectors a CHILD_SA was narrowed to, back in wire form (selectorText's inverse). */
function selectorsOf(texts: readonly string[]): TrafficSelector[] {
  return texts.flatMap((t) => parseSelectorText(t) ?? []);
}

/**
 * Rekeys `old` (a CHILD_SA of `sa`), then deletes it once the new one is up (2.8), with a new key
 * exchange when `group` (or the first ESP proposal) names one.
 */
export function rekeyChild(env: Env, sa: IkeSa, old: ChildSa, now: number, group = env.policy.espProposals[0]?.dh[0]): void {
  old.rekeyAt = Infinity;
  const Ni = env.suite.randomBytes(NONCE_BYTES);
  const dh = group === undefined ? null : env.suite.dh(group);
  const spiIn = newSpi(env.suite, (s) => sa.children.some((c) => c.spiIn === s));
  old.rekeying = { Ni };
  const payloads: Payload[] = [
    notify(NotifyStatus.REKEY_SA, new Uint8Array(0), ProtocolId.ESP, spiBytes(old.spiIn)),
    { type: T.SA, proposals: wireProposals(env.policy.espProposals, ProtocolId.ESP, spiBytes(spiIn)) },
    { type: T.Nonce, data: Ni },
    ...(dh ? [{ type: T.KE, group: dh.group, data: dh.publicValue } as Payload] : []),
    // TSi is the side of whoever starts the exchange: ours (2.9).
    { type: T.TSi, selectors: selectorsOf(old.localTs) },
    { type: T.TSr, selectors: selectorsOf(old.remoteTs) },
  ];
  sendRequest(
    env,
    sa,
    {
      exchange: ExchangeType.CREATE_CHILD_SA,
      payloads,
      retransmit: env.policy.retransmit,
      onResponse: (resp, t) => {
        old.rekeying = null;
        const collision = old.collision;
        old.collision = null;
        // 2.25.1: the peer may have deleted the old SA meanwhile; a new one then simply stays.
        const alive = sa.children.includes(old) && !old.closing;
        const sar = first(resp, T.SA);
        const nr = first(resp, T.Nonce);
        const p = sar?.proposals[0];
        const tr = acceptedTransforms(p, false);
        const ke = first(resp, T.KE);
        const gir = dh && ke ? dh.computeShared(ke.data) : null;
        if (!p || !tr || !nr || p.spi.length !== 4 || (dh !== null && gir === null)) {
          // Refused. In a collision the peer's new SA stands and the peer deletes the old one
          // (2.8.1); otherwise try again, with the group the peer asked for if it did (1.3.3).
          const asked = askedGroup(resp);
          if (!collision && alive && asked !== undefined && asked !== group) return rekeyChild(env, sa, old, t, asked);
          if (!collision && alive) old.rekeyAt = retryAt(env, t);
          return;
        }
        const cipher = { encr: tr.encr, ...(tr.keyLength !== undefined ? { keyLength: tr.keyLength } : {}), ...(tr.integ ? { integ: tr.integ } : {}) };
        // 2.17: KEYMAT from the new nonces (and g^ir with a KE); whoever starts *this exchange* is "i".
        const keys = deriveChildSaKeys(env.suite, sa.transforms.prf, sa.keys.SK_d, cipher, Ni, nr.data, gir ?? undefined);
        const child = new ChildSa(spiIn, spiNumber(p.spi), { ...cipher, esn: tr.esn === EsnId.ESN, ...(dh ? { dh: dh.group } : {}) }, keys, 'initiator', old.localTs, old.remoteTs, t);
        childUp(env, sa, child, old.spiIn, t);
        if (collision && lowestIn([Ni, nr.data], collision.nonces) === 'ours') {
          // 2.8.1: ours holds the lowest nonce, so we close it; the peer started the surviving
          // rekey and deletes the old SA (it may have done so already).
          return deleteChild(env, sa, child, t, 'redundant');
        }
        if (!alive) return;
        old.rekeyed = true;
        deleteChild(env, sa, old, t, 'rekeyed');
      },
      onFailure: () => {
        old.rekeying = null;
      },
    },
    now,
  );
}

/** 1.4.1: Delete of one of our CHILD_SAs (named by our inbound SPI); gone once answered. */
export function deleteChild(env: Env, sa: IkeSa, child: ChildSa, now: number, reason: string): void {
  child.closing = true;
  child.rekeyAt = Infinity;
  sendRequest(
    env,
    sa,
    {
      exchange: ExchangeType.INFORMATIONAL,
      payloads: [{ type: T.D, protocolId: ProtocolId.ESP, spiSize: 4, spis: [spiBytes(child.spiIn)] }],
      retransmit: env.policy.retransmit,
      onResponse: () => childDown(env, sa, child, reason),
      onFailure: () => childDown(env, sa, child, reason),
    },
    now,
  );
}

/** 1.3.2 and 2.18: a new IKE SA from this one; we are its initiator; then the old one is deleted. */
export function rekeyIkeSa(env: Env, sa: IkeSa, now: number, group = env.policy.ikeProposals[0]?.dh[0]): void {
  sa.rekeyAt = Infinity;
  if (group === undefined) return;
  const dh = env.suite.dh(group);
  const Ni = env.suite.randomBytes(NONCE_BYTES);
  const spiI = env.suite.randomBytes(8);
  sa.rekeying = { Ni };
  sendRequest(
    env,
    sa,
    {
      exchange: ExchangeType.CREATE_CHILD_SA,
      payloads: [{ type: T.SA, proposals: wireProposals(env.policy.ikeProposals, ProtocolId.IKE, spiI) }, { type: T.Nonce, data: Ni }, { type: T.KE, group, data: dh.publicValue }],
      retransmit: env.policy.retransmit,
      onResponse: (resp, t) => {
        sa.rekeying = null;
        const collision = sa.collision;
        sa.collision = null;
        // 2.25.2: a Delete of this IKE SA that crossed our rekey wins.
        if (sa.state !== 'established') return;
        const sar = first(resp, T.SA);
        const nr = first(resp, T.Nonce);
        const ke = first(resp, T.KE);
        const p = sar?.proposals[0];
        const tr = acceptedTransforms(p, true);
        const gir = ke ? dh.computeShared(ke.data) : null;
        if (!p || !tr || !nr || !gir || p.spi.length !== 8) {
          // Refused: in a collision the peer's new SA takes over and the peer deletes this one
          // (2.8.2); otherwise try again later, or at once with the group the peer asked for.
          if (collision) return handOver(env, sa, collision.next, t);
          const asked = askedGroup(resp);
          if (asked !== undefined && asked !== group) return rekeyIkeSa(env, sa, t, asked);
          sa.rekeyAt = retryAt(env, t);
          return;
        }
        const transforms = { encr: tr.encr, ...(tr.keyLength !== undefined ? { keyLength: tr.keyLength } : {}), ...(tr.integ ? { integ: tr.integ } : {}), prf: tr.prf! };
        const seed = rekeySkeyseed(env.suite, sa.transforms.prf, sa.keys.SK_d, gir, Ni, nr.data);
        const spiR = p.spi.slice();
        const keys = deriveIkeSaKeys(env.suite, transforms, seed, Ni, nr.data, spiI, spiR);
        const next = new IkeSa({ role: 'initiator', spiI, spiR, transforms, keys, Ni, Nr: nr.data.slice(), initRequest: new Uint8Array(0), initResponse: new Uint8Array(0), local: sa.local, peer: sa.peer, natt: sa.natt, now: t });
        adopt(env, sa, next, t);
        if (collision && lowestIn([Ni, nr.data], collision.nonces) === 'ours') {
          // 2.8.2: ours is redundant: the peer's new SA takes over, we delete ours, and the peer,
          // which started the surviving rekey, deletes the old one.
          handOver(env, sa, collision.next, t);
          return deleteIkeSa(env, next, t, 'redundant');
        }
        // Ours survives; a redundant SA of the peer's (collision.next) waits for its Delete.
        handOver(env, sa, next, t);
        deleteIkeSa(env, sa, t, 'rekeyed');
      },
      onFailure: () => {
        sa.rekeying = null;
      },
    },
    now,
  );
}

/** 1.4.1: Delete of an IKE SA (the old one after a rekey, or a redundant one); gone once answered. */
function deleteIkeSa(env: Env, sa: IkeSa, now: number, reason: 'rekeyed' | 'redundant'): void {
  sendRequest(
    env,
    sa,
    {
      exchange: ExchangeType.INFORMATIONAL,
      payloads: [{ type: T.D, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }],
      retransmit: env.policy.retransmit,
      onResponse: () => destroy(env, sa, reason),
      onFailure: () => destroy(env, sa, reason),
    },
    now,
  );
}
