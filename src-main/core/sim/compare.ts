/**
 * Comparison of policies on one scenario and radio with the same seed, and the Pareto set on
 * energy against dead-peer detection latency (no other policy is both cheaper and faster).
 */
import type { Policy } from '../policy/schema.ts';
import type { Metrics } from './metrics.ts';
import { giveUpAfterS } from '../policy/retransmit.ts';

/**
 * The detection latency a comparison ranks by, s: what the run measured where the scenario has
 * a vanish event, else the policy's worst case when a peer vanishes right after its last packet.
 * The worse of the two sides; Infinity where a side would never notice.
 */
export function detectionForRanking(policy: Policy, m: Metrics): number {
  const hasEvent = m.detected.gateway !== null || m.detected.client !== null;
  if (hasEvent) {
    const side = (applies: boolean | null, v: number | null): number => (applies === null ? 0 : v ?? Infinity);
    return Math.max(side(m.detected.gateway, m.detectionLatencyS.gateway), side(m.detected.client, m.detectionLatencyS.client));
  }
  const b = detectionBounds(policy);
  return Math.max(b.gatewayS ?? Infinity, b.clientS ?? Infinity);
}

/**
 * Worst-case detection latency implied by a policy, s (null = never): for each side, its DPD
 * delay (plus any deferral, or one keepalive interval when folded into keepalives) and its
 * retransmission schedule; a side without DPD notices at its next rekey, which fails against a
 * dead peer; a side without either never notices.
 */
export function detectionBounds(policy: Policy): { gatewayS: number | null; clientS: number | null } {
  const g = policy.gateway;
  const c = policy.client;
  return {
    gatewayS: sideBound(g.dpdDelayS > 0 ? g.dpdDelayS + g.dpdDeferMaxS : null, g),
    clientS: sideBound(c.dpdDelayS > 0 ? c.dpdDelayS + (c.dpdWithKeepalive ? c.keepaliveS : 0) : null, c),
  };
}

function sideBound(dpdS: number | null, p: { retransmit: Policy['client']['retransmit']; ikeRekeyS: number; childRekeyS: number }): number | null {
  const rekeys = [p.ikeRekeyS, p.childRekeyS].filter((x) => x > 0);
  const first = dpdS ?? (rekeys.length ? Math.min(...rekeys) : null);
  return first === null ? null : first + giveUpAfterS(p.retransmit);
}

/** Marks the points no other point dominates on (energy, latency), both lower-is-better. */
export function paretoSet(points: readonly { energy: number; latency: number }[]): boolean[] {
  return points.map((p, i) =>
    !points.some(
      (q, j) => j !== i && q.energy <= p.energy && q.latency <= p.latency && (q.energy < p.energy || q.latency < p.latency),
    ),
  );
}
