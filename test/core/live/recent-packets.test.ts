// The ring of a client's latest datagrams behind the Live view's timeline.
import { describe, expect, it } from 'vitest';
import { CAUSE } from '../../../src-main/core/causes.ts';
import { RecentPackets } from '../../../src-main/core/live/recent-packets.ts';

describe('RecentPackets', () => {
  it('keeps the latest `capacity` datagrams in order, each field as pushed, and selects a time window', () => {
    const r = new RecentPackets(4);
    expect(r.between(-Infinity, Infinity)).toEqual([]);
    r.push(1, true, 108, CAUSE.keepalive);
    r.push(2, false, 1500, CAUSE.dpd);
    expect(r.between(0, 10)).toEqual([
      { tS: 1, up: true, bytes: 108, cause: 'keepalive' },
      { tS: 2, up: false, bytes: 1500, cause: 'dpd' },
    ]);
    for (let t = 3; t <= 9; t++) r.push(t, t % 2 === 0, 100 + t, CAUSE.data);
    expect(r.size).toBe(4);
    // 1..5 were dropped, oldest first; the window is inclusive at both ends.
    expect(r.between(0, 100).map((p) => p.tS)).toEqual([6, 7, 8, 9]);
    expect(r.between(7, 8)).toEqual([
      { tS: 7, up: false, bytes: 107, cause: 'data' },
      { tS: 8, up: true, bytes: 108, cause: 'data' },
    ]);
  });

  it('keeps any datagram size and every cause with its direction', () => {
    const r = new RecentPackets(8);
    const sizes = [0, 1, 29, 65563, 2 ** 32 - 1];
    const causes = Object.values(CAUSE);
    sizes.forEach((bytes, i) => r.push(i, i % 2 === 0, bytes, causes[i % causes.length]!));
    expect(r.between(-Infinity, Infinity).map((p) => [p.bytes, p.up, p.cause])).toEqual(sizes.map((bytes, i) => [bytes, i % 2 === 0, Object.keys(CAUSE)[i % causes.length]]));
  });
});
