// Robustness: random and mutated inner datagrams, seeded so a failure replays exactly. The host
// must never throw, every reply must be a well-formed datagram from its own address, and every
// datagram received must be accounted for exactly once (answered, absorbed, or dropped by reason).
import { describe, expect, it } from 'vitest';
import { isWakeLabError } from '../../../src-main/core/errors.ts';
import { decodeEchoRequest } from '../../../src-main/core/inner/icmp.ts';
import { decodeIpv4 } from '../../../src-main/core/inner/ipv4-packet.ts';
import { decodeUdp, encodeUdp } from '../../../src-main/core/inner/udp.ts';
import { VirtualHost, type VirtualHostCounters } from '../../../src-main/core/inner/virtual-host.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { CLIENT, h, HOST, PING, refChecksum, resealIpv4, UDP_ECHO } from './fixtures.ts';

const SEEDS: readonly Uint8Array[] = [
  PING,
  UDP_ECHO,
  encodeUdp({ src: CLIENT, dst: HOST, id: 3 }, 5000, 9, h('00112233445566778899')),
  encodeUdp({ src: CLIENT, dst: HOST, id: 4 }, 5000, 53, h('')),
];

/** Makes the ICMP or UDP checksum right again where the structure allows, to reach deeper code. */
function resealL4(b: Uint8Array): Uint8Array {
  const out = b.slice();
  const ihl = ((out[0] ?? 0) & 0x0f) * 4;
  const total = out.length >= 4 ? (out[2]! << 8) | out[3]! : 0;
  if (ihl < 20 || total > out.length || total < ihl + 8) return out;
  if (out[9] === 1) {
    out[ihl + 2] = 0;
    out[ihl + 3] = 0;
    const c = refChecksum(out, ihl, total);
    out[ihl + 2] = c >> 8;
    out[ihl + 3] = c & 0xff;
  } else if (out[9] === 17) {
    const len = (out[ihl + 4]! << 8) | out[ihl + 5]!;
    if (len < 8 || ihl + len > total) return out;
    out[ihl + 6] = 0;
    out[ihl + 7] = 0;
    const c = refChecksum(new Uint8Array([...out.subarray(12, 20), 0, 17, len >> 8, len & 0xff, ...out.subarray(ihl, ihl + len)])) || 0xffff;
    out[ihl + 6] = c >> 8;
    out[ihl + 7] = c & 0xff;
  }
  return out;
}

function mutate(rng: Rng, seed: Uint8Array): Uint8Array {
  const r = rng.nextU32() % 6;
  let b: Uint8Array = seed.slice();
  if (r === 0) {
    // Random bytes, sometimes behind a plausible first byte.
    b = Uint8Array.from({ length: rng.nextU32() % 80 }, () => rng.nextU32() & 0xff);
    if (b.length > 0 && rng.next() < 0.5) b[0] = 0x45;
  } else if (r === 1) {
    b = b.subarray(0, rng.nextU32() % (b.length + 1)).slice();
  } else {
    const flips = 1 + (rng.nextU32() % 4);
    for (let i = 0; i < flips; i++) {
      const at = rng.nextU32() % b.length;
      b[at] = r === 2 ? b[at]! ^ (1 << rng.nextU32() % 8) : rng.nextU32() & 0xff;
    }
  }
  if (b.length >= 20 && rng.next() < 0.6) b = resealIpv4(b);
  if (rng.next() < 0.6) b = resealL4(b);
  return b;
}

function accounted(c: VirtualHostCounters): number {
  return c.icmpEchoReplies + c.udpEchoReplies + c.udpDiscarded + Object.values(c.drops).reduce((a, n) => a + n, 0);
}

describe('VirtualHost fuzz', () => {
  it('20 000 random and mutated datagrams: no throw, valid replies, every datagram counted once', () => {
    const rng = new Rng(0x1e7);
    const vh = new VirtualHost({ address: HOST });
    const problems: string[] = [];
    let replies = 0;
    for (let n = 0; n < 20_000; n++) {
      const packet = mutate(rng, SEEDS[rng.nextU32() % SEEDS.length]!);
      let out: readonly Uint8Array[];
      try {
        out = vh.receive(n, packet);
      } catch (e) {
        problems.push(`#${n} threw ${String(e)}`);
        continue;
      }
      for (const reply of out) {
        replies++;
        const ip = decodeIpv4(reply);
        if (!ip.ok || ip.src !== HOST || ip.headerLength !== 20) {
          problems.push(`#${n}: bad reply`);
          continue;
        }
        const ok = ip.protocol === 1 ? verifyIcmp(ip.payload) : decodeUdp(ip.src, ip.dst, ip.payload).ok;
        if (!ok) problems.push(`#${n}: reply with a bad checksum`);
      }
      if (problems.length > 5) break;
    }
    expect(problems).toEqual([]);
    const c = vh.counters;
    expect(c.received).toBe(20_000);
    expect(accounted(c)).toBe(20_000);
    expect(c.icmpEchoReplies + c.udpEchoReplies).toBe(replies);
    // The mutations reach every outcome, not only the first checks.
    expect(c.icmpEchoReplies).toBeGreaterThan(0);
    expect(c.udpEchoReplies).toBeGreaterThan(0);
    expect(c.udpDiscarded).toBeGreaterThan(0);
    for (const reason of ['not-for-us', 'bad-header', 'bad-checksum', 'fragment', 'unsupported-protocol', 'closed-port'] as const) {
      expect(c.drops[reason], reason).toBeGreaterThan(0);
    }
  });

  it('random push specs either start a stream or throw INVALID_ARGUMENT, never anything else', () => {
    const rng = new Rng(77);
    const values: unknown[] = [0, 1, -1, 0.5, 7, 65507, 65508, 65535, 65536, NaN, Infinity, '30', null, undefined, CLIENT, '198.18.200.2', '127.0.0.1', {}];
    const good: Record<string, unknown[]> = { to: [CLIENT, '198.18.200.9'], port: [1, 5228], bytes: [0, 100], everyS: [0.5, 30], count: [1, 3], firstAfterS: [0, 2], fromPort: [9, 40000] };
    const pick = (k: string): unknown => (rng.next() < 0.8 ? good[k]![rng.nextU32() % 2] : values[rng.nextU32() % values.length]);
    const vh = new VirtualHost({ address: HOST });
    let started = 0;
    for (let n = 0; n < 3000; n++) {
      const spec: Record<string, unknown> = {};
      for (const k of Object.keys(good)) if (rng.next() < 0.7) spec[k] = pick(k);
      try {
        vh.stopPush(vh.push(n, spec as never));
        started++;
      } catch (e) {
        if (!isWakeLabError(e) || e.code !== 'INVALID_ARGUMENT') throw e;
      }
    }
    expect(started).toBeGreaterThan(0);
    expect(vh.nextDeadline()).toBe(Infinity);
  });
});

function verifyIcmp(msg: Uint8Array): boolean {
  // An Echo Reply fails decodeEchoRequest only by its type once the checksum verified.
  const r = decodeEchoRequest(msg);
  return !r.ok && r.reason === 'unsupported-icmp' && msg[0] === 0;
}
