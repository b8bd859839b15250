/**
 * CREATE_CHILD_SA as the side that starts it (RFC 7296 1.3), for rekeys we initiate:
 *
 *   rekey a CHILD_SA (1.3.3):  HDR, SK {N(REKEY_SA), SA, Ni, TSi, TSr} -->  <-- HDR, SK {SA, Nr, TSi, TSr}
 *                              then INFORMATIONAL {D(old)} (2.8)
 *   rekey the IKE SA (1.3.2):  HDR, SK {SA, Ni, KEi} -->  <-- HDR, SK {SA, Nr, KEr}
 *                              then INFORMATIONAL {D(IKE)} on the old SA (2.18)
 *
 * Collisions (2.8.1) are not resolved yet: a rekey the peer starts while ours is in flight is
 * answered, and both new SAs live until one side deletes.
 */
import { EsnId, ExchangeType, NotifyStatus, PayloadType as T, ProtocolId } from '../constants.ts';
import { ChildSa } from '../child-sa.ts';
import { IkeSa } from '../ike-sa.ts';
import { deriveChildSaKeys, deriveIkeSaKeys, rekeySkeyseed } from '../keymat.ts';
import { cidrRange, formatIpv4, parseCidr } from '../../net/ipv4.ts';
import type { Payload } from '../wire/payloads.ts';
import type { TrafficSelector } from '../wire/ts.ts';
import { acceptedTransforms } from '../select.ts';
import { wireProposals } from './auth-initiator.ts';
import { first, notify, spiBytes, spiNumber } from './build.ts';
import { newSpi } from './child.ts';
import type { Env } from './env.ts';
import { childDown, childUp, destroy, handOver } from './lifecycle.ts';
import { sendRequest } from './requests-out.ts';

const NONCE_BYTES = 32;

/** Traffic selectors for the prefixes a CHILD_SA covers (any protocol and port). */
function selectorsOf(cidrs: readonly string[]): TrafficSelector[] {
  return cidrs.map((text) => {
    const { start, end } = cidrRange(parseCidr(text)!);
    return { kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: formatIpv4(start), endAddress: formatIpv4(end) } as const;
  });
}

/** Rekeys `old` (a CHILD_SA of `sa`), then deletes it once the new one is up. */
export function rekeyChild(env: Env, sa: IkeSa, old: ChildSa, now: number): void {
  old.rekeyAt = Infinity;
  const Ni = env.suite.randomBytes(NONCE_BYTES);
  const spiIn = newSpi(env.suite, (s) => sa.children.some((c) => c.spiIn === s));
  const payloads: Payload[] = [
    notify(NotifyStatus.REKEY_SA, new Uint8Array(0), ProtocolId.ESP, spiBytes(old.spiIn)),
    { type: T.SA, proposals: wireProposals(env.policy.espProposals, ProtocolId.ESP, spiBytes(spiIn)) },
    { type: T.Nonce, data: Ni },
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
        const sar = first(resp, T.SA);
        const nr = first(resp, T.Nonce);
        const p = sar?.proposals[0];
        const tr = acceptedTransforms(p, false);
        if (!p || !tr || !nr || p.spi.length !== 4) {
          // The peer refused (e.g. TEMPORARY_FAILURE during its own rekey, 2.25): try again later.
          old.rekeyAt = t + 10;
          return;
        }
        const cipher = { encr: tr.encr, ...(tr.keyLength !== undefined ? { keyLength: tr.keyLength } : {}), ...(tr.integ ? { integ: tr.integ } : {}) };
        // 2.17: KEYMAT from the new nonces; whoever starts *this exchange* is "i".
        const keys = deriveChildSaKeys(env.suite, sa.transforms.prf, sa.keys.SK_d, cipher, Ni, nr.data);
        const child = new ChildSa(spiIn, spiNumber(p.spi), { ...cipher, esn: tr.esn === EsnId.ESN }, keys, 'initiator', old.localTs, old.remoteTs, t);
        old.rekeyed = true;
        childUp(env, sa, child, old.spiIn, t);
        deleteChild(env, sa, old, t);
      },
      onFailure: () => {},
    },
    now,
  );
}

/** 1.4.1: Delete of one of our CHILD_SAs (named by our inbound SPI); gone once answered. */
export function deleteChild(env: Env, sa: IkeSa, child: ChildSa, now: number): void {
  sendRequest(
    env,
    sa,
    {
      exchange: ExchangeType.INFORMATIONAL,
      payloads: [{ type: T.D, protocolId: ProtocolId.ESP, spiSize: 4, spis: [spiBytes(child.spiIn)] }],
      retransmit: env.policy.retransmit,
      onResponse: () => childDown(env, sa, child, 'rekeyed'),
      onFailure: () => childDown(env, sa, child, 'rekeyed'),
    },
    now,
  );
}

/** 1.3.2 and 2.18: a new IKE SA from this one; we are its initiator; then the old one is deleted. */
export function rekeyIkeSa(env: Env, sa: IkeSa, now: number): void {
  sa.rekeyAt = Infinity;
  const group = env.policy.ikeProposals[0]?.dh[0];
  if (group === undefined) return;
  const dh = env.suite.dh(group);
  const Ni = env.suite.randomBytes(NONCE_BYTES);
  const spiI = env.suite.randomBytes(8);
  sendRequest(
    env,
    sa,
    {
      exchange: ExchangeType.CREATE_CHILD_SA,
      payloads: [{ type: T.SA, proposals: wireProposals(env.policy.ikeProposals, ProtocolId.IKE, spiI) }, { type: T.Nonce, data: Ni }, { type: T.KE, group, data: dh.publicValue }],
      retransmit: env.policy.retransmit,
      onResponse: (resp, t) => {
        const sar = first(resp, T.SA);
        const nr = first(resp, T.Nonce);
        const ke = first(resp, T.KE);
        const p = sar?.proposals[0];
        const tr = acceptedTransforms(p, true);
        const gir = ke ? dh.computeShared(ke.data) : null;
        if (!p || !tr || !nr || !gir || p.spi.length !== 8) {
          sa.rekeyAt = t + 10;
          return;
        }
        const transforms = { encr: tr.encr, ...(tr.keyLength !== undefined ? { keyLength: tr.keyLength } : {}), ...(tr.integ ? { integ: tr.integ } : {}), prf: tr.prf! };
        const seed = rekeySkeyseed(env.suite, sa.transforms.prf, sa.keys.SK_d, gir, Ni, nr.data);
        const spiR = p.spi.slice();
        const keys = deriveIkeSaKeys(env.suite, transforms, seed, Ni, nr.data, spiI, spiR);
        const next = new IkeSa({ role: 'initiator', spiI, spiR, transforms, keys, Ni, Nr: nr.data.slice(), initRequest: new Uint8Array(0), initResponse: new Uint8Array(0), local: sa.local, peer: sa.peer, natt: sa.natt, now: t });
        handOver(env, sa, next, t);
        sendRequest(
          env,
          sa,
          {
            exchange: ExchangeType.INFORMATIONAL,
            payloads: [{ type: T.D, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }],
            retransmit: env.policy.retransmit,
            onResponse: () => destroy(env, sa, 'rekeyed'),
            onFailure: () => destroy(env, sa, 'rekeyed'),
          },
          t,
        );
      },
      onFailure: () => {},
    },
    now,
  );
}
