// Every datagram through the Gateway is reported once, with its class (core/ike/traffic.ts): the
// record the live estimator and session recordings are built on.
import { describe, expect, it } from 'vitest';
import type { IkeEvent } from '../../../src-main/core/ike/io.ts';
import { ping } from '../esp/support/pair.ts';
import { CLI, GW, Tunnel } from './support/tunnel.ts';

type Traffic = Extract<IkeEvent, { kind: 'traffic' }>;

describe('traffic events of the Gateway', () => {
  it('classifies a whole session: setup, data, keepalive, DPD both ways, rekey, delete', () => {
    const t = Tunnel.up({ gateway: { dpd: { delayS: 10 }, esp: { proposals: ['aes128gcm16'], rekeyS: 30, replayWindow: 128, backend: 'noble' } } });
    t.clientSends(ping('198.18.200.1', '198.18.100.1', 1));
    t.run(2);
    // A NAT-T keepalive (RFC 3948 2.3) and a datagram that is nothing at all.
    t.act(() => {
      t.gateway.receive(t.now, Uint8Array.of(0xff), { address: CLI, port: 4500 }, { address: GW, port: 4500 });
      t.gateway.receive(t.now, Uint8Array.of(1, 2, 3), { address: CLI, port: 500 }, { address: GW, port: 500 });
    });
    t.act((now) => t.initiator.dpd(now));
    t.run(35);
    t.act((now) => t.initiator.close(now));
    t.run(40);
    const traffic = t.events.filter((e) => e.by === 'r' && e.event.kind === 'traffic').map((e) => e.event as Traffic);
    const seq = (dir: 'in' | 'out') => traffic.filter((x) => x.dir === dir).map((x) => `${x.cls}${x.request === undefined ? '' : x.request ? '?' : '!'}`);
    // In: the client's two setup requests, a ping, the keepalive, the junk, its DPD, the answers to
    // the gateway's two DPDs (at 12 and 22 s), to its CHILD_SA rekey (30 s) and to its Delete of the
    // old CHILD_SA, then the client's Delete of the IKE SA. Out: the mirror image.
    expect(seq('in')).toEqual(['ike-setup?', 'ike-setup?', 'data', 'keepalive', 'invalid', 'dpd?', 'dpd!', 'dpd!', 'rekey!', 'delete!', 'delete?']);
    expect(seq('out')).toEqual(['ike-setup!', 'ike-setup!', 'data', 'dpd!', 'dpd?', 'dpd?', 'rekey?', 'delete?', 'delete!']);
    // One event per datagram: as many as the wire carried each way, with the sizes it carried.
    const sent = t.wire.filter((w) => w.by === 'r');
    expect(traffic.filter((x) => x.dir === 'out').map((x) => x.bytes)).toEqual(sent.map((w) => w.send.bytes.length));
    expect(traffic.every((x) => x.ipBytes === x.bytes + 28)).toBe(true);
    // ESP carries its SPI; IKE its SA and message ID.
    const data = traffic.filter((x) => x.cls === 'data');
    expect(data.every((x) => x.spi !== undefined && x.sa !== undefined)).toBe(true);
    expect(traffic.filter((x) => x.cls === 'dpd').every((x) => x.sa !== undefined && x.messageId !== undefined)).toBe(true);
  });

  it('numbers each IKE SA with a slot its datagrams carry, taken over by a later SA once it is gone', () => {
    const t = Tunnel.up({ gateway: { ike: { proposals: ['aes128-sha256-prfsha256-curve25519'], rekeyS: 20, rekeyJitterS: 0 } } });
    const keepalive = () => t.act(() => t.gateway.receive(t.now, Uint8Array.of(0xff), { address: CLI, port: 4500 }, { address: GW, port: 4500 }));
    keepalive();
    t.run(50);
    keepalive();
    const traffic = t.events.filter((e) => e.by === 'r' && e.event.kind === 'traffic').map((e) => e.event as Traffic);
    // Each SA's IKE datagrams and keepalives carry one slot, its own.
    const slotsOf = new Map<string, Set<number | undefined>>();
    for (const x of traffic.filter((x) => x.sa !== undefined && x.cls !== 'data')) slotsOf.set(x.sa!, (slotsOf.get(x.sa!) ?? new Set()).add(x.slot));
    const sas = [...slotsOf.keys()];
    expect(sas).toHaveLength(3); // rekeyed at 20 and 40 s
    expect(sas.map((sa) => [...slotsOf.get(sa)!])).toEqual([[0], [1], [0]]);
    expect(traffic.filter((x) => x.cls === 'keepalive').map((x) => [x.sa, x.slot])).toEqual([[sas[0], 0], [sas[2], 0]]);
  });

  it('reports a received ESP packet\'s head as a copy (its buffer may be reused), an IKE message\'s as a view', () => {
    const t = Tunnel.up({ gateway: { esp: { proposals: ['aes128gcm16'], rekeyS: 0, replayWindow: 128, backend: 'noble' } } });
    t.clientSends(ping('198.18.200.1', '198.18.100.1', 1));
    t.run(2);
    const traffic = t.events.filter((e) => e.by === 'r' && e.event.kind === 'traffic').map((e) => e.event as Traffic);
    const fromClient = t.wire.filter((w) => w.by === 'i').map((w) => w.send.bytes);
    const espIn = traffic.find((x) => x.dir === 'in' && x.cls === 'data')!;
    const esp = fromClient.find((b) => b.length === espIn.bytes && b[0] === espIn.head[0])!;
    const ikeIn = traffic.find((x) => x.dir === 'in' && x.cls === 'ike-setup')!;
    const ike = fromClient.find((b) => b.length === ikeIn.bytes)!;
    expect([espIn.head.buffer === esp.buffer, ikeIn.head.buffer === ike.buffer]).toEqual([false, true]);
    const spi = [...espIn.head.subarray(0, 4)];
    esp.fill(0);
    expect([...espIn.head.subarray(0, 4)]).toEqual(spi);
  });
});
