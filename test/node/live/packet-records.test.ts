// A session's waiting packets as binary records, and the chunk JSON written from them byte by byte
// (packet-records.ts, json-bytes.ts): the text must be exactly what JSON.stringify gives for the
// documented per-packet arrays (docs/database.md, `session_packet_chunks`), times to the microsecond.
import { describe, expect, it } from 'vitest';
import { TRAFFIC_CLASSES } from '../../../src-main/core/ike/traffic.ts';
import type { ClientPacket } from '../../../src-main/core/live/estimator.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { JsonBytes, micros } from '../../../src-main/node/live/json-bytes.ts';
import { PacketRecords } from '../../../src-main/node/live/packet-records.ts';

function randomPacket(r: Rng, t: number): ClientPacket {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r.next() * xs.length)]!;
  const head = Uint8Array.from({ length: pick([0, 1, 8, 32, 36]) }, () => Math.floor(r.next() * 256));
  const bytes = Math.floor(r.next() * 65536);
  const u32 = (): number => Math.floor(r.next() * 2 ** 32);
  const traffic = {
    kind: 'traffic' as const,
    dir: pick(['in', 'out'] as const),
    peer: { address: pick(['127.0.0.1', '198.51.100.7', '2001:db8::1', 'h\u00f4te']), port: Math.floor(r.next() * 65536) },
    local: { address: pick(['0.0.0.0', '127.0.0.1']), port: pick([0, 9, 10, 500, 4500, 65535]) },
    head,
    bytes,
    ipBytes: bytes + 28,
    cls: pick(TRAFFIC_CLASSES),
    ...(r.next() < 0.7 ? { sa: pick(['71ac48d8f4bfd701_079af6c9b653bd5a', '0000000000000001_0000000000000000', 'with "quote" \\']) } : {}),
    ...(r.next() < 0.5 ? { spi: pick([0, 1, 9, 10, 4294967295, u32()]) } : {}),
    ...(r.next() < 0.5 ? { messageId: pick([0, 7, 99, 100, 4294967295, u32()]) } : {}),
    ...(r.next() < 0.6 ? { request: r.next() < 0.5 } : {}),
  };
  return { client: 'c', t, traffic };
}

const toUs = (t: number): number => Math.round(t * 1e6) / 1e6;

/** The documented element of one packet, as JSON.stringify writes it. */
const expected = (p: ClientPacket): unknown[] => {
  const x = p.traffic;
  return [toUs(p.t), x.dir, x.cls, x.bytes, x.local.address, x.local.port, x.peer.address, x.peer.port, x.sa ?? null, x.spi ?? null, x.messageId ?? null, x.request === undefined ? null : x.request ? 1 : 0, Buffer.from(x.head).toString('hex')];
};

describe('PacketRecords', () => {
  it('writes exactly the JSON of the documented arrays, over several chunks of one reused buffer', () => {
    const r = new Rng(7);
    const out = new JsonBytes();
    const records = new PacketRecords();
    const times = [0, 1, 9.5, 10, 375.8870052, 1e-7, 123456789.125, 2 ** 53 + 2, 0.1 + 0.2, 1e21];
    for (let chunk = 0; chunk < 6; chunk++) {
      const packets = Array.from({ length: chunk === 0 ? 1 : 40 * chunk }, (_, i) => randomPacket(r, i < times.length ? times[i]! : r.next() * 1e5));
      for (const p of packets) records.push(p);
      expect(records.count).toBe(packets.length);
      expect(records.firstT).toBe(toUs(packets[0]!.t));
      expect(records.lastT).toBe(toUs(packets.at(-1)!.t));
      const text = records.json(out);
      expect(text).toBe(JSON.stringify(packets.map(expected)));
      records.clear();
      expect(records.count).toBe(0);
    }
  });

  it('writes microseconds as seconds exactly as String(us / 1e6) does', () => {
    const r = new Rng(11);
    const b = Buffer.alloc(64);
    const values = [0, 1, 9, 10, 100, 999_999, 1_000_000, 1_000_001, 1_234_500, 2 ** 53 - 1, 1e15, 1e20, 1e21, -5, -1_500_000];
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(r.next() * 10 ** Math.floor(r.next() * 16)));
    for (const us of values) expect(b.toString('latin1', 0, micros(b, 0, us))).toBe(String(us / 1e6));
  });

  it('writes an empty chunk as an empty array', () => {
    expect(new PacketRecords().json(new JsonBytes())).toBe('[]');
  });
});
