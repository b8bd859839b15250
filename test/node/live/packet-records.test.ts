// A session's waiting packets as binary records, packed into a chunk row (packet-records.ts,
// node/store/packet-chunk.ts, schema version 4): every field must come back as it went in, through
// the reader and through the `session_packets` view alike, whatever form the head was packed in.
import { describe, expect, it } from 'vitest';
import { TRAFFIC_CLASSES } from '../../../src-main/core/ike/traffic.ts';
import type { ClientPacket } from '../../../src-main/core/live/estimator.ts';
import { Rng } from '../../../src-main/core/rng.ts';
import { JsonBytes } from '../../../src-main/node/live/json-bytes.ts';
import { PacketRecords } from '../../../src-main/node/live/packet-records.ts';
import { MEMORY, openDatabase } from '../../../src-main/node/store/open.ts';
import { classCode, CODE, HEAD_ESP, HEAD_HEX, HEAD_IKE, PACKED_CLASSES, unpackChunk } from '../../../src-main/node/store/packet-chunk.ts';

const SAS = ['71ac48d8f4bfd701_079af6c9b653bd5a', '0000000000000001_0000000000000000', 'with "quote" \\', 'ABCDEF0123456789_0123456789ABCDEF'];

function randomPacket(r: Rng, t: number): ClientPacket {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r.next() * xs.length)]!;
  const u32 = (): number => Math.floor(r.next() * 2 ** 32);
  const octets = (n: number): number[] => Array.from({ length: n }, () => Math.floor(r.next() * 256));
  const bytes = Math.floor(r.next() * 65536);
  const sa = r.next() < 0.8 ? pick(SAS) : undefined;
  const spi = r.next() < 0.5 ? pick([0, 1, 9, 10, 4294967295, u32()]) : undefined;
  const messageId = r.next() < 0.6 ? pick([0, 7, 99, 100, 4294967295, u32()]) : undefined;
  const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  // Heads as the gateway records them (wire-head.ts), some true to the other fields, some not.
  let head: number[];
  const kind = r.next();
  if (kind < 0.45) {
    const marker = r.next() < 0.5 ? [0, 0, 0, 0] : r.next() < 0.1 ? [0, 0, 1, 0] : [];
    const spis = sa && /^[0-9a-f]{16}_/.test(sa) && r.next() < 0.9 ? [...Buffer.from(sa.replace('_', ''), 'hex')] : octets(16);
    const mid = r.next() < 0.9 ? (messageId ?? u32()) : u32();
    const length = r.next() < 0.9 ? bytes - marker.length : u32();
    head = [...marker, ...spis, ...octets(4), ...be32(mid), ...be32(length >>> 0), ...octets(4)];
  } else if (kind < 0.75) head = [...be32(r.next() < 0.9 ? (spi ?? u32()) : u32()), ...be32(u32())];
  else if (kind < 0.85) head = [0xff];
  else head = octets(pick([0, 1, 3, 8, 31, 32, 36]));
  const traffic = {
    kind: 'traffic' as const,
    dir: pick(['in', 'out'] as const),
    peer: { address: pick(['127.0.0.1', '198.51.100.7', '2001:db8::1', 'h\u00f4te']), port: Math.floor(r.next() * 65536) },
    local: { address: pick(['0.0.0.0', '127.0.0.1']), port: pick([0, 9, 10, 500, 4500, 65535]) },
    head: Uint8Array.from(head),
    bytes,
    ipBytes: bytes + 28,
    cls: pick(TRAFFIC_CLASSES),
    ...(sa !== undefined ? { sa } : {}),
    ...(spi !== undefined ? { spi } : {}),
    ...(messageId !== undefined ? { messageId } : {}),
    ...(r.next() < 0.6 ? { request: r.next() < 0.5 } : {}),
  };
  return { client: 'c', meter: 0, t, traffic };
}

/** What a packet must read back as, in the view's columns. */
const expected = (p: ClientPacket, seq: number): unknown[] => {
  const x = p.traffic;
  return [seq, Math.round(p.t * 1e6) / 1e6, x.dir, x.cls, x.bytes, x.local.address, x.local.port, x.peer.address, x.peer.port, x.sa ?? null, x.spi ?? null, x.messageId ?? null, x.request === undefined ? null : x.request ? 1 : 0, Buffer.from(x.head).toString('hex')];
};

const VIEW = 'SELECT seq, t_s, dir, class, bytes, local_addr, local_port, peer_addr, peer_port, ike_sa, spi, message_id, request, head_hex FROM session_packets WHERE session_id = ? ORDER BY seq';

describe('PacketRecords', () => {
  it('packs chunks whose every field reads back the same through the reader and the view, in every head form', () => {
    const r = new Rng(7);
    const out = new JsonBytes(64); // grows many times
    const records = new PacketRecords();
    const { db } = openDatabase(MEMORY);
    db.prepare("INSERT INTO labs (id, started_at, config_json, wakelab_version) VALUES (1, '2026-01-01T00:00:00.000Z', '{}', 'test')").run();
    db.prepare("INSERT INTO sessions (id, lab_id, client, first_s, last_s, radio_id, radio_json, totals_json) VALUES (1, 1, 'c', 0, 0, 'lte', '{}', '{}')").run();
    const insert = db.prepare('INSERT INTO session_packet_chunks (session_id, first_seq, count, first_t_s, last_t_s, ends, ike_sas, packets) VALUES (1, ?, ?, ?, ?, ?, ?, ?)');
    const times = [0, 1e-7, 9.5, 10, 375.8870052, 123456789.125, 0.1 + 0.2, 1e9 + 0.000001];
    const forms = new Map<number, number>();
    const all: ClientPacket[] = [];
    let t = 0;
    for (let chunk = 0; chunk < 8; chunk++) {
      const packets = Array.from({ length: chunk === 0 ? 1 : 50 * chunk }, (_, i) => randomPacket(r, chunk === 0 ? 0 : i < times.length && chunk === 1 ? Math.max(t, times[i]!) : (t += r.next() * 700)));
      if (chunk === 1) t = packets.at(-1)!.t;
      for (const p of packets) records.push(p);
      expect(records.count).toBe(packets.length);
      const c = records.pack(out);
      expect(c.count).toBe(packets.length);
      expect(c.firstT).toBe(Math.round(packets[0]!.t * 1e6) / 1e6);
      expect(c.lastT).toBe(Math.round(packets.at(-1)!.t * 1e6) / 1e6);
      for (const [, code] of JSON.parse(c.packets) as [number, number][]) forms.set((code >> CODE.FORM_SHIFT) & 3, (forms.get((code >> CODE.FORM_SHIFT) & 3) ?? 0) + 1);
      const row = { first_seq: all.length, first_t_s: c.firstT, ends: c.ends, ike_sas: c.ikeSas, packets: c.packets };
      const back = unpackChunk(row).map((p) => [p.seq, p.tS, p.dir, p.cls, p.bytes, p.local.address, p.local.port, p.peer.address, p.peer.port, p.ikeSa, p.spi, p.messageId, p.request === null ? null : p.request ? 1 : 0, Buffer.from(p.head).toString('hex')]);
      expect(back).toEqual(packets.map((p, i) => expected(p, all.length + i)));
      insert.run(all.length, c.count, c.firstT, c.lastT, c.ends, c.ikeSas, c.packets);
      all.push(...packets);
      records.clear();
      expect(records.count).toBe(0);
    }
    // Every form was used, the compact ones often.
    expect(forms.get(HEAD_HEX)).toBeGreaterThan(100);
    expect(forms.get(HEAD_IKE)).toBeGreaterThan(100);
    expect(forms.get(HEAD_ESP)).toBeGreaterThan(100);
    expect(db.prepare(VIEW).raw().all(1)).toEqual(all.map(expected));
    db.close();
  });

  it('packs a lab packet in under 60 octets: the head keeps only what no other field holds', () => {
    const sa = '71ac48d8f4bfd701_079af6c9b653bd5a';
    const ike = Buffer.from(`00000000${sa.replace('_', '')}2e202500000000070000004c2900000c`, 'hex'); // marker, header (ID 7, length 76), payload header
    const esp = Buffer.from('c0ffee0100000123', 'hex');
    const base = { kind: 'traffic' as const, peer: { address: '198.18.1.2', port: 40001 }, local: { address: '0.0.0.0', port: 4500 }, sa };
    const records = new PacketRecords();
    records.push({ client: 'c', meter: 0, t: 1234.5, traffic: { ...base, dir: 'in', cls: 'dpd', bytes: 80, ipBytes: 108, head: ike, messageId: 7, request: true } });
    records.push({ client: 'c', meter: 0, t: 1834.500001, traffic: { ...base, dir: 'out', cls: 'data', bytes: 120, ipBytes: 148, head: esp, spi: 0xc0ffee01 } });
    const c = records.pack(new JsonBytes());
    const packets = JSON.parse(c.packets) as unknown[][];
    expect(packets.map((p) => ((p[1] as number) >> CODE.FORM_SHIFT) & 3)).toEqual([HEAD_IKE, HEAD_ESP]);
    expect(packets[1]![0]).toBe(600_000_001); // microseconds after the chunk's first
    for (const p of packets) expect(JSON.stringify(p).length).toBeLessThan(60);
    expect(JSON.parse(c.ends)).toEqual([['0.0.0.0', 4500, '198.18.1.2', 40001]]);
    expect(JSON.parse(c.ikeSas)).toEqual([sa]);
    expect(unpackChunk({ first_seq: 0, first_t_s: c.firstT, ...c, ike_sas: c.ikeSas }).map((p) => Buffer.from(p.head).toString('hex'))).toEqual([ike.toString('hex'), esp.toString('hex')]);
  });

  it('keeps the packets of several sessions in one buffer and packs each session apart', () => {
    const r = new Rng(3);
    const records = new PacketRecords();
    const sent = new Map<number, ClientPacket[]>();
    for (let i = 0; i < 600; i++) {
      const session = [5, 0, 17, 5, 5, 1e6][Math.floor(r.next() * 6)]!;
      const p = randomPacket(r, i * 0.25);
      records.push(p, session);
      sent.set(session, [...(sent.get(session) ?? []), p]);
    }
    const by = records.bySession();
    expect([...by.keys()].sort((x, y) => x - y)).toEqual([...sent.keys()].sort((x, y) => x - y));
    for (const [session, offsets] of by) {
      const c = records.pack(new JsonBytes(), offsets);
      const packets = sent.get(session)!;
      expect(c.count).toBe(packets.length);
      const back = unpackChunk({ first_seq: 0, first_t_s: c.firstT, ends: c.ends, ike_sas: c.ikeSas, packets: c.packets });
      expect(back.map((p) => [p.tS, p.bytes, p.ikeSa, Buffer.from(p.head).toString('hex')])).toEqual(packets.map((p) => [Math.round(p.t * 1e6) / 1e6, p.traffic.bytes, p.traffic.sa ?? null, Buffer.from(p.traffic.head).toString('hex')]));
    }
  });

  it('packs a packet queued after later ones (a handshake held until its client was known) with a negative offset', () => {
    const r = new Rng(13);
    const records = new PacketRecords();
    const times = [50.02, 50, 49.5, 51.25, 12];
    const packets = times.map((t) => randomPacket(r, t));
    for (const p of packets) records.push(p);
    const c = records.pack(new JsonBytes());
    expect((JSON.parse(c.packets) as number[][]).map((p) => p[0])).toEqual([0, -20_000, -520_000, 1_230_000, -38_020_000]);
    const back = unpackChunk({ first_seq: 0, first_t_s: c.firstT, ends: c.ends, ike_sas: c.ikeSas, packets: c.packets });
    expect(back.map((p) => p.tS)).toEqual(times);
    const { db } = openDatabase(MEMORY);
    db.prepare("INSERT INTO labs (id, started_at, config_json, wakelab_version) VALUES (1, '2026-01-01T00:00:00.000Z', '{}', 'test')").run();
    db.prepare("INSERT INTO sessions (id, lab_id, client, first_s, last_s, radio_id, radio_json, totals_json) VALUES (1, 1, 'c', 0, 0, 'lte', '{}', '{}')").run();
    db.prepare('INSERT INTO session_packet_chunks (session_id, first_seq, count, first_t_s, last_t_s, ends, ike_sas, packets) VALUES (1, 0, ?, ?, ?, ?, ?, ?)').run(c.count, c.firstT, c.lastT, c.ends, c.ikeSas, c.packets);
    expect(db.prepare(VIEW).raw().all(1)).toEqual(packets.map(expected));
    db.close();
  });

  it('numbers every traffic class', () => {
    expect([...PACKED_CLASSES].sort()).toEqual([...TRAFFIC_CLASSES].sort());
  });

  it('codes each class as its place in PACKED_CLASSES (the stored format)', () => {
    expect(TRAFFIC_CLASSES.map((c) => PACKED_CLASSES[classCode(c)])).toEqual(TRAFFIC_CLASSES);
  });

  it('packs an empty chunk as empty arrays', () => {
    expect(new PacketRecords().pack(new JsonBytes())).toEqual({ packets: '[]', ends: '[]', ikeSas: '[]', count: 0, firstT: 0, lastT: 0 });
  });
});

describe('PacketRecords.copy', () => {
  it('moves records from a journal to other buffers (as the session writer deals them) with every field and string intact', () => {
    const r = new Rng(11);
    const journal = new PacketRecords();
    const direct = [new PacketRecords(), new PacketRecords()];
    const dealt = [new PacketRecords(), new PacketRecords()];
    for (let round = 0; round < 3; round++) {
      const packets = Array.from({ length: 40 }, (_, i) => randomPacket(r, round * 100 + i));
      packets.forEach((p, i) => {
        journal.push(p, i % 5);
        direct[i % 2]!.push(p, i % 5);
      });
      const sessions: number[] = [];
      for (let at = 0, k = 0; at < journal.end; k++) {
        sessions.push(journal.sessionOf(at));
        at = dealt[k % 2]!.copy(journal, at);
      }
      expect(sessions).toEqual(packets.map((_, i) => i % 5));
      journal.clear(); // the journal's strings are written over next round: the copies keep their own
    }
    for (const b of [0, 1]) {
      expect(dealt[b]!.count).toBe(60);
      expect(dealt[b]!.bySession()).toEqual(direct[b]!.bySession());
      expect(dealt[b]!.pack(new JsonBytes())).toEqual(direct[b]!.pack(new JsonBytes()));
    }
  });
});
