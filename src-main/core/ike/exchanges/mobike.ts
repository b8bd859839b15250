/**
 * MOBIKE as the responder (RFC 4555), for an IKE SA where both ends sent MOBIKE_SUPPORTED (3.3):
 *
 *   INFORMATIONAL  SK { N(UPDATE_SA_ADDRESSES), N(NAT_DETECTION_SOURCE_IP),
 *                       N(NAT_DETECTION_DESTINATION_IP), [N(COOKIE2)] }  -->
 *                  <--  SK { N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), [N(COOKIE2)] }
 *
 * UPDATE_SA_ADDRESSES: the IKE SA and its CHILD_SAs move to the addresses the request came from and
 * to (3.5), and NAT detection is done again on them. A request with NAT_DETECTION_* but no
 * UPDATE_SA_ADDRESSES is a probe (charon's DPD behind a NAT, to notice a changed mapping; a
 * return routability check, 3.6): it is answered the same way, without moving anything. COOKIE2
 * is echoed (3.6). ADDITIONAL_*_ADDRESS and NO_ADDITIONAL_ADDRESSES tell where the initiator may
 * go next; a responder that never starts an update has no use for them (3.4), so they are ignored.
 */
import { ipv4Bytes, parseIpv4 } from '../../net/ipv4.ts';
import { NotifyStatus } from '../constants.ts';
import type { IkeSa } from '../ike-sa.ts';
import type { Endpoint } from '../io.ts';
import { natDetected, natDetectionNotifies } from '../nat-detection.ts';
import type { Payload } from '../wire/payloads.ts';
import { findNotify, notify } from './build.ts';
import type { Env } from './env.ts';
import { moveTo } from './requests-in.ts';

/** RFC 4555 3.6: COOKIE2 is 8 to 64 octets. */
const COOKIE2_MIN = 8;
const COOKIE2_MAX = 64;

const natEndpoint = (e: Endpoint) => ({ address: ipv4Bytes(parseIpv4(e.address) ?? 0), port: e.port });

/** Acts on the MOBIKE notifies of an INFORMATIONAL request; returns what the response adds. */
export function mobikeRequest(env: Env, sa: IkeSa, payloads: readonly Payload[], from: Endpoint, to: Endpoint): Payload[] {
  const update = findNotify(payloads, NotifyStatus.UPDATE_SA_ADDRESSES) !== undefined;
  const natd = findNotify(payloads, NotifyStatus.NAT_DETECTION_SOURCE_IP) !== undefined;
  const cookie2 = findNotify(payloads, NotifyStatus.COOKIE2);
  if (update) {
    moveTo(env, sa, from, to);
    // 3.5: NAT detection again, on the new path.
    const nat = natDetected(env.suite, sa.spiI, sa.spiR, payloads, { source: natEndpoint(from), destination: natEndpoint(to) });
    if (nat) {
      sa.peerBehindNat = nat.peerBehindNat;
      sa.selfBehindNat = nat.selfBehindNat;
    }
    env.out.event({ kind: 'mobike-update', sa: sa.name, peer: from, peerBehindNat: sa.peerBehindNat });
  }
  const answer: Payload[] = [];
  if (update || natd) answer.push(...natDetectionNotifies(env.suite, sa.spiI, sa.spiR, natEndpoint(to), natEndpoint(from)));
  if (cookie2 && cookie2.data.length >= COOKIE2_MIN && cookie2.data.length <= COOKIE2_MAX) answer.push(notify(NotifyStatus.COOKIE2, cookie2.data));
  return answer;
}
