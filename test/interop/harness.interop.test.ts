// The interop harness proven with strongSwan on both sides: a charon client (kernel-libipsec, the
// Android app's stack) behind a real Linux NAT connects to a charon gateway. Later interop tests
// put WakeLab's responder where the gateway charon is; everything else stays as here.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Capture, espPackets, ikeMessages, type CharonKeys } from './support/capture.ts';
import { Charon, clientConfig, gatewayConfig, type IkeSaInfo } from './support/charon.ts';
import { IFACE, listNamespaces, NET, Topology, type TeardownReport } from './support/netns.ts';
import { assertPrereq, bin, suiteGate } from './support/prereq.ts';
import { pidAlive } from './support/proc.ts';
import { Workdir } from './support/workdir.ts';

const gate = suiteGate();

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function inCidr(addr: string, cidr: string): boolean {
  const [base, len] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(len));
  const start = ipv4ToInt(base);
  return ipv4ToInt(addr) >= start && ipv4ToInt(addr) < start + size;
}

/** PIDs of processes whose command line or environment mentions `needle` (our work dir). */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    for (const f of ['cmdline', 'environ']) {
      try {
        if (readFileSync(`/proc/${d}/${f}`).includes(needle)) found.push(Number(d));
      } catch {
        // gone or not readable
      }
    }
  }
  return [...new Set(found)];
}

describe.skipIf(gate.skip)(`interop harness: charon client <-> charon gateway through a NAT${gate.label}`, () => {
  let work: Workdir;
  let topo: Topology;
  let gw: Charon;
  let cli: Charon;
  let captures: Capture[] = [];
  let clientSa: IkeSaInfo;
  let clientKeys: CharonKeys;
  let report: TeardownReport | undefined;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };

  beforeAll(async () => {
    assertPrereq();
    work = new Workdir('harness');
    try {
      await timed('setup', async () => {
        topo = await Topology.create({ natUdpTimeoutS: 30 });
        captures = [
          await Capture.start(topo, 'cli', IFACE.cli, work.file('cap', 'cli0.pcapng')),
          await Capture.start(topo, 'gw', IFACE.gw, work.file('cap', 'gw0.pcapng')),
        ];
        // Gateway DPD every 2 s of inbound silence, so the test sees one quickly.
        const g = gatewayConfig({ dpdDelay: '2s' });
        gw = await Charon.start(topo, { name: 'gw', role: 'gw', parentDir: work.path, settings: g.settings });
        await gw.load(g.swanctl);
        const c = clientConfig({ keepAlive: '20s', proposals: 'aes128-sha256-x25519', espProposals: 'aes128-sha256' });
        cli = await Charon.start(topo, { name: 'cli', role: 'cli', parentDir: work.path, settings: c.settings });
        await cli.load(c.swanctl);
      });
    } catch (err) {
      work.markFailed('setup');
      throw err;
    }
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') work.markFailed(ctx.task.name);
  });

  afterAll(async () => {
    // Normally done (and asserted) by the last test; here in case an earlier one failed.
    const r = topo ? await topo.teardown() : undefined;
    if (r && r.leftovers.length > 0) work?.markFailed(`teardown left ${r.leftovers.join('; ')}`);
    work?.finish();
    console.log(`interop harness timings (ms): ${JSON.stringify(timings)}`);
  });

  it('establishes the IKE_SA and CHILD_SA through the NAT, with a virtual IP from the pool', async () => {
    const init = await timed('initiate', () => cli.initiate('home', { timeoutS: 15 }));
    expect(init.stdout).toMatch(/IKE_SA home\[\d+\] established/);
    expect(init.stdout).toMatch(/CHILD_SA home\{\d+\} established/);

    const sas = await cli.listSas();
    expect(sas).toHaveLength(1);
    clientSa = sas[0]!;
    expect(clientSa).toMatchObject({ state: 'ESTABLISHED', initiator: true, remoteHost: NET.gw, remotePort: 4500, natLocal: true });
    expect(clientSa.localVips).toHaveLength(1);
    const vip = clientSa.localVips[0]!;
    expect(inCidr(vip, NET.vipPool), `${vip} in ${NET.vipPool}`).toBe(true);
    expect(clientSa.children).toHaveLength(1);
    expect(clientSa.children[0]).toMatchObject({ state: 'INSTALLED', mode: 'TUNNEL', encap: true, localTs: [`${vip}/32`], remoteTs: [NET.protectedNet] });

    // The gateway sees the client as the NAT's outside address.
    const [gwSa] = await gw.listSas();
    expect(gwSa).toMatchObject({ state: 'ESTABLISHED', initiator: false, remoteHost: NET.natOutside, natRemote: true, remoteVips: [vip] });
    expect(gwSa!.initiatorSpi).toBe(clientSa.initiatorSpi);

    // kernel-libipsec: the virtual IP sits in the client namespace, ESP goes through its TUN device.
    const addrs = await topo.exec('cli', [bin('ip'), '-o', '-4', 'addr', 'show']);
    expect(addrs.stdout).toContain(vip);
  });

  it('pings 198.18.100.1 from the virtual IP through the tunnel (libipsec TUN)', async () => {
    const vip = clientSa.localVips[0]!;
    const ping = await timed('ping', () => topo.ping('cli', NET.protectedHost, { count: 3, source: vip }));
    expect(ping.received, ping.output).toBe(3);
    const [sa] = await cli.listSas();
    expect(sa!.children[0]!.packetsOut).toBeGreaterThanOrEqual(3);
    expect(sa!.children[0]!.packetsIn).toBeGreaterThanOrEqual(3);
  });

  it("sees the gateway's DPD in the client's log", async () => {
    const dpd = await timed('dpd', async () => {
      await gw.waitForLog(/sending DPD request/, 10_000);
      return cli.waitForLog(/parsed INFORMATIONAL request (\d+) \[ \]/, 5000);
    });
    // The client answers it (an empty INFORMATIONAL response with the same message ID).
    await cli.waitForLog(new RegExp(`generating INFORMATIONAL response ${dpd[1]} \\[ \\]`), 5000);
  });

  it('decrypts the captured IKE_AUTH (and the pings) with the keys from the charon logs', async () => {
    await timed('capture-stop', async () => {
      await Promise.all(captures.map((c) => c.stop()));
    });
    clientKeys = cli.keys();
    const gwKeys = gw.keys();
    expect(clientKeys.ike).toHaveLength(1);
    const k = clientKeys.ike[0]!;
    expect({ spiI: k.spiI, spiR: k.spiR }).toEqual({ spiI: clientSa.initiatorSpi, spiR: clientSa.responderSpi });
    expect(k).toMatchObject({ encr: 'AES_CBC', encrBits: 128, integ: 'HMAC_SHA2_256_128', dh: 'CURVE_25519' });
    // Both ends logged the same keys (the parser handles the initiator's and the responder's log).
    const strip = ({ ikeName: _n, uniqueId: _u, ...rest }: (typeof clientKeys.ike)[number]) => rest;
    expect(gwKeys.ike.map(strip)).toEqual([strip(k)]);
    expect(gwKeys.ike[0]!.ikeName).toBe('rw');
    expect(clientKeys.esp.map((e) => e.spi).sort()).toEqual(gwKeys.esp.map((e) => e.spi).sort());

    for (const file of captures.map((c) => c.path)) {
      const msgs = await timed(`tshark-ike-${file.endsWith('cli0.pcapng') ? 'cli' : 'gw'}`, () => ikeMessages(file, clientKeys.ike));
      const auth = msgs.filter((m) => m.exchange === 'IKE_AUTH');
      expect(auth.map((m) => [m.response, m.decrypted, m.integrity]), file).toEqual([
        [false, true, 'correct'],
        [true, true, 'correct'],
      ]);
      expect(auth[0]!.payloads).toEqual(expect.arrayContaining(['Identification - Initiator', 'Authentication', 'Configuration', 'Traffic Selector - Initiator']));
      expect(auth[1]!.payloads).toEqual(expect.arrayContaining(['Identification - Responder', 'Authentication', 'Configuration']));
      // The DPD on the wire: an empty INFORMATIONAL request from the gateway, answered.
      const dpd = msgs.filter((m) => m.exchange === 'INFORMATIONAL' && !m.fromInitiator && !m.response);
      expect(dpd.length, file).toBeGreaterThanOrEqual(1);
      expect(dpd[0]).toMatchObject({ decrypted: true, integrity: 'correct', payloads: ['Encrypted and Authenticated'] });
    }

    const esp = await timed('tshark-esp', () => espPackets(captures[0]!.path, clientKeys.esp));
    const echoes = esp.filter((p) => p.icmpType === 8);
    expect(echoes.length).toBeGreaterThanOrEqual(3);
    expect(echoes[0]!.inner).toEqual({ src: clientSa.localVips[0], dst: NET.protectedHost, proto: 1 });
  });

  it('tears down everything: no namespaces, no processes left', async () => {
    const pids = [gw.pid, cli.pid, ...captures.map((c) => c.pid)];
    report = await timed('teardown', () => topo.teardown());
    expect(report.leftovers).toEqual([]);
    expect(report.processes.map((p) => p.pid).sort()).toEqual([...pids].sort());
    expect(report.processes.every((p) => p.stopped)).toBe(true);
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid}`).toBe(false);
    const remaining = (await listNamespaces()).filter((n) => n.startsWith(topo.prefix));
    expect(remaining).toEqual([]);
    // Independently of the PIDs we kept: nothing running mentions our work dir (charon's
    // STRONGSWAN_CONF, dumpcap's output file).
    expect(processesMentioning(work.path)).toEqual([]);
  });
});
