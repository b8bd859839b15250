/**
 * INFORMATIONAL requests from the peer (RFC 7296 1.4): an empty one is a liveness check and gets
 * an empty answer (2.4); Delete of the IKE SA is answered empty and the SA goes with its CHILD_SAs
 * (1.4.1); Delete of CHILD_SAs is answered with Deletes of our inbound SPIs of the same pairs
 * (1.4.1); notifies we do not act on are ignored (3.10.1).
 *
 * With MOBIKE (RFC 4555, mobike.ts): UPDATE_SA_ADDRESSES moves the SA to the request's addresses
 * (3.5), and NAT_DETECTION_* and COOKIE2 in a request are answered with ours (3.5, 3.6).
 */
import { ProtocolId, PayloadType as T } from '../constants.ts';
import type { IkeSa } from '../ike-sa.ts';
import type { Payload, PayloadOf } from '../wire/payloads.ts';
import { ESP, spiBytes, spiNumber } from './build.ts';
import type { Env } from './env.ts';
import { childDown, destroy } from './lifecycle.ts';
import { mobikeRequest } from './mobike.ts';
import type { Endpoint } from '../io.ts';

type D = PayloadOf<typeof T.D>;

/** Calls `reply(payloads, after)`: send the answer, then run `after` (state changes that follow it). */
export function respondInformational(env: Env, sa: IkeSa, payloads: readonly Payload[], from: Endpoint, to: Endpoint, reply: (p: Payload[], after: () => void) => void): void {
  const deletes = payloads.filter((p): p is D => p.type === T.D);
  if (deletes.some((d) => d.protocolId === ProtocolId.IKE)) {
    reply([], () => destroy(env, sa, sa.state === 'rekeyed' ? 'rekeyed' : 'deleted-by-peer'));
    return;
  }
  const ours: Uint8Array[] = [];
  const gone: (typeof sa.children)[number][] = [];
  for (const d of deletes) {
    if (d.protocolId !== ESP) continue;
    for (const spi of d.spis) {
      // The peer names the SAs by its inbound SPIs, which are our outbound ones (1.4.1).
      const child = sa.children.find((c) => c.spiOut === spiNumber(spi));
      if (child && !gone.includes(child)) {
        gone.push(child);
        ours.push(spiBytes(child.spiIn));
      }
    }
  }
  const answer: Payload[] = ours.length > 0 ? [{ type: T.D, protocolId: ESP, spiSize: 4, spis: ours }] : [];
  if (sa.mobike) answer.push(...mobikeRequest(env, sa, payloads, from, to));
  reply(answer, () => {
    for (const c of gone) childDown(env, sa, c, 'deleted-by-peer');
  });
}
