// The estimator keeps known clients' datagrams in one journal and deals them to the meters when
// anything reads one (estimator.ts): every meter must end up exactly as if fed each datagram at
// once, whether the journal is read often, seldom, or overflows between reads.
import { describe, expect, it } from 'vitest';
import { ClientMeter } from '../../../src-main/core/live/client-meter.ts';
import { LiveEstimator, type Traffic } from '../../../src-main/core/live/estimator.ts';
import type { TrafficClass } from '../../../src-main/core/ike/traffic.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { radioProfile } from '../../support/builtins.ts';

const LTE = radioProfile('lte');
const CLASSES: TrafficClass[] = ['keepalive', 'dpd', 'data', 'rekey'];
const hex = (i: number): string => i.toString(16).padStart(16, '0');

function traffic(sa: string, dir: 'in' | 'out', ipBytes: number, cls: TrafficClass): Traffic {
  return { kind: 'traffic', dir, peer: { address: '198.18.1.2', port: 4500 }, local: { address: '198.18.2.2', port: 4500 }, bytes: ipBytes - 28, ipBytes, head: new Uint8Array(0), cls, sa, messageId: undefined, request: undefined, spi: undefined };
}

/** `n` datagrams of 20 clients at random, read (a meter, or totals) every `readEvery` on average. */
function run(n: number, readEvery: number, seed: number) {
  const rng = new Rng(seed);
  const est = new LiveEstimator({ profileFor: () => LTE });
  const clients = Array.from({ length: 20 }, (_, i) => `phone-${i}`);
  const sas = clients.map((_, i) => `${hex(i + 1)}_${hex(i + 100)}`);
  const ref = clients.map((c) => new ClientMeter(c, LTE, 0));
  // A handshake datagram before the first client is known: charged to it at its ike-up.
  const early = traffic(sas[0]!, 'in', 400, 'ike-setup');
  est.onEvent(0, early);
  ref[0]!.packet(0, true, 400, 'ike-setup');
  clients.forEach((c, i) => est.onEvent(0, { kind: 'ike-up', sa: sas[i]!, peerId: c, peer: { address: '198.18.1.2', port: 4500 }, virtualIp: null }));
  let t = 0;
  let reads = 0;
  for (let k = 0; k < n; k++) {
    t += rng.next() * 2; // each client about every 20 s: many wakeups, some datagrams in tails
    const i = Math.floor(rng.next() * clients.length);
    const up = rng.next() < 0.5;
    const bytes = 29 + Math.floor(rng.next() * 1400);
    const cls = CLASSES[Math.floor(rng.next() * CLASSES.length)]!;
    const out = est.onEvent(t, traffic(sas[i]!, up ? 'in' : 'out', bytes, cls));
    expect(out.packets[0]).toMatchObject({ client: clients[i], meter: i, t });
    ref[i]!.packet(t, up, bytes, cls);
    if (rng.next() * readEvery < 1) {
      reads++;
      const j = Math.floor(rng.next() * clients.length);
      // What the Live view reads: a meter's ring, which must hold every datagram so far.
      expect(est.meter(clients[j]!)!.recent.between(0, Infinity)).toEqual(ref[j]!.recent.between(0, Infinity));
    }
  }
  return { est, ref, clients, t, reads };
}

describe('the estimator journal', () => {
  for (const [what, n, readEvery] of [
    ['read every few datagrams', 3000, 5],
    ['never read until the end, overflowing the journal (4096) twice', 9000, Infinity],
  ] as const) {
    it(`gives each meter the same datagrams, in the same order, as feeding it at once: ${what}`, () => {
      const { est, ref, clients, t, reads } = run(n, readEvery, 7);
      if (readEvery === Infinity) expect(reads).toBe(0);
      else expect(reads).toBeGreaterThan(100);
      const totals = est.totals(t + 60);
      expect(totals.map((x) => x.client)).toEqual(clients);
      totals.forEach((x, i) => expect(x).toEqual(ref[i]!.totals(t + 60)));
      expect(totals.reduce((s, x) => s + x.packetsIn + x.packetsOut, 0)).toBe(n + 1);
      // The radios had them in order too: the same wakeups, with the same energy.
      const closed = est.finish(t + 60).closed;
      expect(closed.length).toBeGreaterThan(20);
      expect(closed).toEqual(ref.flatMap((m) => m.finish(t + 60)).sort((a, b) => clients.indexOf(a.client) - clients.indexOf(b.client)));
    });
  }
});
