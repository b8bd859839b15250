// Smoke test of the IKE benchmark's pieces (test/bench/ike-bench.ts): the driver's node:crypto
// suite gives the noble suite's bytes, and several Initiators multiplexed over one socket pair
// (MuxHost) all get an IKE_SA with a CHILD_SA from WakeLab's Responder on loopback. No timing:
// `npm run bench -- --only=ike` measures (BENCHMARKS.md).
import { afterEach, describe, expect, it } from 'vitest';
import { ikePolicyOf } from '../../../src-main/core/ike/policy.ts';
import { parseResponderConfig } from '../../../src-main/core/ike/responder-config.ts';
import { Responder } from '../../../src-main/core/ike/responder.ts';
import { UdpHost } from '../../../src-main/node/ike/udp-host.ts';
import { driverConfig, wakelabConfig, type IkeBenchConfig } from '../ike-bench.ts';
import { initiatorFactory } from './driver.ts';
import { MuxHost, type Slot } from './mux-host.ts';
import { checkAgainstNoble, createNodeSuite } from '../../../src-main/node/crypto/node-suite.ts';

// Ports from the process id, apart from test/node/ike/udp.test.ts's range.
const base = 30000 + (process.pid % 2000) * 2;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('IKE benchmark pieces', () => {
  it('node:crypto suite matches the noble suite', () => {
    expect(() => checkAgainstNoble()).not.toThrow();
  });

  it('multiplexes several handshakes over one socket pair, each with a CHILD_SA', async () => {
    const n = 6;
    const ports = { ike: base, natt: base + 1 };
    const cfg = parseResponderConfig(wakelabConfig(n, ports));
    const responder = new Responder(createNodeSuite(), ikePolicyOf(cfg), ports);
    const host = new UdpHost(responder, { address: '127.0.0.1', localAddress: '127.0.0.1', ports: [ports.ike, ports.natt], onEvent: () => {} });
    await host.start();
    cleanup.push(() => host.close());
    const mux = new MuxHost('127.0.0.1');
    const local = await mux.start();
    cleanup.push(() => mux.close());
    const c = { warmup: 0, total: n, rateCount: n, concurrency: n, checkpointEvery: n, charonThreads: 16, charonTable: { size: 1, segments: 1 } } satisfies IkeBenchConfig;
    const newInitiator = initiatorFactory(driverConfig(c, { address: '127.0.0.1', ...ports }, '127.0.0.1', process.pid), createNodeSuite(), local.natt);
    const slots = await Promise.all(Array.from({ length: n }, (_, i) => new Promise<Slot>((done) => mux.add(newInitiator(i), { address: '127.0.0.1', port: ports.ike }, done))));
    expect(slots.map((s) => [s.initiator.phase, s.initiator.ikeSa?.children.length, s.sends])).toEqual(Array.from({ length: n }, () => ['up', 1, 2]));
    expect(responder.ikeSas.filter((sa) => sa.state === 'established' && sa.children.length === 1)).toHaveLength(n);
    expect(new Set(responder.ikeSas.map((sa) => sa.peerId)).size).toBe(n);
    expect(mux.strays).toBe(0);
    // The warm-up's clean-up: each SA deleted again (RFC 7296 1.4.1), leaving the responder's table empty.
    const retired = await Promise.all(slots.map((slot) => new Promise<Slot>((done) => mux.retire(slot, done))));
    expect(retired.map((s) => s.initiator.phase)).toEqual(Array.from({ length: n }, () => 'closed'));
    expect(responder.ikeSas).toHaveLength(0);
  });
});
