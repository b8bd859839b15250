/**
 * `wakelab responder`: the IKEv2 responder on real UDP sockets. Builds the engine from a validated
 * configuration, hosts it (udp-host.ts), logs each event as one line, and keeps the Wireshark key
 * tables up to date when asked to.
 */
import { checkAgainstNoble, createNodeSuite } from '../crypto/node-suite.ts';
import type { IkeEvent } from '../../core/ike/io.ts';
import { ikePolicyOf } from '../../core/ike/policy.ts';
import type { ResponderConfig } from '../../core/ike/responder-config.ts';
import { Responder } from '../../core/ike/responder.ts';
import { UdpHost } from './udp-host.ts';
import { writeWiresharkKeys } from './wireshark-keys.ts';

export interface ResponderRunOptions {
  readonly onEvent: (e: IkeEvent, t: number) => void;
  /** Keep ikev2_decryption_table and esp_sa in this folder current (secrets). */
  readonly wiresharkDir?: string;
}

export interface RunningResponder {
  readonly responder: Responder;
  readonly ports: { ike: number; natt: number };
  close(): Promise<void>;
}

export async function runResponder(cfg: ResponderConfig, o: ResponderRunOptions): Promise<RunningResponder> {
  checkAgainstNoble(); // OpenSSL must agree with the reference suite before it is trusted
  const suite = createNodeSuite();
  const responder = new Responder(suite, ikePolicyOf(cfg), { ike: cfg.listen.ikePort, natt: cfg.listen.nattPort });
  const host: UdpHost = new UdpHost(responder, {
    address: cfg.listen.address,
    localAddress: cfg.listen.address,
    ports: [cfg.listen.ikePort, cfg.listen.nattPort],
    onEvent: (e) => {
      o.onEvent(e, host.clock());
      if (o.wiresharkDir && (e.kind === 'ike-up' || e.kind === 'child-up' || e.kind === 'ike-rekeyed' || e.kind === 'child-down' || e.kind === 'ike-down')) {
        writeWiresharkKeys(o.wiresharkDir, responder.ikeSas);
      }
    },
  });
  const [ike, natt] = await host.start();
  return { responder, ports: { ike: ike!, natt: natt! }, close: () => host.close() };
}
