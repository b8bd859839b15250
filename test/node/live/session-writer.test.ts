// The session recording's writer: many rows in one commit, in order per session, all or nothing;
// packets in chunk rows, and what a periodic commit may hold back.
import { describe, expect, it } from 'vitest';
import type { ClientPacket } from '../../../src-main/core/live/estimator.ts';
import { CHUNK_MAX, SessionWriter } from '../../../src-main/node/live/session-writer.ts';
import { MEMORY, openDatabase } from '../../../src-main/node/store/open.ts';
import { sessionPackets, sessionWakeups } from '../../../src-main/node/store/sessions.ts';

/** Each client's number, as an estimator gives them (in the order they come). */
const meters = new Map<string, number>();
const meterOf = (client: string): number => meters.get(client) ?? (meters.set(client, meters.size), meters.size - 1);

function packet(client: string, t: number, i: number): ClientPacket {
  return {
    client,
    meter: meterOf(client),
    t,
    traffic: { kind: 'traffic', dir: i % 2 ? 'out' : 'in', peer: { address: '198.18.1.2', port: 4500 + (i % 3) }, local: { address: '198.18.2.2', port: 4500 }, bytes: 80 + i, ipBytes: 108 + i, head: Uint8Array.of(i & 0xff, 1, 2), cls: 'keepalive', sa: 'a_b', messageId: i, request: i % 2 === 0 },
  };
}

function lab() {
  const { db } = openDatabase(MEMORY);
  const labId = Number(db.prepare("INSERT INTO labs (started_at, config_json, wakelab_version) VALUES ('2026-01-01T00:00:00.000Z', '{}', 'test')").run().lastInsertRowid);
  return { db, labId };
}

const NONE = { wakeups: [], closed: [], events: [], packets: [] };
const HOLD = { chunkAgeMs: 5000 };

describe('SessionWriter', () => {
  it('writes hundreds of packets of several clients in one commit, each client in order', () => {
    const { db } = openDatabase(MEMORY);
    const labId = Number(db.prepare("INSERT INTO labs (started_at, config_json, wakelab_version) VALUES ('2026-01-01T00:00:00.000Z', '{}', 'test')").run().lastInsertRowid);
    const w = new SessionWriter(db, labId, () => ({ id: 'lte', json: '{}' }));
    const n = 301; // several full statements of 64 rows and a remainder
    w.add({ wakeups: [], closed: [], events: [], packets: Array.from({ length: n }, (_, i) => packet(i % 3 === 0 ? 'a' : 'b', i * 0.5, i)) });
    const c = w.commit();
    expect(c).toMatchObject({ packets: n, total: { packets: n } });
    const ids = db.prepare('SELECT id, client FROM sessions ORDER BY id').all() as { id: number; client: string }[];
    expect(ids.map((s) => s.client)).toEqual(['a', 'b']);
    const a = [...sessionPackets(db, ids[0]!.id)];
    const b = [...sessionPackets(db, ids[1]!.id)];
    expect(a).toHaveLength(101);
    expect(b).toHaveLength(200);
    expect(a.map((p) => p.seq)).toEqual(a.map((_, i) => i));
    expect(b.map((p) => p.tS)).toEqual(b.map((p) => p.tS).sort((x, y) => x - y));
    // Every field of the 200th row of b made it through (i = 299: 299 % 3 != 0, so b).
    expect(b.at(-1)).toMatchObject({ dir: 'out', bytes: 379, cls: 'keepalive', peer: { address: '198.18.1.2', port: 4502 }, local: { address: '198.18.2.2', port: 4500 }, ikeSa: 'a_b', messageId: 299, request: false });
    expect([...b.at(-1)!.head]).toEqual([299 & 0xff, 1, 2]);
    // The next commit carries on with the numbers.
    w.add({ wakeups: [], closed: [], events: [], packets: [packet('a', 200, 1000)] });
    w.commit();
    expect([...sessionPackets(db, ids[0]!.id)].at(-1)!.seq).toBe(101);
    db.close();
  });

  it('holds packets and ended wakeups until a chunk is full or old enough, or the caller flushes, numbering them on without a gap', () => {
    const { db, labId } = lab();
    let now = 0;
    const w = new SessionWriter(db, labId, () => ({ id: 'lte', json: '{}' }), () => now);
    w.add({ ...NONE, packets: Array.from({ length: CHUNK_MAX + 5 }, (_, i) => packet('busy', i, i)) });
    w.add({ ...NONE, packets: [packet('quiet', 1, 0), packet('quiet', 2, 1)] });
    const held = w.commit(HOLD);
    // busy's chunk is full: all its packets go, in one row; quiet's two wait.
    expect(held).toMatchObject({ packets: CHUNK_MAX + 5, rows: 2, total: { packets: CHUNK_MAX + 5 }, held: 2 }); // its session and one chunk
    expect(w.queued).toBe(2);
    const chunks = () => db.prepare('SELECT s.client, c.first_seq, c.count, c.first_t_s, c.last_t_s FROM session_packet_chunks c JOIN sessions s ON s.id = c.session_id ORDER BY c.rowid').raw().all();
    expect(chunks()).toEqual([['busy', 0, CHUNK_MAX + 5, 0, CHUNK_MAX + 4]]);
    now = 4000;
    expect(w.commit(HOLD)).toMatchObject({ packets: 0, rows: 0, held: 2 });
    w.add({ ...NONE, packets: [packet('busy', 500, 7)] }); // busy's new chunk starts at 4000
    now = 5000;
    // quiet's two have waited 5 s: written; busy's one only 1 s: held.
    expect(w.commit(HOLD)).toMatchObject({ packets: 2, total: { packets: CHUNK_MAX + 7 }, held: 1 });
    expect(w.queued).toBe(1);
    expect(w.commit()).toMatchObject({ packets: 1, total: { packets: CHUNK_MAX + 8 }, held: 0 });
    expect(chunks()).toEqual([
      ['busy', 0, CHUNK_MAX + 5, 0, CHUNK_MAX + 4],
      ['quiet', 0, 2, 1, 2],
      ['busy', CHUNK_MAX + 5, 1, 500, 500],
    ]);
    expect(w.queued).toBe(0);
    // The view gives the rows the reader gives, field for field.
    for (const { id } of db.prepare('SELECT id FROM sessions').all() as { id: number }[]) {
      const viaView = db.prepare('SELECT seq, t_s, dir, class, bytes, local_addr, local_port, peer_addr, peer_port, ike_sa, spi, message_id, request, head_hex FROM session_packets WHERE session_id = ? ORDER BY seq').raw().all(id);
      const viaReader = [...sessionPackets(db, id)].map((p) => [p.seq, p.tS, p.dir, p.cls, p.bytes, p.local.address, p.local.port, p.peer.address, p.peer.port, p.ikeSa, p.spi, p.messageId, p.request === null ? null : p.request ? 1 : 0, Buffer.from(p.head).toString('hex')]);
      expect(viaView).toEqual(viaReader);
      expect(viaView.length).toBeGreaterThan(0);
    }
    expect([...sessionPackets(db, 1)].map((p) => p.seq)).toEqual(Array.from({ length: CHUNK_MAX + 6 }, (_, i) => i));
    db.close();
  });

  it('writes the sessions that share a group together, on the clock of the oldest packet of the group, a row each; group g of 32 the first time after (1 - g/32) of the hold', () => {
    const { db, labId } = lab();
    let now = 0;
    const w = new SessionWriter(db, labId, () => ({ id: 'lte', json: '{}' }), () => now);
    // 33 clients: the first and the last are dealt to the same group of 32.
    const clients = Array.from({ length: 33 }, (_, i) => `c${i}`);
    w.add({ ...NONE, packets: [packet('c0', 0, 0)] });
    now = 3000;
    // A commit deals what came since the last one to the groups, each group's age counting from
    // the first of it (here c0's, at 0 s); nothing is old enough yet.
    expect(w.commit(HOLD)).toMatchObject({ packets: 0 });
    w.add({ ...NONE, packets: clients.slice(1).map((c, i) => packet(c, 3, i)) });
    now = 5000;
    // c0's group (0) has waited the whole 5 s: c0 and c32 are written. The other 31 groups started
    // at 3 s; of them, groups 20 to 31 wait (1 - g/32) x 5 s = 1.875 s or less their first time.
    expect(w.commit(HOLD)).toMatchObject({ packets: 14 });
    const written = () => db.prepare('SELECT s.client, c.first_seq, c.count FROM session_packet_chunks c JOIN sessions s ON s.id = c.session_id ORDER BY s.client, c.first_seq').raw().all() as [string, number, number][];
    expect(written()).toEqual(['c0', ...Array.from({ length: 12 }, (_, i) => `c${20 + i}`), 'c32'].map((c) => [c, 0, 1]));
    w.add({ ...NONE, packets: [packet('c32', 4, 1), packet('c0', 5, 1), packet('c32', 6, 2)] });
    now = 8000;
    // Groups 1 to 19 have waited 5 s; group 0's new rows, from 5 s on, wait the whole hold now.
    expect(w.commit(HOLD)).toMatchObject({ packets: 19 });
    expect(w.queued).toBe(3);
    now = 10000;
    expect(w.commit(HOLD)).toMatchObject({ packets: 3 });
    expect(written().filter(([c]) => c === 'c0' || c === 'c32')).toEqual([
      ['c0', 0, 1],
      ['c0', 1, 1],
      ['c32', 0, 1],
      ['c32', 1, 2],
    ]);
    const c32 = db.prepare("SELECT id FROM sessions WHERE client = 'c32'").pluck().get() as number;
    expect([...sessionPackets(db, c32)].map((p) => [p.seq, p.tS, p.messageId])).toEqual([
      [0, 3, 31],
      [1, 4, 1],
      [2, 6, 2],
    ]);
    db.close();
  });

  it('spreads the groups\' rows over the commits of a busy lab, rather than writing every group in one', () => {
    const { db, labId } = lab();
    let now = 0;
    const w = new SessionWriter(db, labId, () => ({ id: 'lte', json: '{}' }), () => now);
    const clients = Array.from({ length: 64 }, (_, i) => `c${i}`);
    const rowsPerCommit: number[] = [];
    const hold = { chunkAgeMs: 10_000 };
    // Every client sends every 250 ms for 60 s, with a periodic commit after each round, as run-lab.ts does.
    for (let k = 0; k < 240; k++) {
      now = k * 250;
      w.add({ ...NONE, packets: clients.map((c, i) => packet(c, now / 1000, k * 64 + i)) });
      const c = w.commit(hold);
      if (k > 0) rowsPerCommit.push(c.rows);
    }
    const flushed = w.commit();
    const total = db.prepare('SELECT sum(count) FROM session_packet_chunks').pluck().get() as number;
    expect(total).toBe(240 * 64);
    expect(flushed.packets).toBeGreaterThan(0);
    // Two sessions a group: after the first hold, no commit writes more than two groups' rows, and
    // rows go out in most commits. (Without the first-time lead, every group came due in the same
    // commit: 64 rows once in 10 s and none in between.)
    const steady = rowsPerCommit.slice(40);
    expect(Math.max(...steady)).toBeLessThanOrEqual(4);
    expect(steady.filter((r) => r > 0).length).toBeGreaterThan(steady.length / 2);
    db.close();
  });

  it('moves the last time of a session row with its totals, while its latest packets still wait', () => {
    const { db, labId } = lab();
    let now = 0;
    const w = new SessionWriter(db, labId, () => ({ id: 'lte', json: '{}' }), () => now);
    w.add({ ...NONE, packets: [packet('a', 1, 0)] });
    w.commit();
    w.add({ ...NONE, packets: [packet('a', 7, 1), packet('a', 9, 2)] });
    const totals = { client: 'a', state: 'idle', connectedS: 9, energyJ: {}, wakeups: {}, totalJ: 0, joulesPerHour: 0, wakeupsPerHour: {}, packetsIn: 2, packetsOut: 1, lastIn: 7, lastOut: 9 };
    w.setTotals(totals as never);
    expect(w.commit(HOLD)).toMatchObject({ packets: 0 }); // the two wait for their chunk
    expect(db.prepare("SELECT last_s FROM sessions WHERE client = 'a'").pluck().get()).toBe(9);
    db.close();
  });

  it('writes a wakeup once, with its energy, when its tail has ended', () => {
    const { db, labId } = lab();
    const w = new SessionWriter(db, labId, () => ({ id: 'lte', json: '{}' }));
    const viaView = () => db.prepare('SELECT n, t_s, cause, state_left, energy_j FROM live_wakeups ORDER BY n').raw().all();
    // Opened: nothing to write yet.
    w.add({ ...NONE, packets: [packet('a', 0, 0)], wakeups: [{ client: 'a', n: 0, t: 0, cause: 'dpd', stateLeft: 'idle' }] });
    expect(w.commit()).toMatchObject({ packets: 1, wakeups: 0 });
    expect(viaView()).toEqual([]);
    w.add({ ...NONE, closed: [{ client: 'a', n: 0, t: 0, cause: 'dpd', stateLeft: 'idle', energyJ: 1.5 }] });
    w.add({ ...NONE, closed: [{ client: 'a', n: 1, t: 40.25, cause: 'keepalive', stateLeft: 'idle', energyJ: 2.25 }] });
    // A held commit keeps them (the chunk is not full) ...
    expect(w.commit(HOLD)).toMatchObject({ wakeups: 0, rows: 0 });
    expect(w.queued).toBe(2);
    // ... the next flush writes both in one row.
    expect(w.commit()).toMatchObject({ wakeups: 2, rows: 1, total: { wakeups: 2 } });
    expect(db.prepare('SELECT first_n, count FROM live_wakeup_chunks').raw().all()).toEqual([[0, 2]]);
    expect(viaView()).toEqual([
      [0, 0, 'dpd', 'idle', 1.5],
      [1, 40.25, 'keepalive', 'idle', 2.25],
    ]);
    expect(sessionWakeups(db, 1)).toEqual([
      { n: 0, tS: 0, cause: 'dpd', stateLeft: 'idle', energyJ: 1.5 },
      { n: 1, tS: 40.25, cause: 'keepalive', stateLeft: 'idle', energyJ: 2.25 },
    ]);
    db.close();
  });

  it('keeps everything queued when a commit fails, and writes it with the next', () => {
    const { db, labId } = lab();
    const w = new SessionWriter(db, labId, () => ({ id: 'lte', json: '{}' }));
    w.add({ ...NONE, packets: [packet('a', 0, 0), packet('a', 1, 1)], closed: [{ client: 'a', n: 0, t: 0, cause: 'dpd', stateLeft: 'idle', energyJ: 1 }] });
    db.exec("CREATE TRIGGER no_wakeups BEFORE INSERT ON live_wakeup_chunks BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    expect(() => w.commit()).toThrow(/disk says no/);
    expect(db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM session_packet_chunks').pluck().get()).toBe(0);
    expect(w.queued).toBe(3);
    db.exec('DROP TRIGGER no_wakeups');
    expect(w.commit()).toMatchObject({ packets: 2, wakeups: 1 });
    expect([...sessionPackets(db, 1)].map((p) => p.seq)).toEqual([0, 1]);
    expect(sessionWakeups(db, 1).map((x) => x.energyJ)).toEqual([1]);
    db.close();
  });
});
