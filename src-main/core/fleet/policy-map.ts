/**
 * A WakeLab policy (core/policy) in the live lab's terms: its gateway half as the responder's
 * configuration fields (ike/responder-config.ts) that carry the same meaning, so a live run and a
 * simulation of one policy have the same gateway. Fields the responder has no equivalent for are
 * listed, so a caller can say what was not applied.
 */
import type { GatewayPolicy } from '../policy/schema.ts';

export interface ResponderPatch {
  readonly dpd: { readonly delayS: number; readonly retransmit: GatewayPolicy['retransmit']; readonly action: GatewayPolicy['dpdAction'] };
  readonly ike: { readonly rekeyS: number; readonly rekeyJitterS: number };
  readonly esp: { readonly rekeyS: number; readonly rekeyJitterS: number };
}

export function responderPatchOf(g: GatewayPolicy): { patch: ResponderPatch; notApplied: string[] } {
  return {
    patch: {
      dpd: { delayS: g.dpdDelayS, retransmit: g.retransmit, action: g.dpdAction },
      ike: { rekeyS: g.ikeRekeyS, rekeyJitterS: g.ikeRekeyJitterS },
      esp: { rekeyS: g.childRekeyS, rekeyJitterS: g.childRekeyJitterS },
    },
    notApplied: g.dpdDeferMaxS > 0 ? ['gateway.dpdDeferMaxS'] : [],
  };
}
