// The live lab through the contract (what the Live view calls): labs and fleet templates by id,
// one lab at a time, a fleet against it, throttled `live` snapshots, policy changes, a client's
// radio timeline, and every refusal as one clear error.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from '../../support/code-of.ts';
import type { LabApi, LiveSnapshot } from '../../../src-main/contract.ts';
import { createLab, type Lab } from '../../../src-main/node/lab.ts';
import { freeUdpPorts } from '../../support/ports.ts';
import { cleanup, tempDir } from '../store/fixtures.ts';

let dir: string;
let lab: Lab;
let api: LabApi;
const snapshots: LiveSnapshot[] = [];

beforeEach(async () => {
  dir = tempDir();
  const base = await freeUdpPorts(12);
  fs.mkdirSync(path.join(dir, 'data', 'labs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'data', 'fleets'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'data', 'labs', 'mine.json'),
    JSON.stringify({
      name: 'Mine',
      responder: { listen: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 }, localId: 'gw.wakelab', secrets: [{ id: '*@fleet.wakelab', psk: 'live-service-psk-00' }], pool: '198.18.192.0/18', localTs: ['198.18.100.0/24'], dpd: { delayS: 0 } },
      timeScale: 50,
      commitEveryS: 0.1,
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'data', 'fleets', 'pair.json'),
    JSON.stringify({ name: 'Pair', psk: 'live-service-psk-00', startWithinS: 2, local: { firstPort: base + 2 }, groups: [{ name: 'android', policy: 'strongswan-android', count: 2 }, { name: 'ios', policy: 'ios-dpd-high', count: 2 }] }),
  );
  lab = createLab({ db: path.join(dir, 'lab.db'), mode: 'browser', userProfilesDir: path.join(dir, 'profiles'), dataDir: path.join(dir, 'data') });
  api = lab.api;
  snapshots.length = 0;
  lab.hub.subscribe((name, payload) => name === 'live' && snapshots.push(payload));
});
afterEach(async () => {
  await lab.close();
  cleanup(dir);
});


const until = async (pred: (s: LiveSnapshot) => boolean, ms: number): Promise<LiveSnapshot> => {
  const end = Date.now() + ms;
  for (;;) {
    const s = await api.liveStatus();
    if (pred(s)) return s;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify({ clients: s.clients.length, fleet: s.fleet })}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('the live lab through the contract', () => {
  it('lists the built-in and user labs and fleet templates', async () => {
    const labs = await api.listLabConfigs();
    expect(labs.items.map((l) => [l.id, l.origin])).toEqual(expect.arrayContaining([['loopback', 'builtin'], ['mine', 'user']]));
    expect(labs.items.find((l) => l.id === 'loopback')).toMatchObject({ listen: '127.0.0.1:10500/14500', timeScale: 60, radio: 'lte' });
    const fleets = await api.listFleetTemplates();
    expect(fleets.items.find((f) => f.id === 'four-policies')!.groups.map((g) => g.count)).toEqual([5, 5, 5, 5]);
    expect(fleets.items.find((f) => f.id === 'pair')).toMatchObject({ name: 'Pair', origin: 'user' });
  });

  it('runs a lab and a fleet, streams snapshots, changes the policy, draws a timeline, and stops', async () => {
    expect(await codeOf(api.startFleet({ templateId: 'pair' }))).toBe('INVALID_ARGUMENT'); // no lab yet
    expect(await codeOf(api.startLab({ configId: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(api.startLab({ configId: '../etc/passwd' }))).toBe('INVALID_ARGUMENT');
    const started = await api.startLab({ configId: 'mine' });
    expect(started).toMatchObject({ running: true, labConfigId: 'mine', labName: 'Mine', timeScale: 50, clients: [] });
    expect(started.vantage).toMatch(/not seen/);
    expect(await codeOf(api.startLab({ configId: 'mine' }))).toBe('BUSY');
    await api.startFleet({ templateId: 'pair' });
    const s = await until((x) => x.fleet !== null && x.fleet.groups.every((g) => g.up === g.count) && x.clients.length === 4 && x.clients.every((c) => c.wakeups.keepalive > 0), 20_000);
    expect(s.clients.map((c) => [c.client, c.group, c.ikeSas, c.childSas, c.radioId])).toEqual([
      ['android-1@fleet.wakelab', 'android', 1, 1, 'lte'],
      ['android-2@fleet.wakelab', 'android', 1, 1, 'lte'],
      ['ios-1@fleet.wakelab', 'ios', 1, 1, 'lte'],
      ['ios-2@fleet.wakelab', 'ios', 1, 1, 'lte'],
    ]);
    expect(s.clients[0]!.virtualIp).toMatch(/^198\.18\./);
    expect(s.fleet!.groups.map((g) => g.policy)).toEqual(['strongswan-android', 'ios-dpd-high']);
    expect(s.fleet!.groups[0]!.joulesPerHour).toBeGreaterThan(0);
    expect(s.events.some((e) => e.kind === 'wakeup' && e.cause === 'keepalive')).toBe(true);
    expect(s.events.some((e) => e.kind === 'ike-up' && e.client === 'ios-1@fleet.wakelab')).toBe(true);
    // Snapshots came on their own, throttled (about 2 a second, not one per datagram).
    expect(snapshots.length).toBeGreaterThan(2);
    expect(snapshots.length).toBeLessThan(100);

    expect(await codeOf(api.setLivePolicy({ dpd: { delayS: -1 } }))).toBe('INVALID_ARGUMENT');
    const changed = await api.setLivePolicy({ dpd: { delayS: 20 }, clients: { 'ios-1@fleet.wakelab': 'nr-sa' } });
    expect(changed.policy).toMatchObject({ dpd: { delayS: 20 }, clients: { 'ios-1@fleet.wakelab': 'nr-sa' } });
    expect(changed.clients.find((c) => c.client === 'ios-1@fleet.wakelab')!.radioId).toBe('nr-sa');
    expect(changed.events.filter((e) => e.kind === 'policy-changed').length).toBeGreaterThan(0);

    const tl = await api.liveTimeline({ client: 'android-1@fleet.wakelab', windowS: 120 });
    expect(tl.untilS).toBe(120);
    expect(tl.segments.length).toBeGreaterThan(1);
    expect(tl.packets.some((p) => p.cause === 'keepalive')).toBe(true);
    expect(await codeOf(api.liveTimeline({ client: 'nobody' }))).toBe('NOT_FOUND');

    const stopped = await api.stopLab();
    expect(stopped.running).toBe(false);
    expect(stopped.events.at(-1)!.text).toMatch(/^lab \d+ stopped: recorded \d+ packets/);
    // The sessions are in the database.
    const db = (await import('better-sqlite3')).default;
    const d = new db(path.join(dir, 'lab.db'), { readonly: true });
    expect(d.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(4);
    d.close();
  });
});
