// Tests on real UDP sockets over loopback: bounded waits, cleanup after each test, and our
// initiator on its own UdpHost against a responder at `base` (IKE) and `base + 1` (NAT-T).
import { afterEach } from 'vitest';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { Initiator } from '../../../src-main/core/ike/initiator.ts';
import type { IkeEvent } from '../../../src-main/core/ike/io.ts';
import { identityOf, ikePolicyOf } from '../../../src-main/core/ike/policy.ts';
import type { ResponderConfig } from '../../../src-main/core/ike/responder-config.ts';
import { UdpHost } from '../../../src-main/node/ike/udp-host.ts';
import { seededRandom } from '../../core/crypto/fixtures.ts';
import { PSK } from '../../core/ike/support/net.ts';

/** Registers cleanup functions run (last first) after each test of the file that calls it. */
export function cleanupAfterEach(): (fn: () => Promise<void> | void) => void {
  const list: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of list.splice(0).reverse()) await c();
  });
  return (fn) => void list.push(fn);
}

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, no) => setTimeout(() => no(new Error(`timed out: ${what}`)), ms))]);
}

export interface LoopbackClient {
  readonly initiator: Initiator;
  readonly host: UdpHost;
  /** Resolves on the first event `pred` accepts (the previous waiter is replaced). */
  until(pred: (e: IkeEvent) => boolean, ms: number, what: string): Promise<void>;
  readonly events: IkeEvent[];
}

/**
 * Our initiator as `cli.wakelab` on loopback ports `base + 2` (IKE) and `base + 3` (NAT-T), for a
 * responder configured as `cfg` at `base`/`base + 1`; no client DPD or rekeys. Connects at once.
 */
export async function loopbackClient(cfg: ResponderConfig, base: number, seed: number): Promise<LoopbackClient> {
  const p = ikePolicyOf(cfg);
  const policy = { ...p, dpd: { ...p.dpd, delayS: 0 }, ikeRekeyS: 0, espRekeyS: 0 };
  const initiator = new Initiator({
    suite: createNobleSuite(seededRandom(seed)),
    policy,
    nattPort: base + 1,
    localNattPort: base + 3,
    auth: { localId: identityOf('cli.wakelab'), remoteId: identityOf('gw.wakelab'), psk: new TextEncoder().encode(PSK), espProposals: policy.espProposals, requestVip: true, remoteTs: [{ kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '198.18.100.0', endAddress: '198.18.100.255' }] },
  });
  const events: IkeEvent[] = [];
  let waiter: (e: IkeEvent) => void = () => {};
  // The initiator's own ports: the responder's plus 2 (loopback, so no NAT).
  const host = new UdpHost(initiator, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [base + 2, base + 3], onEvent: (e) => (events.push(e), waiter(e)) });
  await host.start();
  host.act((t) => initiator.connect(t, { address: '127.0.0.1', port: base + 2 }, { address: '127.0.0.1', port: base }));
  return {
    initiator,
    host,
    events,
    until: (pred, ms, what) => within(new Promise<void>((ok) => (waiter = (e) => pred(e) && ok())), ms, what),
  };
}
