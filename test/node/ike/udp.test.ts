// The responder and the initiator on real UDP sockets over loopback, through the node adapter.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNobleSuite } from '../../../src-main/core/crypto/noble-suite.ts';
import { Initiator } from '../../../src-main/core/ike/initiator.ts';
import type { IkeEvent } from '../../../src-main/core/ike/io.ts';
import { identityOf, ikePolicyOf } from '../../../src-main/core/ike/policy.ts';
import { runResponder, type RunningResponder } from '../../../src-main/node/ike/run-responder.ts';
import { UdpHost } from '../../../src-main/node/ike/udp-host.ts';
import { responderConfig, PSK } from '../../core/ike/support/net.ts';
import { seededRandom } from '../../core/crypto/fixtures.ts';

// Ports from the process id, so parallel test processes do not collide.
const base = 20000 + (process.pid % 2000) * 4;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, no) => setTimeout(() => no(new Error(`timed out: ${what}`)), ms))]);
}

describe('IKE over UDP on loopback', () => {
  it('establishes, answers DPD, exports Wireshark keys, and deletes', async () => {
    const keys = mkdtempSync(join(tmpdir(), 'wakelab-keys-'));
    cleanup.push(() => rmSync(keys, { recursive: true, force: true }));
    const rEvents: IkeEvent[] = [];
    const cfg = responderConfig({ listen: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 }, dpd: { delayS: 1 } });
    const responder: RunningResponder = await runResponder(cfg, { onEvent: (e) => rEvents.push(e), wiresharkDir: keys });
    cleanup.push(() => responder.close());

    const iPolicy = { ...ikePolicyOf(cfg), dpd: { ...ikePolicyOf(cfg).dpd, delayS: 0 }, ikeRekeyS: 0, espRekeyS: 0 };
    const initiator = new Initiator({
      suite: createNobleSuite(seededRandom(9)),
      policy: iPolicy,
      nattPort: base + 1,
      localNattPort: base + 3,
      auth: { localId: identityOf('cli.wakelab'), remoteId: identityOf('gw.wakelab'), psk: new TextEncoder().encode(PSK), espProposals: iPolicy.espProposals, requestVip: true, remoteTs: [{ kind: 'ipv4', ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: '198.18.100.0', endAddress: '198.18.100.255' }] },
    });
    const iEvents: IkeEvent[] = [];
    let onEvent: (e: IkeEvent) => void = () => {};
    // The initiator's own ports: IKE and NAT-T as the responder's plus 2 (loopback, so no NAT).
    const host = new UdpHost(initiator, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [base + 2, base + 1 + 2], onEvent: (e) => (iEvents.push(e), onEvent(e)) });
    await host.start();
    cleanup.push(() => host.close());
    const up = new Promise<void>((ok) => (onEvent = (e) => e.kind === 'child-up' && ok()));
    // The initiator moves to "the NAT-T port" after NAT-D: on loopback it must be its own base+3 locally and the responder's base+1.
    host.act((t) => initiator.connect(t, { address: '127.0.0.1', port: base + 2 }, { address: '127.0.0.1', port: base }));
    await within(up, 5000, 'IKE_AUTH');
    expect(rEvents.find((e) => e.kind === 'ike-up')).toMatchObject({ peerId: 'cli.wakelab', virtualIp: '198.18.200.1' });

    // The responder's DPD after 1 s of silence is answered.
    await within(new Promise<void>((ok) => (onEvent = (e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.dir === 'in' && ok())), 5000, 'DPD');
    const table = readFileSync(join(keys, 'ikev2_decryption_table'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(table).toHaveLength(1);
    expect(table[0]).toMatch(/^[0-9a-f]{16},[0-9a-f]{16},[0-9a-f]{32},[0-9a-f]{32},"AES-CBC-128 \[RFC3602\]",[0-9a-f]{64},[0-9a-f]{64},"HMAC_SHA2_256_128 \[RFC4868\]"$/);
    const esp = readFileSync(join(keys, 'esp_sa'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(esp).toHaveLength(2);

    const gone = new Promise<void>((ok) => (onEvent = () => initiator.phase === 'closed' && ok()));
    host.act((t) => initiator.close(t));
    await within(gone, 5000, 'delete');
    await new Promise((r) => setTimeout(r, 50));
    expect(responder.responder.ikeSas).toHaveLength(0);
  });
});
