// WakeLab's initiator (`wakelab client`) in the client namespace, behind the NAT; real charon as the
// responder in the gateway namespace (docs/interop.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Charon, CLIENT_ID, GATEWAY_ID, gatewayConfig, TEST_PSK } from './support/charon.ts';
import { NET, Topology } from './support/netns.ts';
import { assertPrereq, suiteGate } from './support/prereq.ts';
import { pollFor, type Tracked } from './support/proc.ts';
import { Workdir } from './support/workdir.ts';

const gate = suiteGate();
const BIN = fileURLToPath(new URL('../../bin/wakelab.js', import.meta.url));

interface Setup {
  work: Workdir;
  topo: Topology;
  gw: Charon;
  client: Tracked;
  log: string;
}

function events(s: Setup): Record<string, unknown>[] {
  return readFileSync(s.log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function start(label: string, o: { gwDpd: string; natTimeoutS?: number; keepaliveS: number; extraGw?: string }): Promise<Setup> {
  const work = new Workdir(label);
  const topo = await Topology.create({ natUdpTimeoutS: o.natTimeoutS ?? 30 });
  const g = gatewayConfig({ dpdDelay: o.gwDpd, proposals: 'aes128-sha256-x25519', espProposals: 'aes128-sha256', ...(o.extraGw ? { extraConn: o.extraGw } : {}) });
  const gw = await Charon.start(topo, { name: 'gw', role: 'gw', parentDir: work.path, settings: g.settings });
  await gw.load(g.swanctl);
  const cfg = work.file('client.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      server: { address: NET.gw },
      local: { address: NET.cli },
      localId: CLIENT_ID,
      remoteId: GATEWAY_ID,
      psk: TEST_PSK,
      ike: { proposals: ['aes128-sha256-prfsha256-curve25519'] },
      esp: { proposals: ['aes128-sha256'] },
      remoteTs: [NET.protectedNet],
      keepaliveS: o.keepaliveS,
    }),
  );
  const log = work.file('client.log');
  const client = topo.spawn('cli', 'wakelab-client', [process.execPath, BIN, 'client', '--config', cfg, '--json-log'], log);
  return { work, topo, gw, client, log };
}

describe.skipIf(gate.skip)(`WakeLab initiator -> charon responder through a NAT${gate.label}`, () => {
  let s: Setup | undefined;
  let failed = false;
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
    if (s) {
      if (failed) s.work.markFailed('test');
      await s.topo.teardown();
      s.work.finish();
    }
    s = undefined;
    failed = false;
  });

  it('establishes with a virtual IP, answers the gateway DPDs, sends keepalives, and deletes on SIGTERM', async () => {
    assertPrereq();
    s = await start('client', { gwDpd: '2s', keepaliveS: 1 });
    const up = await pollFor('child-up in the client log', 15_000, () => events(s!).find((e) => e.kind === 'child-up'));
    expect(up).toBeDefined();
    expect(events(s).find((e) => e.kind === 'ike-up')).toMatchObject({ virtualIp: '198.18.200.1' });
    const [sa] = await s.gw.listSas();
    expect(sa).toMatchObject({ state: 'ESTABLISHED', initiator: false, remoteHost: NET.natOutside, natRemote: true, remoteVips: ['198.18.200.1'] });
    expect(sa!.children[0]).toMatchObject({ state: 'INSTALLED', localTs: [NET.protectedNet], remoteTs: ['198.18.200.1/32'] });
    // charon's DPD arrives and is answered.
    await s.gw.waitForLog(/sending DPD request/, 10_000);
    await s.gw.waitForLog(/parsed INFORMATIONAL response \d+ \[ \]/, 5000);
    // Behind the NAT, with 1 s of outbound silence, the client sends NAT-T keepalives.
    await pollFor('a keepalive in the client log', 10_000, () => (events(s!).some((e) => e.kind === 'keepalive') ? true : undefined));
    // SIGTERM: the client deletes its IKE SA, charon sees the delete, the process exits 0.
    process.kill(s.client.pid, 'SIGTERM');
    const exit = await s.client.exited;
    expect(exit.code).toBe(0);
    await s.gw.waitForLog(/received DELETE for IKE_SA/, 5000);
    expect(await s.gw.listSas()).toEqual([]);
  });

  it("charon's DPD fails and it deletes the SA when the NAT mapping expires and the client is silent", async () => {
    assertPrereq();
    // NAT timeout 3 s; the client's keepalive every 60 s; charon's DPD after 5 s with the Android app's schedule.
    s = await start('client-dpd-fail', { gwDpd: '5s', natTimeoutS: 3, keepaliveS: 60 });
    await pollFor('child-up in the client log', 15_000, () => (events(s!).some((e) => e.kind === 'child-up') ? true : undefined));
    await s.gw.waitForLog(/giving up after \d+ retransmits/, 60_000);
    await pollFor('charon deletes the SA', 10_000, async () => ((await s!.gw.listSas()).length === 0 ? true : undefined));
    // The client still holds its SA: it never heard a thing.
    expect(events(s).some((e) => e.kind === 'ike-down')).toBe(false);
  });
});
