// The session recording's writer: many rows in one commit (statements of many rows each), in
// order per session, all or nothing.
import { describe, expect, it } from 'vitest';
import type { ClientPacket } from '../../../src-main/core/live/estimator.ts';
import { SessionWriter } from '../../../src-main/node/live/session-writer.ts';
import { MEMORY, openDatabase } from '../../../src-main/node/store/open.ts';
import { sessionPackets } from '../../../src-main/node/store/sessions.ts';

function packet(client: string, t: number, i: number): ClientPacket {
  return {
    client,
    t,
    traffic: { kind: 'traffic', dir: i % 2 ? 'out' : 'in', peer: { address: '198.18.1.2', port: 4500 + (i % 3) }, local: { address: '198.18.2.2', port: 4500 }, bytes: 80 + i, ipBytes: 108 + i, head: Uint8Array.of(i & 0xff, 1, 2), cls: 'keepalive', sa: 'a_b', messageId: i, request: i % 2 === 0 },
  };
}

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
});
