// The Live view's pure helpers: the bounded event stream, the client table's filter, sort and
// pages, lab-time text, the per-cause breakdown, and the policy form's checks and patch.
import { describe, expect, it } from 'vitest';
import type { Cause, LiveClientRow, LiveEventItem, LivePolicy } from '../../src-main/contract.ts';
import { parseLabPolicyPatch } from '../../src-main/core/live/lab-config.ts';
import { giveUpAfterS as coreGiveUp } from '../../src-main/core/policy/retransmit.ts';
import { radioTimeline } from '../../src-main/core/radio/timeline.ts';
import { plain } from '../../src-renderer/src/lib/format.ts';
import { ago, causeShares, labClock, mergeEvents, pageOf, profileStates, queryRows, shortSa } from '../../src-renderer/src/lib/live.ts';
import { draftIssues, draftOf, draftPatch, giveUpAfterS } from '../../src-renderer/src/lib/live-policy.ts';
import { radioProfile } from '../support/builtins.ts';

const ev = (seq: number): LiveEventItem => ({ seq, t: seq, client: null, kind: 'wakeup', cause: 'keepalive', text: `#${seq}` });
const zero = (): Record<Cause, number> => ({ keepalive: 0, dpd: 0, rekey: 0, reconnect: 0, data: 0, baseline: 0 });
function row(client: string, over: Partial<LiveClientRow> = {}): LiveClientRow {
  return {
    client,
    group: client.split('-')[0] ?? null,
    radioId: 'lte',
    virtualIp: null,
    peer: null,
    ikeSas: 1,
    childSas: 1,
    lastInS: null,
    lastOutS: null,
    radioState: 'RRC_IDLE',
    connectedS: 0,
    totalJ: 0,
    joulesPerHour: 0,
    wakeups: zero(),
    wakeupsPerHour: 0,
    energyJ: zero(),
    packetsIn: 0,
    packetsOut: 0,
    ...over,
  };
}
const q = { text: '', group: '', sort: 'client' as const, asc: true };

describe('the live event stream', () => {
  it('appends only unseen events in seq order and keeps the last max', () => {
    const a = mergeEvents([], [ev(1), ev(2), ev(3)], 4);
    expect(a.map((e) => e.seq)).toEqual([1, 2, 3]);
    // A snapshot repeats what was seen (the service sends its last 200) and brings new ones.
    const b = mergeEvents(a, [ev(2), ev(3), ev(5), ev(4)], 4);
    expect(b.map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    // Nothing new: the same array, so nothing re-renders.
    expect(mergeEvents(b, [ev(4), ev(5)], 4)).toBe(b);
    // A new lab clears the service's list but seq keeps counting.
    expect(mergeEvents(b, [ev(9)], 4).map((e) => e.seq)).toEqual([3, 4, 5, 9]);
  });
});

describe('the client table', () => {
  const rows = [
    row('ios-2@f', { joulesPerHour: 50, lastInS: 100, virtualIp: '198.18.192.2' }),
    row('android-10@f', { joulesPerHour: 90, lastInS: 190, virtualIp: '198.18.192.10' }),
    row('android-2@f', { joulesPerHour: 90, lastInS: null, radioState: 'SHORT_DRX' }),
    row('phone', { group: null, joulesPerHour: 10, lastInS: 150 }),
  ];

  it('sorts identities with numbers in order, and ties by identity', () => {
    expect(queryRows(rows, q).map((r) => r.client)).toEqual(['android-2@f', 'android-10@f', 'ios-2@f', 'phone']);
    expect(queryRows(rows, { ...q, sort: 'joulesPerHour', asc: false }).map((r) => r.client)).toEqual(['android-2@f', 'android-10@f', 'ios-2@f', 'phone']);
  });

  it('sorts "last in" by how long ago, most recent first, never-seen last', () => {
    expect(queryRows(rows, { ...q, sort: 'lastIn', asc: true }).map((r) => r.client)).toEqual(['android-10@f', 'phone', 'ios-2@f', 'android-2@f']);
  });

  it('filters by text in any shown field and by group, and leaves the input alone', () => {
    expect(queryRows(rows, { ...q, text: 'SHORT' }).map((r) => r.client)).toEqual(['android-2@f']);
    expect(queryRows(rows, { ...q, text: ' 192.10 ' }).map((r) => r.client)).toEqual(['android-10@f']);
    expect(queryRows(rows, { ...q, group: 'android' }).map((r) => r.client)).toEqual(['android-2@f', 'android-10@f']);
    expect(rows[0]!.client).toBe('ios-2@f');
  });

  it('pages, clamping a page that no longer exists', () => {
    const items = Array.from({ length: 120 }, (_, i) => i);
    expect(pageOf(items, 0, 50)).toMatchObject({ page: 0, pages: 3, from: 1, to: 50 });
    expect(pageOf(items, 9, 50)).toMatchObject({ page: 2, pages: 3, from: 101, to: 120, items: items.slice(100) });
    expect(pageOf([], 3, 50)).toMatchObject({ page: 0, pages: 1, from: 0, to: 0, items: [] });
  });
});

describe('lab time and causes', () => {
  it('formats the lab clock and how long ago a packet was', () => {
    expect([labClock(0), labClock(59.9), labClock(3723.4), labClock(-3)]).toEqual(['0:00:00', '0:00:59', '1:02:03', '0:00:00']);
    expect([ago(100, null), ago(100, 99.5), ago(100, 58), ago(100, 100.2), ago(1000, 400)]).toEqual(['—', '< 1 s', '42 s', '< 1 s', '10.0 min']);
  });

  it('shortens IKE SA names in event text only', () => {
    expect(shortSa('4a268f897c80a4af_16881445acd294ee IKE SA established with "a" at 1.2.3.4:500')).toBe('4a268f89… IKE SA established with "a" at 1.2.3.4:500');
    expect(shortSa('radio wakeup #3 (keepalive), left RRC_IDLE')).toBe('radio wakeup #3 (keepalive), left RRC_IDLE');
  });

  it('splits energy by cause in chart order, leaving out causes with nothing', () => {
    const r = row('x', { energyJ: { ...zero(), keepalive: 30, reconnect: 10 }, wakeups: { ...zero(), keepalive: 3, reconnect: 1, dpd: 1 } });
    expect(causeShares(r)).toEqual([
      { cause: 'keepalive', energyJ: 30, wakeups: 3, share: 0.75 },
      { cause: 'dpd', energyJ: 0, wakeups: 1, share: 0 },
      { cause: 'reconnect', energyJ: 10, wakeups: 1, share: 0.25 },
    ]);
    expect(causeShares(row('y'))).toEqual([]);
  });

  it('lists a profile\'s states as the timeline does', () => {
    for (const id of ['lte', 'nr-sa', 'umts', 'wifi']) {
      const p = radioProfile(id);
      expect(profileStates(p), id).toEqual(radioTimeline(p, [], 1).states);
    }
  });
});

describe('the policy form', () => {
  const running: LivePolicy = { dpd: { delayS: 0, retransmit: { timeoutS: 4, base: 1.8, tries: 5, jitterPct: 10, limitS: 0 } }, keepaliveS: 20, radio: 'lte', clients: {} };

  it('sends only what changed, keeping the retransmission fields the form does not show', () => {
    const d = draftOf(running);
    expect(draftPatch(running, d)).toEqual({});
    expect(draftPatch(running, { ...d, delayS: 30 })).toEqual({ dpd: { delayS: 30 } });
    const p = draftPatch(running, { ...d, tries: 3, keepaliveS: 0, radio: 'nr-sa' });
    expect(p).toEqual({ dpd: { retransmit: { timeoutS: 4, base: 1.8, tries: 3, jitterPct: 10, limitS: 0 } }, keepaliveS: 0, radio: 'nr-sa' });
    // What the form sends, the service accepts.
    expect(() => parseLabPolicyPatch(p)).not.toThrow();
  });

  it('flags what the service would refuse, naming the limit', () => {
    const d = draftOf(running);
    expect(draftIssues(d)).toEqual({});
    expect(draftIssues({ ...d, delayS: -1, timeoutS: 0, base: 11, tries: 2.5, keepaliveS: null })).toEqual({
      delayS: 'must be at least 0 s',
      timeoutS: 'must be at least 0.01 s',
      base: 'must be at most 10',
      tries: 'must be a whole number',
      keepaliveS: 'a number is needed',
    });
    for (const bad of [{ dpd: { delayS: -1 } }, { keepaliveS: 3601 }]) expect(() => parseLabPolicyPatch(bad)).toThrow();
  });

  it('shows settings as typed', () => {
    expect([plain(30), plain(1.8), plain(0.25), plain(3600)]).toEqual(['30', '1.8', '0.25', '3,600']);
  });

  it('computes when a dead client is given up as the core does', () => {
    for (const r of [running.dpd.retransmit, { timeoutS: 2, base: 2, tries: 7, jitterPct: 0, limitS: 30 }]) {
      expect(giveUpAfterS(r.timeoutS, r.base, r.tries, r.limitS)).toBeCloseTo(coreGiveUp(r), 9);
    }
  });
});
