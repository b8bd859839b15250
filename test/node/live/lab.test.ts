// The live lab on loopback: our initiator against `runLab`; the session recording in SQLite holds
// every datagram the estimator saw, the SA events without keys, and the wakeups with their energy;
// exports read back.
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freeUdpPorts } from '../../support/ports.ts';
import { parseLabConfig } from '../../../src-main/core/live/lab-config.ts';
import type { LiveWakeup } from '../../../src-main/core/live/client-meter.ts';
import { readPcapng } from '../../../src-main/core/trace/pcapng.ts';
import { runLab } from '../../../src-main/node/live/run-lab.ts';
import { exportSessionJson, exportSessionPcapng } from '../../../src-main/node/live/session-export.ts';
import { openDatabase } from '../../../src-main/node/store/open.ts';
import { listSessions, sessionEvents, sessionPackets, sessionWakeups } from '../../../src-main/node/store/sessions.ts';
import { radioProfile } from '../../support/builtins.ts';
import { PSK, responderConfig } from '../../core/ike/support/net.ts';
import { cleanupAfterEach, loopbackClient } from '../support/loopback.ts';

let base = 0;
beforeAll(async () => void (base = await freeUdpPorts(4)));
const cleanup = cleanupAfterEach();

describe('the live lab on loopback', () => {
  it('leaves no lab behind when it cannot start (a port in use)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wakelab-lab-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const { db } = openDatabase(join(dir, 'lab.db'));
    cleanup(() => void db.close());
    const busy = dgram.createSocket('udp4');
    await new Promise<void>((ok) => busy.bind(base + 2, '127.0.0.1', ok));
    cleanup(() => new Promise<void>((done) => busy.close(() => done())));
    const responder = responderConfig({ listen: { address: '127.0.0.1', ikePort: base + 3, nattPort: base + 2 } });
    const cfg = parseLabConfig({ responder, radio: 'lte' }, 'lab', () => ({ value: null, label: '' }));
    await expect(runLab(cfg, { db, radio: (id) => ({ profile: radioProfile(id), json: '{}' }) })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM labs').get()).toEqual({ n: 0 });
    // The IKE port it had bound is free again.
    const again = dgram.createSocket('udp4');
    await new Promise<void>((ok, fail) => {
      again.once('error', fail);
      again.bind(base + 3, '127.0.0.1', ok);
    });
    await new Promise<void>((done) => again.close(() => done()));
  });

  it('records a client session: packets, SA events without keys, wakeups with energy, and exports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wakelab-lab-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const { db } = openDatabase(join(dir, 'lab.db'));
    cleanup(() => void db.close());
    const responder = responderConfig({ listen: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 }, dpd: { delayS: 1 } });
    const cfg = parseLabConfig({ responder, radio: 'lte', commitEveryS: 0.05 }, 'lab', () => ({ value: null, label: '' }));
    const commits: number[] = [];
    const streamed: LiveWakeup[][] = [];
    const lab = await runLab(cfg, { db, radio: (id) => ({ profile: radioProfile(id), json: '{}' }), onCommit: (c) => commits.push(c.packets), onWakeups: (ws) => streamed.push([...ws]) });
    let stopped = false;
    cleanup(async () => void (stopped || (await lab.stop())));

    const client = await loopbackClient(responder, base, 11);
    cleanup(() => client.host.close());
    // Set up, then two DPDs from the lab's responder (delay 1 s), answered, then a delete.
    let dpds = 0;
    await client.until((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.request && e.dir === 'in' && ++dpds === 2, 8000, 'two DPDs');
    const gone = client.until((e) => e.kind === 'ike-down', 5000, 'delete');
    client.host.act((t) => client.initiator.close(t));
    await gone;
    await new Promise((r) => setTimeout(r, 100));
    const [live] = lab.totals();
    const last = await lab.stop();
    stopped = true;

    expect(commits.length).toBeGreaterThan(3); // committed as it went, not only at the end
    const [s] = listSessions(db, { limit: 10 });
    expect(s).toMatchObject({ labId: lab.labId, client: 'cli.wakelab', radioId: 'lte', packets: live!.packetsIn + live!.packetsOut });
    expect(last.total.packets).toBe(s!.packets);
    // IKE_SA_INIT, IKE_AUTH, 2+ DPDs and the delete, each a request and a response.
    const packets = [...sessionPackets(db, s!.id)];
    expect(packets.length).toBeGreaterThanOrEqual(10);
    expect(packets.map((p) => p.seq)).toEqual(packets.map((_, i) => i));
    expect(packets.slice(0, 4).map((p) => [p.dir, p.cls, p.messageId, p.request])).toEqual([
      ['in', 'ike-setup', 0, true],
      ['out', 'ike-setup', 0, false],
      ['in', 'ike-setup', 1, true],
      ['out', 'ike-setup', 1, false],
    ]);
    expect(packets.filter((p) => p.cls === 'dpd' && p.dir === 'out' && p.request).length).toBeGreaterThanOrEqual(2);
    expect(packets.at(-1)).toMatchObject({ cls: 'delete', dir: 'out', request: false });
    for (const p of packets) {
      expect(p.ikeSa).toMatch(/^[0-9a-f]{16}_[0-9a-f]{16}$/);
      // The head is the wire's IKE header: initiator SPI first (after the non-ESP marker on 4500).
      const at = p.local.port === base + 1 ? 4 : 0;
      expect(Buffer.from(p.head.subarray(at, at + 8)).toString('hex')).toBe(p.ikeSa!.slice(0, 16));
      expect(p.head.length).toBe(at + 32);
    }
    const events = sessionEvents(db, s!.id);
    expect(events.map((e) => e.kind)).toEqual(['ike-up', 'child-up', 'child-down', 'ike-down']);
    const child = events[1]!.detail.child as Record<string, unknown>;
    expect(child).toHaveProperty('spiIn');
    expect(child).not.toHaveProperty('keysIn');
    expect(JSON.stringify(events)).not.toMatch(/keys/i);
    const wakeups = sessionWakeups(db, s!.id);
    expect(wakeups[0]).toMatchObject({ n: 0, cause: 'reconnect', stateLeft: 'RRC_IDLE' });
    // Every wakeup has its energy once the lab stopped (a running tail is cut at the stop).
    for (const w of wakeups) expect(w.energyJ).toBeGreaterThan(0);
    // The same wakeups were streamed as they were estimated, each batch in time order.
    expect(streamed.flat().map((w) => [w.n, w.cause])).toEqual(wakeups.map((w) => [w.n, w.cause]));
    for (const batch of streamed) expect(batch.map((w) => w.t)).toEqual(batch.map((w) => w.t).sort((a, b) => a - b));

    const pcap = join(dir, 's.pcapng');
    expect(exportSessionPcapng(db, s!.id, pcap)).toBe(packets.length);
    const read = readPcapng(new Uint8Array(readFileSync(pcap)));
    expect(read.map((r) => r.originalLength)).toEqual(packets.map((p) => p.bytes + 28));
    const json = join(dir, 's.json');
    expect(exportSessionJson(db, s!.id, json)).toBe(packets.length);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.format).toBe('wakelab-session/1');
    expect(doc.vantage).toMatch(/phone's other traffic is not seen/);
    expect(doc.packets).toHaveLength(packets.length);
    expect(doc.packets[0]).toMatchObject({ seq: 0, dir: 'in', cls: 'ike-setup', head: Buffer.from(packets[0]!.head).toString('hex') });
    expect(doc.events).toHaveLength(4);
    expect(doc.wakeups).toHaveLength(wakeups.length);
    // The lab row: stopped, and no secret in its stored configuration.
    const row = db.prepare('SELECT stopped_at, config_json FROM labs WHERE id = ?').get(lab.labId) as { stopped_at: string | null; config_json: string };
    expect(row.stopped_at).not.toBeNull();
    expect(row.config_json).not.toContain(PSK);
  });

  it('changes DPD and a client\'s radio profile while running, and logs each change in the session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wakelab-lab-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const { db } = openDatabase(join(dir, 'lab.db'));
    cleanup(() => void db.close());
    const responder = responderConfig({ listen: { address: '127.0.0.1', ikePort: base, nattPort: base + 1 }, dpd: { delayS: 0 } });
    const cfg = parseLabConfig({ responder, radio: 'lte', commitEveryS: 0.05 }, 'lab', () => ({ value: null, label: '' }));
    const lab = await runLab(cfg, { db, radio: (id) => (id === 'nope' ? (() => { throw new Error('unknown radio profile "nope"'); })() : { profile: radioProfile(id), json: '{}' }) });
    let stopped = false;
    cleanup(async () => void (stopped || (await lab.stop())));
    const client = await loopbackClient(responder, base, 12);
    cleanup(() => client.host.close());
    await client.until((e) => e.kind === 'child-up', 5000, 'IKE_AUTH');
    expect(lab.policy()).toMatchObject({ dpd: { delayS: 0 }, keepaliveS: 0, radio: 'lte', clients: {} });
    // An unknown profile changes nothing.
    expect(() => lab.setPolicy({ dpd: { delayS: 1 }, radio: 'nope' })).toThrow(/unknown radio profile "nope"/);
    expect(lab.policy().dpd.delayS).toBe(0);
    lab.setPolicy({ dpd: { delayS: 1 }, clients: { 'cli.wakelab': 'nr-sa' } });
    expect(lab.policy()).toMatchObject({ dpd: { delayS: 1 }, clients: { 'cli.wakelab': 'nr-sa' } });
    // DPD was off: the existing SA gets its first liveness check at the new delay.
    await client.until((e) => e.kind === 'exchange' && e.exchange === 'INFORMATIONAL' && e.request && e.dir === 'in', 5000, 'a DPD after the change');
    stopped = true;
    await lab.stop();
    const [s] = listSessions(db, { limit: 1 });
    const changes = sessionEvents(db, s!.id).filter((e) => e.kind === 'policy-changed').map((e) => e.detail.changes);
    expect(changes).toEqual([{ dpd: { delayS: 1 } }, { radio: 'nr-sa' }]);
  });
});
