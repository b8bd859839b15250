/**
 * `wakelab client`: WakeLab's initiator on real UDP sockets (the base of the client emulator).
 * It connects, keeps the SA alive per its policy, logs each event as one line, and deletes the SA
 * when asked to stop (or after durationS).
 */
import { checkAgainstNoble, createNodeSuite } from '../crypto/node-suite.ts';
import type { ClientConfig } from '../../core/ike/client-config.ts';
import { Initiator } from '../../core/ike/initiator.ts';
import type { IkeEvent } from '../../core/ike/io.ts';
import { clientPolicyOf, identityOf } from '../../core/ike/policy.ts';
import { cidrRange, formatIpv4, parseCidr } from '../../core/net/ipv4.ts';
import { UdpHost } from './udp-host.ts';

export interface RunningClient {
  readonly initiator: Initiator;
  readonly host: UdpHost;
  /** Deletes the IKE SA (waits for the answer, at most a few seconds) and closes the sockets. */
  close(): Promise<void>;
}

export async function runClient(cfg: ClientConfig, onEvent: (e: IkeEvent, t: number) => void): Promise<RunningClient> {
  checkAgainstNoble(); // OpenSSL must agree with the reference suite before it is trusted
  const policy = clientPolicyOf(cfg);
  const initiator = new Initiator({
    suite: createNodeSuite(),
    policy,
    nattPort: cfg.server.nattPort,
    localNattPort: cfg.local.nattPort,
    auth: {
      localId: identityOf(cfg.localId),
      ...(cfg.remoteId ? { remoteId: identityOf(cfg.remoteId) } : {}),
      psk: new TextEncoder().encode(cfg.psk),
      espProposals: policy.espProposals,
      requestVip: cfg.virtualIp,
      remoteTs: cfg.remoteTs.map((t) => {
        const { start, end } = cidrRange(parseCidr(t)!);
        return { kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: formatIpv4(start), endAddress: formatIpv4(end) } as const;
      }),
    },
  });
  const host: UdpHost = new UdpHost(initiator, { address: cfg.local.address, localAddress: cfg.local.address, ports: [cfg.local.ikePort, cfg.local.nattPort], onEvent: (e) => onEvent(e, host.engineTime) });
  await host.start();
  host.act((t) => initiator.connect(t, { address: cfg.local.address, port: cfg.local.ikePort }, { address: cfg.server.address, port: cfg.server.ikePort }));
  return {
    initiator,
    host,
    close: async () => {
      if (initiator.phase === 'up') {
        host.act((t) => initiator.close(t));
        const deadline = Date.now() + 5000;
        while ((initiator.phase as string) !== 'closed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      }
      await host.close();
    },
  };
}
