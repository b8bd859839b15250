/**
 * Gateway options from a validated responder configuration (responder-config.ts): the IKE policy,
 * the ports, the ESP replay window, and the virtual host at its configured address or, by
 * default, the first host address of the first local network (inner/host-address.ts).
 */
import type { CryptoSuite } from '../crypto/suite.ts';
import { ikePolicyOf } from '../ike/policy.ts';
import type { ResponderConfig } from '../ike/responder-config.ts';
import { defaultHostAddress } from '../inner/host-address.ts';
import type { GatewayOptions } from './gateway.ts';

export function gatewayOptionsOf(cfg: ResponderConfig, suites: { readonly ike: CryptoSuite; readonly esp: CryptoSuite }): GatewayOptions {
  const vh = cfg.virtualHost;
  return {
    suite: suites.ike,
    espSuite: suites.esp,
    policy: ikePolicyOf(cfg),
    ports: { ike: cfg.listen.ikePort, natt: cfg.listen.nattPort },
    replayWindow: cfg.esp.replayWindow,
    ...(cfg.esp.seqRekeyThreshold !== undefined ? { seqRekeyThreshold: cfg.esp.seqRekeyThreshold } : {}),
    host: { address: vh.address ?? defaultHostAddress(cfg.localTs), echoPort: vh.echoPort, discardPort: vh.discardPort },
    push: vh.push,
  };
}
