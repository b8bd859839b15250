// ESP from WakeLab's client to the Gateway over a link that loses, duplicates and reorders: what
// the Gateway accepts is exactly what a reference anti-replay window accepts (RFC 4303 3.4.3), and
// everything accepted reaches the virtual host once.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng.ts';
import type { Send } from '../../../src-main/core/ike/io.ts';
import { udp } from '../esp/support/pair.ts';
import { Tunnel } from './support/tunnel.ts';

const VIP = '198.18.200.1';
const HOST = '198.18.100.1';

const isEsp = (s: Send) => s.to.port === 4500 && s.bytes.length > 8 && (s.bytes[0]! | s.bytes[1]! | s.bytes[2]! | s.bytes[3]!) !== 0;
const seqOf = (s: Send) => new DataView(s.bytes.buffer, s.bytes.byteOffset).getUint32(4);

/** The window as RFC 4303 3.4.3 describes it, in the plainest form: a set and the highest number. */
function referenceWindow(size: number) {
  const seen = new Set<number>();
  let highest = 0;
  return (seq: number): boolean => {
    if (size > 0) {
      if (seq + size <= highest || seen.has(seq)) return false;
    }
    seen.add(seq);
    highest = Math.max(highest, seq);
    return true;
  };
}

describe('ESP through a lossy, duplicating, reordering link into the Gateway', () => {
  for (const [window, seed] of [
    [32, 1],
    [128, 2],
    [128, 3],
    [0, 4],
  ] as const) {
    it(`window ${window}, seed ${seed}: the Gateway accepts exactly what the reference window accepts`, () => {
      const t = Tunnel.up({ gateway: { esp: { proposals: ['aes128gcm16'], rekeyS: 0, replayWindow: window, backend: 'noble' } } });
      const rng = new Rng(seed);
      const held: Send[] = [];
      const arrived: number[] = [];
      let lost = 0;
      t.filter = (s, by) => {
        if (by !== 'i' || !isEsp(s)) return [s];
        const r = rng.next();
        let out: Send[];
        if (r < 0.1) {
          lost++;
          out = [];
        } else if (r < 0.2) out = [s, s];
        else if (r < 0.4) {
          // Held back, to arrive after later packets (at most 60 behind).
          held.push(s);
          out = held.length > 60 ? [held.shift()!] : [];
        } else out = [s];
        if (held.length > 0 && rng.next() < 0.3) out.push(held.splice(Math.floor(rng.next() * held.length), 1)[0]!);
        for (const o of out) arrived.push(seqOf(o));
        return out;
      };
      for (let i = 0; i < 600; i++) {
        expect(t.clientSends(udp(VIP, HOST, 40, i, 40000, 9))).toBe(true);
        if (i % 25 === 24) t.run(t.now + 0.1);
      }
      t.filter = (s) => [s];
      for (const s of held.splice(0)) {
        arrived.push(seqOf(s));
        t.gateway.receive(t.now, s.bytes, s.from, s.to);
      }
      t.run(t.now + 1);
      const model = referenceWindow(window);
      const accepted = arrived.filter((seq) => model(seq)).length;
      const c = t.gateway.dataPlane.counters().total;
      expect(c.packetsIn).toBe(accepted);
      expect(c.dropsIn.replay).toBe(arrived.length - accepted);
      expect(t.gateway.host.counters.udpDiscarded).toBe(accepted);
      // The link did what it was asked to: some lost, some duplicated, some out of order.
      expect(lost).toBeGreaterThan(20);
      expect(arrived.length).toBeGreaterThan(600 - lost);
      expect(arrived.some((seq, i) => i > 0 && seq < arrived[i - 1]!)).toBe(true);
      if (window > 0) {
        expect(c.dropsIn.replay).toBeGreaterThan(0);
        expect(accepted).toBeLessThanOrEqual(600 - lost);
      }
      else expect(accepted).toBe(arrived.length);
    });
  }
});
