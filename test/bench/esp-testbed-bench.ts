/**
 * ESP through the interop testbed (`npm run bench -- --only=esp-testbed`; root): packets per
 * second a gateway delivers to the protected host from a charon client's UDP flood, with WakeLab's
 * responder as the gateway and with charon itself, the same client and the same load, in one run.
 *
 * Topology (test/interop/support/netns.ts): the client namespace behind a NAT namespace, the
 * gateway namespace with 198.18.100.1 on lo. For each ESP proposal both gateways (and WakeLab with
 * the node backend, when asked for) are up at once, each in a topology of its own with its own charon client
 * (kernel-libipsec, as in the interop tests; IKE aes128-sha256-x25519, a virtual IP from
 * 198.18.200.0/28, UDP encapsulation through the NAT), and they take turns load by load:
 *
 * - WakeLab: `wakelab responder --json-log --stats-every 0.5` in the gateway namespace, with its
 *   default ESP backend (native: the addon of native/esp-crypto); its virtual host at 198.18.100.1
 *   counts the datagrams to the Discard port as `host.udpDiscarded`. 'WakeLab node' is the same
 *   with `esp.backend: node` (node:crypto, the default before the addon).
 * - charon: charon 5.9 with kernel-libipsec in the gateway namespace (interop gatewayConfig); what
 *   it delivers is what it writes into its TUN device (/proc/<pid>/net/dev), towards 198.18.100.1
 *   on lo, where a UDP sink (esp-testbed/sink.ts) reads it and prints its count every 0.5 s.
 * - Both charons load aesni and openssl before the interop tests' plugin list (whose software gcm
 *   and aes plugins would otherwise serve AES-GCM and AES-CBC).
 *
 * The load (esp-testbed/blaster.ts, in the client namespace): UDP from the virtual IP to
 * 198.18.100.1:9, inner packets of each size, as fast as the socket takes them or paced, for a
 * fixed time, each on a fresh tunnel, after an untimed warm-up. The delivered rate is the slope of
 * the delivered count while the blaster sends; every counter along the path is read before the
 * first send and GRACE_S after the last (the client's TUN device, its CHILD_SA's packets out,
 * nftables counters at the gateway's input, the gateway namespace's UDP receive-buffer drops, the
 * gateway's ESP packets in, the delivered count); then the client deletes the IKE_SA, dropping what
 * is still queued. A flood ping (`ping -f`) through the tunnel closes each round.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Charon, CLIENT_ID, clientConfig, GATEWAY_ID, gatewayConfig, TEST_PSK } from '../interop/support/charon.ts';
import { NET, Topology } from '../interop/support/netns.ts';
import { bin, havePlugin, interopPrereq } from '../interop/support/prereq.ts';
import { pollFor, sleep, type Tracked } from '../interop/support/proc.ts';
import type { BlastConfig, BlastDone } from './esp-testbed/blaster.ts';
import { opensslCeiling, type Ceiling } from './esp-testbed/ceiling.ts';
import { summarizeEspProfile } from './esp-testbed/profile.ts';
import { fmtRate, median, table } from './stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/wakelab.js');
const BLASTER = join(ROOT, 'test/bench/esp-testbed/blaster.ts');
const SINK = join(ROOT, 'test/bench/esp-testbed/sink.ts');
const TSX = import.meta.resolve('tsx');
const DISCARD_PORT = 9;
/** The client's IKE proposal (the interop tests' own); WakeLab's spelling of the same. */
const IKE_CLIENT = 'aes128-sha256-x25519';
const IKE_WAKELAB = 'aes128-sha256-prfsha256-curve25519';
/** Neither charon needs keys in its log here; keep logging per packet out of the measurement. */
const CHARON_LOG = { default: 1, ike: 1, chd: 1, knl: 1, net: 1, cfg: 1, enc: 0, esp: 1 } as const;

/** 'WakeLab node': WakeLab's responder with `esp.backend: node` (node:crypto per packet). */
export type GatewayKind = 'WakeLab' | 'charon' | 'WakeLab node';

export interface EspTestbedConfig {
  /** ESP proposals (swanctl syntax), one tunnel each; the paced loads run with the first only. */
  proposals: string[];
  /** Inner IPv4 packet sizes for the floods, octets. */
  sizes: number[];
  durationS: number;
  /** Each load runs this many times per gateway, the two gateways taking turns. */
  rounds: number;
  /** Untimed paced load (10,000/s of the smallest size) before the first measured one. */
  warmupS: number;
  /** Paced loads after the floods (first proposal only): [inner size, datagrams/s]. */
  paced: Array<[number, number]>;
  /** Seconds of `ping -f` per round (0: none). */
  pingS: number;
  /** Write a CPU profile of WakeLab's responder (`--cpu-prof`) per proposal under this folder. */
  cpuProfDir?: string;
  /** Also run WakeLab with `esp.backend: node` as a third gateway. */
  nodeBackend?: boolean;
  /**
   * Plugins both charons load before the interop tests' list (whose gcm and aes plugins, software
   * AES without AES-NI, would otherwise come first): default aesni (AES-GCM and AES-CBC with
   * AES-NI and PCLMULQDQ) then openssl (HMAC-SHA-256, X25519). [] keeps the interop order.
   */
  charonCryptoFirst?: string[];
}

export const ESP_TESTBED_FULL: EspTestbedConfig = {
  proposals: ['aes128gcm16', 'aes128-sha256'],
  sizes: [64, 1400],
  durationS: 4,
  rounds: 2,
  warmupS: 3,
  paced: [
    [64, 20_000],
    [64, 40_000],
    [1400, 10_000],
  ],
  pingS: 2,
};
export const ESP_TESTBED_QUICK: EspTestbedConfig = { proposals: ['aes128gcm16'], sizes: [64, 1400], durationS: 2, rounds: 1, warmupS: 1, paced: [[64, 10_000]], pingS: 1 };

/** Seconds between the count lines of both (WakeLab --stats-every, the sink's interval). */
const STATS_EVERY_S = 0.5;
/** After the last send, the tunnel stays up this long before the counters are read. */
const GRACE_S = 2;

/** Counters along the path, read before and after a load. */
interface PathCounters {
  /** The client's TUN device: packets charon read, and packets dropped (its queue full). */
  tunTx: number;
  tunDropped: number;
  /** UDP send errors the kernel hid from the blaster (ENOBUFS), client namespace. */
  cliSndbufErrors: number;
  /** The client CHILD_SA's packets out (swanctl). */
  clientEspOut: number;
  /** nftables at the gateway's input: UDP to 4500 (ESP and IKE), and datagrams to 198.18.100.1:9. */
  gwUdp4500: number;
  gwInnerKernel: number;
  /** Receive-buffer drops of every UDP socket in the gateway namespace. */
  gwRcvbufErrors: number;
  /** ESP packets the gateway accepted (WakeLab: esp.packetsIn; charon: the CHILD_SA's packets in). */
  gwEspIn: number;
  /** WakeLab only: ESP drops by reason. */
  gwEspDrops: Record<string, number>;
  /** charon only: packets it wrote into its TUN device. */
  gwTunRx: number;
  /** WakeLab: its virtual host's udpDiscarded; charon: the sink's count. */
  delivered: number;
}

export interface LoadResult {
  size: number;
  ratePps: number | null;
  blast: BlastDone;
  offeredPps: number;
  /**
   * Delivered datagrams per second while the blaster sent (from 1 s after its start to its end):
   * WakeLab's virtual host; for charon what it wrote into its TUN device.
   */
  deliveredPps: number;
  /** The same for the count at the destination socket (WakeLab: the same count; charon: the sink's). */
  socketPps: number;
  /** Delivered (as deliveredPps counts) from the first send to GRACE_S after the last; lost = sent - that. */
  delivered: number;
  lossPct: number;
  /** Delivered after that, while the tunnel was torn down (a backlog queued along the path). */
  late: number;
  /** after - before for each counter (the after at GRACE_S after the last send). */
  path: PathCounters;
  /** Cores busy while the blaster sent, from its reads of /proc. */
  cores: { gateway: number | null; client: number | null; sink: number | null; blaster: number; machine: number; steal: number };
  load1: number;
}

export interface PingResult {
  transmitted: number;
  received: number;
  timeMs: number;
  rttAvgMs: number | null;
  perS: number;
  raw: string;
}

/** One load (size, flood or rate) on one gateway: a result per round. */
export interface LoadRounds {
  size: number;
  ratePps: number | null;
  rounds: LoadResult[];
}

export interface GatewayRun {
  gateway: GatewayKind;
  proposal: string;
  negotiated: string;
  tunMtu: number | null;
  warmup: LoadResult | null;
  loads: LoadRounds[];
  pings: PingResult[];
  load: { start: number; end: number };
  notes: string[];
  profile?: string;
}

export interface EspTestbedResult {
  runs: GatewayRun[];
  ceiling: Ceiling;
  charonLoad: string;
  /** The code under test: git HEAD, and whether src-main had uncommitted changes. */
  code: string;
  skipped?: string;
}

const mono = (): number => Number(process.hrtime.bigint()) / 1e9;

/**
 * Follows a log file and keeps every JSON line of one kind with the time it was seen
 * (CLOCK_MONOTONIC, the blaster's clock too), polled every 50 ms.
 */
class CountTail {
  readonly samples: Array<{ t: number; n: number; line: Record<string, unknown> }> = [];
  private offset = 0;
  private rest = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly path: string,
    private readonly kind: string,
    private readonly pick: (line: Record<string, unknown>) => number,
  ) {
    this.timer = setInterval(() => this.poll(), 50);
  }

  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return;
      const buf = Buffer.alloc(size - this.offset);
      const got = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += got;
      const text = this.rest + buf.subarray(0, got).toString('utf8');
      const lines = text.split('\n');
      this.rest = lines.pop() ?? '';
      const t = mono();
      const needle = `{"kind":"${this.kind}"`;
      for (const l of lines) {
        if (!l.startsWith(needle)) continue;
        const line = JSON.parse(l) as Record<string, unknown>;
        this.samples.push({ t, n: this.pick(line), line });
      }
    } finally {
      closeSync(fd);
    }
  }

  latest(): { t: number; n: number; line: Record<string, unknown> } | null {
    this.poll();
    return this.samples[this.samples.length - 1] ?? null;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** Receive packets of a TUN device in another process's namespace (/proc/<pid>/net/dev), polled every 50 ms. */
class TunRxSeries {
  readonly samples: Array<{ t: number; n: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.poll(), 50);
  }

  read(): number | null {
    try {
      for (const l of readFileSync(`/proc/${this.pid}/net/dev`, 'utf8').split('\n')) {
        const m = /^\s*([^:\s]+):\s*(.*)$/.exec(l);
        if (!m || m[1] === 'lo' || m[1]!.startsWith('gw')) continue;
        return Number(m[2]!.trim().split(/\s+/)[1]);
      }
    } catch {
      // gone
    }
    return null;
  }

  poll(): void {
    const n = this.read();
    if (n !== null) this.samples.push({ t: mono(), n });
  }

  close(): void {
    clearInterval(this.timer);
  }
}

interface GatewayHandle {
  kind: GatewayKind;
  pid: number;
  sinkPid: number | null;
  /** WakeLab: its virtual host's count; charon: the sink's. */
  tail: CountTail;
  /** charon only: packets it wrote into its TUN device (what it delivered to the kernel). */
  tun: TunRxSeries | null;
  espIn(): Promise<{ packets: number; drops: Record<string, number> }>;
  /** A clean stop (SIGTERM, bounded), so that --cpu-prof writes its profile. */
  stop(): Promise<void>;
  notes: string[];
}

interface WakelabStats {
  esp: { packetsIn: number; dropsIn: Record<string, number> };
  host: { udpDiscarded: number };
}

async function startWakelab(topo: Topology, dir: string, proposal: string, profDir: string | null, nodeBackend = false): Promise<GatewayHandle> {
  const cfg = join(dir, 'wakelab.json');
  writeFileSync(
    cfg,
    JSON.stringify({
      listen: { address: NET.gw, ikePort: 500, nattPort: 4500 },
      localId: GATEWAY_ID,
      secrets: [{ id: CLIENT_ID, psk: TEST_PSK }],
      ike: { proposals: [IKE_WAKELAB], rekeyS: 0 },
      esp: { proposals: [proposal], rekeyS: 0, ...(nodeBackend ? { backend: 'node' } : {}) },
      pool: NET.vipPool,
      localTs: [NET.protectedNet],
      dpd: { delayS: 0 },
    }),
  );
  const log = join(dir, 'wakelab.log');
  const prof = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const t: Tracked = topo.spawn('gw', 'wakelab responder', [process.execPath, ...prof, BIN, 'responder', '--config', cfg, '--json-log', '--stats-every', String(STATS_EVERY_S)], log);
  await pollFor('wakelab responder listening', 30_000, () => {
    if (!t.running) throw new Error(`wakelab responder exited: ${readFileSync(log, 'utf8').slice(-2000)}`);
    return readFileSync(log, 'utf8').includes('"listening"') ? true : undefined;
  });
  // The backend it runs, from its listening line (a `native` that could not load runs `node`).
  const listening = readFileSync(log, 'utf8').split('\n').find((l) => l.includes('"listening"'));
  const said = listening ? (JSON.parse(listening) as { espBackend?: string; receive?: string }) : {};
  const backendName = said.espBackend ?? '?';
  const receiveName = said.receive ?? '?';
  const tail = new CountTail(log, 'stats', (l) => (l as unknown as WakelabStats).host.udpDiscarded);
  return {
    kind: nodeBackend ? 'WakeLab node' : 'WakeLab',
    pid: t.pid,
    sinkPid: null,
    tail,
    tun: null,
    espIn: async () => {
      const s = tail.latest()?.line as unknown as WakelabStats | undefined;
      return { packets: s?.esp.packetsIn ?? NaN, drops: s?.esp.dropsIn ?? {} };
    },
    stop: async () => {
      tail.close();
      await t.stop(15_000, 3000);
    },
    notes: [
      `\`node bin/wakelab.js responder --json-log --stats-every ${STATS_EVERY_S}\`${profDir ? ' with --cpu-prof (profiled: slower)' : ''}, node ${process.version}, ESP backend ${backendName}${nodeBackend ? ' (node:crypto, set in its configuration)' : ' (the default)'}, replay window 128 (the default), receive ${receiveName}${receiveName === 'batched' ? ' (recvmmsg, the default)' : ''}, one thread`,
    ],
  };
}

async function startCharonGateway(topo: Topology, dir: string, proposal: string, load: string): Promise<GatewayHandle> {
  const sinkLog = join(dir, 'sink.log');
  const sink = topo.spawn('gw', 'udp sink', [process.execPath, '--import', TSX, SINK, NET.protectedHost, String(DISCARD_PORT), String(STATS_EVERY_S)], sinkLog);
  await pollFor('the UDP sink listening', 30_000, () => {
    if (!sink.running) throw new Error(`UDP sink exited: ${readFileSync(sinkLog, 'utf8').slice(-2000)}`);
    return readFileSync(sinkLog, 'utf8').includes('"listening"') ? true : undefined;
  });
  const g = gatewayConfig({ proposals: IKE_CLIENT, espProposals: proposal });
  const gw = await Charon.start(topo, { name: 'gw', role: 'gw', parentDir: dir, settings: { ...g.settings, logLevels: CHARON_LOG, extra: `load = ${load}` } });
  await gw.load(g.swanctl);
  const tail = new CountTail(sinkLog, 'count', (l) => l.n as number);
  const tun = new TunRxSeries(gw.pid);
  return {
    kind: 'charon',
    pid: gw.pid,
    sinkPid: sink.pid,
    tail,
    tun,
    espIn: async () => {
      const sas = await gw.listSas();
      return { packets: sas.reduce((s, sa) => s + sa.children.reduce((c, ch) => c + ch.packetsIn, 0), 0), drops: {} };
    },
    stop: async () => {
      tail.close();
      tun.close();
      await gw.stop();
      await sink.stop();
    },
    notes: [
      "strongSwan 5.9 charon with kernel-libipsec (userspace ESP; decrypted packets go through its TUN device into the kernel), Debian's 16 worker threads, replay window 32 (charon's default); " +
        `delivered = datagrams it wrote into its TUN device for ${NET.protectedHost} (/proc/<pid>/net/dev, every 50 ms; nftables counts them again at input), read there by a node UDP sink on port ${DISCARD_PORT} (its count printed every ${STATS_EVERY_S} s, as WakeLab's)`,
    ],
  };
}

/** charon's `load` line: the interop tests' plugins (those installed), `first` moved to the front. */
export function charonLoad(first: readonly string[]): string {
  const interop = ['random', 'nonce', 'aes', 'sha1', 'sha2', 'hmac', 'gmp', 'curve25519', 'gcm', 'openssl', 'kdf', 'pem', 'pkcs1', 'pubkey', 'x509', 'kernel-libipsec', 'kernel-netlink', 'socket-default', 'vici'];
  return [...first, ...interop.filter((p) => !first.includes(p))].filter(havePlugin).join(' ');
}

const NFT = `table ip wlbench {
  chain input {
    type filter hook input priority filter - 10; policy accept;
    udp dport 4500 counter
    ip daddr ${NET.protectedHost} udp dport ${DISCARD_PORT} counter
  }
}
`;

function nftCount(text: string, rule: RegExp): number {
  const line = text.split('\n').find((l) => rule.test(l));
  const m = line ? /counter packets (\d+) bytes (\d+)/.exec(line) : null;
  return m ? Number(m[1]) : NaN;
}

function snmpUdp(text: string): Record<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return {};
  const keys = lines[0]!.split(/\s+/).slice(1);
  const vals = lines[1]!.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(keys.map((k, i) => [k, vals[i] ?? NaN]));
}

interface Ctx {
  topo: Topology;
  gw: GatewayHandle;
  cli: Charon;
  /** The client's virtual IP while a tunnel is up. */
  vip: string | null;
  tunDev: string | null;
  log: (l: string) => void;
}

async function tunStats(ctx: Ctx): Promise<{ tx: number; dropped: number; mtu: number | null }> {
  if (!ctx.tunDev) return { tx: NaN, dropped: NaN, mtu: null };
  const r = await ctx.topo.exec('cli', [bin('ip'), '-j', '-s', 'link', 'show', 'dev', ctx.tunDev], { check: false });
  try {
    const l = (JSON.parse(r.stdout) as Array<{ mtu?: number; stats64?: { tx?: { packets?: number; dropped?: number } } }>)[0];
    return { tx: l?.stats64?.tx?.packets ?? NaN, dropped: l?.stats64?.tx?.dropped ?? NaN, mtu: l?.mtu ?? null };
  } catch {
    return { tx: NaN, dropped: NaN, mtu: null };
  }
}

async function readPath(ctx: Ctx): Promise<PathCounters> {
  const [tun, cliSnmp, gwSnmp, nft, sas, esp] = await Promise.all([
    tunStats(ctx),
    ctx.topo.exec('cli', ['cat', '/proc/net/snmp'], { check: false }),
    ctx.topo.exec('gw', ['cat', '/proc/net/snmp'], { check: false }),
    ctx.topo.exec('gw', [bin('nft'), 'list', 'table', 'ip', 'wlbench'], { check: false }),
    ctx.cli.listSas(),
    ctx.gw.espIn(),
  ]);
  return {
    tunTx: tun.tx,
    tunDropped: tun.dropped,
    cliSndbufErrors: snmpUdp(cliSnmp.stdout).SndbufErrors ?? NaN,
    clientEspOut: sas.reduce((s, sa) => s + sa.children.reduce((c, ch) => c + ch.packetsOut, 0), 0),
    gwUdp4500: nftCount(nft.stdout, /udp dport 4500 counter/),
    gwInnerKernel: nftCount(nft.stdout, new RegExp(`udp dport ${DISCARD_PORT} counter`)),
    gwRcvbufErrors: snmpUdp(gwSnmp.stdout).RcvbufErrors ?? NaN,
    gwEspIn: esp.packets,
    gwEspDrops: esp.drops,
    gwTunRx: ctx.gw.tun?.read() ?? NaN,
    delivered: ctx.gw.tail.latest()?.n ?? NaN,
  };
}

function diff(a: PathCounters, b: PathCounters): PathCounters {
  const drops: Record<string, number> = {};
  for (const [k, v] of Object.entries(a.gwEspDrops)) if (v - (b.gwEspDrops[k] ?? 0) > 0) drops[k] = v - (b.gwEspDrops[k] ?? 0);
  return {
    tunTx: a.tunTx - b.tunTx,
    tunDropped: a.tunDropped - b.tunDropped,
    cliSndbufErrors: a.cliSndbufErrors - b.cliSndbufErrors,
    clientEspOut: a.clientEspOut - b.clientEspOut,
    gwUdp4500: a.gwUdp4500 - b.gwUdp4500,
    gwInnerKernel: a.gwInnerKernel - b.gwInnerKernel,
    gwRcvbufErrors: a.gwRcvbufErrors - b.gwRcvbufErrors,
    gwEspIn: a.gwEspIn - b.gwEspIn,
    gwEspDrops: drops,
    gwTunRx: a.gwTunRx - b.gwTunRx,
    delivered: a.delivered - b.delivered,
  };
}

/** Waits until the delivered count has stood still for `quietS` (bounded); returns the last count. */
async function settle(ctx: Ctx, quietS = 3 * STATS_EVERY_S, maxS = 30): Promise<number> {
  const t0 = mono();
  for (;;) {
    await sleep(100);
    const s = ctx.gw.tail.samples;
    const last = s[s.length - 1];
    if (last) {
      let i = s.length - 1;
      while (i > 0 && s[i - 1]!.n === last.n) i--;
      // Unchanged across lines spanning quietS, the newest one fresh.
      if (last.t - s[i]!.t >= quietS && mono() - last.t < 2 * STATS_EVERY_S) return last.n;
    }
    if (mono() - t0 > maxS) {
      ctx.log(`    (the delivered count was still moving after ${maxS} s: ${String(last?.n)})`);
      return last?.n ?? NaN;
    }
  }
}

/** A new tunnel (IKE_SA and CHILD_SA) from the client, unless one is up. */
async function tunnelUp(ctx: Ctx): Promise<void> {
  if (ctx.vip) return;
  await ctx.cli.initiate('home', { timeoutS: 15 });
  const sa = (await ctx.cli.listSas())[0];
  if (!sa || sa.localVips.length !== 1 || sa.children.length !== 1) throw new Error(`${ctx.gw.kind}: no tunnel (${JSON.stringify(sa ?? null)})`);
  ctx.vip = sa.localVips[0]!;
}

/** Deletes the IKE_SA from the client: what is still queued for it on either side is dropped. */
async function tunnelDown(ctx: Ctx): Promise<void> {
  const r = await ctx.cli.terminate({ ike: 'home', timeoutS: 5 });
  if (r.code !== 0) await ctx.cli.terminate({ ike: 'home', timeoutS: 5, force: true });
  ctx.vip = null;
}

async function blast(ctx: Ctx, size: number, durationS: number, ratePps: number | null): Promise<BlastDone> {
  const watch: Record<string, number> = { gateway: ctx.gw.pid, client: ctx.cli.pid };
  if (ctx.gw.sinkPid) watch.sink = ctx.gw.sinkPid;
  const cfg: BlastConfig = { src: ctx.vip!, dst: NET.protectedHost, port: DISCARD_PORT, innerBytes: size, durationS, ratePps, watch };
  const r = await ctx.topo.exec('cli', [process.execPath, '--import', TSX, BLASTER, JSON.stringify(cfg)], { timeoutMs: (durationS + 60) * 1000, check: false });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  const done = line ? (JSON.parse(line) as BlastDone | { kind: 'error'; message: string }) : null;
  if (!done || done.kind !== 'done') throw new Error(`blaster failed (exit ${r.code ?? r.signal}): ${done && 'message' in done ? done.message : (r.stderr || r.stdout).trim().slice(-500)}`);
  return done;
}

/**
 * Delivered per second between the first count seen a little after the first send (1 s, or a
 * quarter of a shorter load: the path fills first) and the last one seen by the last send (not
 * after: a backlog drained once the load stops would count, and the idle tail would dilute).
 */
function windowRate(samples: ReadonlyArray<{ t: number; n: number }>, t0: number, t1: number): number {
  const skip = Math.min(1, (t1 - t0) / 4);
  const w = samples.filter((s) => s.t >= t0 + skip && s.t <= t1);
  const a = w[0];
  const b = w[w.length - 1];
  return a && b && b.t - a.t >= Math.min(0.9, STATS_EVERY_S * 0.9) ? (b.n - a.n) / (b.t - a.t) : NaN;
}

/** One load on a fresh tunnel, then the tunnel is deleted again. */
async function measureLoad(ctx: Ctx, size: number, durationS: number, ratePps: number | null): Promise<LoadResult> {
  await tunnelUp(ctx);
  await settle(ctx);
  const before = await readPath(ctx);
  const b = await blast(ctx, size, durationS, ratePps);
  await sleep(GRACE_S * 1000 - Math.max(0, (mono() - b.t1) * 1000));
  const after = await readPath(ctx);
  await tunnelDown(ctx);
  const final = await settle(ctx);
  const path = diff(after, before);
  const coreOf = (k: string): number | null => (b.watchCpuS[k] == null ? null : b.watchCpuS[k]! / b.durationS);
  return {
    size,
    ratePps,
    blast: b,
    offeredPps: b.sent / b.durationS,
    deliveredPps: windowRate(ctx.gw.tun?.samples ?? ctx.gw.tail.samples, b.t0, b.t1),
    socketPps: windowRate(ctx.gw.tail.samples, b.t0, b.t1),
    delivered: ctx.gw.tun ? path.gwTunRx : path.delivered,
    lossPct: b.sent > 0 ? (100 * (b.sent - (ctx.gw.tun ? path.gwTunRx : path.delivered))) / b.sent : NaN,
    late: ctx.gw.tun ? (ctx.gw.tun.read() ?? NaN) - after.gwTunRx : final - after.delivered,
    path,
    cores: {
      gateway: coreOf('gateway'),
      client: coreOf('client'),
      sink: coreOf('sink'),
      blaster: b.cpuS / b.durationS,
      machine: b.machine.busyS / b.durationS,
      steal: b.machine.stealS / b.durationS,
    },
    load1: loadavg()[0]!,
  };
}

async function floodPing(ctx: Ctx, seconds: number): Promise<PingResult> {
  await tunnelUp(ctx);
  await settle(ctx);
  const argv = [bin('ping'), '-n', '-q', '-f', '-w', String(seconds), '-s', '36', '-I', ctx.vip!, NET.protectedHost];
  const r = await ctx.topo.exec('cli', argv, { check: false, timeoutMs: (seconds + 15) * 1000 });
  const out = r.stdout + r.stderr;
  const m = /(\d+) packets transmitted, (\d+) received.*?time (\d+)ms/.exec(out);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(out);
  const transmitted = m ? Number(m[1]) : 0;
  const received = m ? Number(m[2]) : 0;
  const timeMs = m ? Number(m[3]) : NaN;
  return { transmitted, received, timeMs, rttAvgMs: rtt ? Number(rtt[1]) : null, perS: received / (timeMs / 1000), raw: out.trim().split('\n').slice(-3).join(' / ') };
}

/** One gateway with its own topology and client, its tunnel up. */
interface Side {
  kind: GatewayKind;
  ctx: Ctx;
  profDir: string | null;
  negotiated: string;
  tunMtu: number | null;
  load0: number;
}

async function openSide(kind: GatewayKind, proposal: string, c: EspTestbedConfig, load: string, dir: string, log: (l: string) => void): Promise<Side> {
  const load0 = loadavg()[0]!;
  const runDir = join(dir, `${kind}-${proposal}`);
  mkdirSync(runDir, { recursive: true });
  const profDir = kind === 'WakeLab' && c.cpuProfDir ? join(c.cpuProfDir, proposal) : null;
  if (profDir) {
    rmSync(profDir, { recursive: true, force: true });
    mkdirSync(profDir, { recursive: true });
  }
  const topo = await Topology.create({ natUdpTimeoutS: 30 });
  try {
    await topo.exec('gw', [bin('nft'), '-f', '-'], { input: NFT });
    const gw = kind === 'charon' ? await startCharonGateway(topo, runDir, proposal, load) : await startWakelab(topo, runDir, proposal, profDir, kind === 'WakeLab node');
    const ctx: Ctx = { topo, gw, cli: null as unknown as Charon, vip: null, tunDev: null, log };
    const cc = clientConfig({ keepAlive: '20s', proposals: IKE_CLIENT, espProposals: proposal, dpdDelay: '0s' });
    ctx.cli = await Charon.start(topo, { name: 'cli', role: 'cli', parentDir: runDir, settings: { ...cc.settings, logLevels: CHARON_LOG, extra: `load = ${load}` } });
    await ctx.cli.load(cc.swanctl);
    await tunnelUp(ctx);
    const sa = (await ctx.cli.listSas())[0]!;
    const child = sa.children[0]!;
    const links = await topo.exec('cli', [bin('ip'), '-j', 'link', 'show'], { check: false });
    ctx.tunDev = (JSON.parse(links.stdout || '[]') as Array<{ ifname: string }>).map((l) => l.ifname).find((x) => x !== 'lo' && x !== 'cli0') ?? null;
    const tun = await tunStats(ctx);
    const negotiated = `IKE ${sa.encrAlg}/${String(sa.raw['integ-alg'] ?? '-')}/${sa.dhGroup}; ESP ${child.encrAlg}${child.integAlg ? `/${child.integAlg}` : ''}${child.encap ? ', UDP-encapsulated' : ''}`;
    const ping = await topo.ping('cli', NET.protectedHost, { count: 2, source: ctx.vip!, intervalS: 0.2 });
    if (ping.received !== 2) throw new Error(`${kind}: no ping through the tunnel: ${ping.output}`);
    log(`  ${kind}, ESP ${proposal}: tunnel up (${negotiated}), virtual IP ${ctx.vip}, client TUN ${ctx.tunDev ?? '?'} MTU ${tun.mtu ?? '?'}`);
    return { kind, ctx, profDir, negotiated, tunMtu: tun.mtu, load0 };
  } catch (e) {
    await topo.teardown();
    throw e;
  }
}

async function closeSide(side: Side, log: (l: string) => void): Promise<void> {
  try {
    await side.ctx.gw.stop(); // before the teardown: --cpu-prof writes at exit
  } finally {
    side.ctx.gw.tail.close();
    side.ctx.gw.tun?.close();
    const report = await side.ctx.topo.teardown();
    if (report.leftovers.length > 0) log(`    teardown left: ${report.leftovers.join('; ')}`);
  }
}

const showLoad = (kind: GatewayKind, r: LoadResult): string =>
  `    ${kind} ${r.size} B ${r.ratePps === null ? 'flood' : `at ${fmtRate(r.ratePps)}/s`}: sent ${fmtRate(r.offeredPps)}/s, delivered ${rate(r.deliveredPps)}/s while sending, ` +
  `${r.lossPct.toFixed(1)} % lost (${r.late} late); cores: gateway ${cores(r.cores.gateway)}, client ${cores(r.cores.client)}, machine ${cores(r.cores.machine)}; load ${r.load1.toFixed(2)}`;

/**
 * Both gateways for one proposal, each in its own topology with its own client, alive together;
 * every load runs on one, then on the other (the order swapping each round), so that both see the
 * same neighbours on this shared machine.
 */
async function runProposal(proposal: string, paced: Array<[number, number]>, c: EspTestbedConfig, load: string, dir: string, log: (l: string) => void): Promise<GatewayRun[]> {
  const sides: Side[] = [];
  try {
    sides.push(await openSide('WakeLab', proposal, c, load, dir, log));
    sides.push(await openSide('charon', proposal, c, load, dir, log));
    if (c.nodeBackend) sides.push(await openSide('WakeLab node', proposal, c, load, dir, log));
    const smallest = Math.min(...c.sizes);
    const warm = new Map<Side, LoadResult>();
    if (c.warmupS > 0) for (const side of sides) warm.set(side, await measureLoad(side.ctx, smallest, c.warmupS, 10_000));
    const specs: Array<[number, number | null]> = [...c.sizes.map((s): [number, null] => [s, null]), ...paced];
    const results = new Map<Side, LoadRounds[]>(sides.map((side) => [side, specs.map(([size, ratePps]) => ({ size, ratePps, rounds: [] }))]));
    const pings = new Map<Side, PingResult[]>(sides.map((side) => [side, []]));
    for (let round = 0; round < c.rounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      log(`   round ${round + 1} of ${c.rounds}`);
      for (let i = 0; i < specs.length; i++) {
        for (const side of order) {
          const r = await measureLoad(side.ctx, specs[i]![0], c.durationS, specs[i]![1]);
          log(showLoad(side.kind, r));
          results.get(side)![i]!.rounds.push(r);
        }
      }
      if (c.pingS > 0) {
        for (const side of order) {
          const p = await floodPing(side.ctx, c.pingS);
          log(`    ${side.kind} ping -f: ${p.received}/${p.transmitted} in ${p.timeMs} ms, ${rate(p.perS)} round trips/s, rtt avg ${p.rttAvgMs ?? '?'} ms`);
          pings.get(side)!.push(p);
        }
      }
    }
    const runs: GatewayRun[] = [];
    for (const side of sides) {
      const notes = [...side.ctx.gw.notes];
      const w = warm.get(side);
      if (w) notes.push(`warm-up: ${c.warmupS} s of ${smallest} B at 10 k/s, ${rate(w.deliveredPps)}/s delivered (not counted)`);
      runs.push({ gateway: side.kind, proposal, negotiated: side.negotiated, tunMtu: side.tunMtu, warmup: w ?? null, loads: results.get(side)!, pings: pings.get(side)!, load: { start: side.load0, end: loadavg()[0]! }, notes });
    }
    while (sides.length > 0) await closeSide(sides.pop()!, log);
    for (const run of runs) {
      if (run.gateway === 'WakeLab' && c.cpuProfDir) run.profile = summarizeEspProfile(join(c.cpuProfDir, proposal));
    }
    return runs;
  } finally {
    while (sides.length > 0) await closeSide(sides.pop()!, log);
  }
}

/** Runs both gateways for each proposal; skipped without root. */
/** git HEAD and whether src-main has uncommitted changes (read-only git commands). */
function codeState(): string {
  const git = (args: string[]): string | null => {
    const r = spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', timeout: 10_000 });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const head = git(['log', '-1', '--format=%h (%cd)', '--date=format:%Y-%m-%d %H:%M']);
  if (head === null) return 'unknown (no git)';
  const dirty = git(['status', '--porcelain', '--', 'src-main']);
  return `${head}${dirty ? `, with ${dirty.split('\n').length} uncommitted change(s) under src-main` : ', src-main clean'}`;
}

export async function runEspTestbedBench(c: EspTestbedConfig, log: (l: string) => void): Promise<EspTestbedResult> {
  const load = charonLoad(c.charonCryptoFirst ?? ['aesni', 'openssl']);
  const code = codeState();
  const why = interopPrereq();
  if (why) return { runs: [], ceiling: opensslCeiling(), charonLoad: load, code, skipped: why };
  const dir = mkdtempSync(join(tmpdir(), 'wlb-espt-'));
  let ok = false;
  try {
    const runs: GatewayRun[] = [];
    for (const [i, proposal] of c.proposals.entries()) runs.push(...(await runProposal(proposal, i === 0 ? c.paced : [], c, load, dir, log)));
    const ceiling = opensslCeiling();
    ok = true;
    return { runs, ceiling, charonLoad: load, code };
  } finally {
    if (ok && process.env.WAKELAB_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    else log(`  logs and configs kept in ${dir}`);
  }
}

const n = (x: number): string => (Number.isFinite(x) ? x.toLocaleString('en-US') : '?');
const cores = (x: number | null): string => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(2));
const rate = (x: number): string => (Number.isFinite(x) ? fmtRate(x) : '?');
/** Gateway CPU per delivered datagram while sending, microseconds. */
const usPer = (x: LoadResult): number => (x.cores.gateway === null ? NaN : (x.cores.gateway * 1e6) / x.deliveredPps);

const med = (xs: readonly number[]): number => median(xs.filter(Number.isFinite));
/** "median (min-max)" of a figure over the rounds. */
function spread(xs: readonly number[], f: (x: number) => string): string {
  const ok = xs.filter(Number.isFinite);
  if (ok.length === 0) return '?';
  if (ok.length === 1) return f(ok[0]!);
  return `${f(median(ok))} (${f(Math.min(...ok))}-${f(Math.max(...ok))})`;
}
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The report: tables, ratios, the ceiling; goal rows for the goals table. */
export function espTestbedReport(r: EspTestbedResult, c: EspTestbedConfig): { lines: string[]; goals: string[][] } {
  const lines: string[] = [];
  const goals: string[][] = [];
  const ceil = r.ceiling.ok
    ? `\`${r.ceiling.command}\` (${r.ceiling.version}, one core): ${(r.ceiling.bytesPerS / 1e6).toFixed(0)} MB/s = ${fmtRate(r.ceiling.pps)} blocks of ${r.ceiling.blockBytes} B per second`
    : `\`${r.ceiling.command}\`: not available (${r.ceiling.why})`;
  if (r.skipped) {
    lines.push(`Skipped: ${r.skipped}. (The testbed needs root for its network namespaces: \`sudo npm run bench -- --only=esp-testbed\`.)`);
    lines.push(`Hardware ceiling: ${ceil}.`);
    goals.push(['ESP testbed: delivered pps, WakeLab / charon', '>= 1.00x', 'not run (needs root)', 'unknown']);
    return { lines, goals };
  }
  lines.push(
    `Code under test: ${r.code}. Both charons load \`${r.charonLoad}\`. Each load: ${c.durationS} s from a fresh tunnel, counters read ${GRACE_S} s after the last send, then the tunnel deleted (dropping what is still queued); ` +
      `${c.rounds} round(s), the gateways taking turns load by load. Figures: median over the rounds (min-max).`,
  );
  lines.push('');
  const label = (x: LoadRounds): string => `${x.size} B ${x.ratePps === null ? 'flood' : `at ${fmtRate(x.ratePps)}/s`}`;
  for (const proposal of c.proposals) {
    const runs = r.runs.filter((x) => x.proposal === proposal);
    lines.push(`### ESP ${proposal}`);
    lines.push('');
    for (const run of runs) lines.push(`- ${run.gateway}: ${run.negotiated}; client TUN MTU ${run.tunMtu ?? '?'}; load average ${run.load.start.toFixed(2)} at its start, ${run.load.end.toFixed(2)} at its end. ${run.notes.join('; ')}.`);
    lines.push('');
    lines.push(
      table(
        ['gateway, load', 'sent /s', 'reached the gateway /s', 'delivered /s while sending', '(sink read /s)', `lost (by +${GRACE_S} s)`, 'gateway CPU / datagram', 'cores: gateway', 'client charon', 'sink', 'blaster', 'machine (steal)'],
        runs.flatMap((run) =>
          run.loads.map((x) => {
            const m = (f: (y: LoadResult) => number | null): number => med(x.rounds.map((y) => f(y) ?? NaN));
            return [
              `${run.gateway}, ${label(x)}`,
              spread(x.rounds.map((y) => y.offeredPps), rate),
              spread(x.rounds.map((y) => y.path.gwUdp4500 / y.blast.durationS), rate),
              spread(x.rounds.map((y) => y.deliveredPps), rate),
              run.gateway === 'charon' ? spread(x.rounds.map((y) => y.socketPps), rate) : '-',
              spread(x.rounds.map((y) => y.lossPct), (v) => `${v.toFixed(1)} %`),
              spread(x.rounds.map(usPer), (v) => `${v.toFixed(1)} us`),
              cores(m((y) => y.cores.gateway)),
              cores(m((y) => y.cores.client)),
              cores(m((y) => y.cores.sink)),
              cores(m((y) => y.cores.blaster)),
              `${cores(m((y) => y.cores.machine))} (${cores(m((y) => y.cores.steal))})`,
            ];
          }),
        ),
      ),
    );
    lines.push('');
    lines.push(`Where the datagrams went (all rounds added up; from just before the first send to ${GRACE_S} s after the last; "late": delivered after that, before the tunnel was gone):`);
    lines.push('');
    lines.push(
      table(
        ['gateway, load', 'blaster sent', 'client TUN read / dropped', 'client ESP out', 'gw UDP 4500 in (nft)', 'gw rcvbuf drops', 'gw ESP in', 'gw ESP drops', 'charon TUN out', 'to :9 at input (nft)', 'host / sink count', 'late'],
        runs.flatMap((run) =>
          run.loads.map((x) => {
            const t = (f: (y: LoadResult) => number): string => n(sum(x.rounds.map(f)));
            const drops: Record<string, number> = {};
            for (const y of x.rounds) for (const [k, v] of Object.entries(y.path.gwEspDrops)) drops[k] = (drops[k] ?? 0) + v;
            return [
              `${run.gateway}, ${label(x)}`,
              t((y) => y.blast.sent),
              `${t((y) => y.path.tunTx)} / ${t((y) => y.path.tunDropped)}`,
              t((y) => y.path.clientEspOut),
              t((y) => y.path.gwUdp4500),
              t((y) => y.path.gwRcvbufErrors),
              t((y) => y.path.gwEspIn),
              Object.keys(drops).length ? JSON.stringify(drops) : '-',
              run.gateway === 'charon' ? t((y) => y.path.gwTunRx) : '-',
              run.gateway === 'charon' ? t((y) => y.path.gwInnerKernel) : '-',
              t((y) => y.path.delivered),
              t((y) => y.late),
            ];
          }),
        ),
      ),
    );
    lines.push('');
    const pinged = runs.filter((x) => x.pings.length > 0);
    if (pinged.length > 0) {
      lines.push(
        `\`ping -f -s 36\` (64 B inner) for ${c.pingS} s per round: ` +
          pinged
            .map((x) => `${x.gateway} ${spread(x.pings.map((p) => p.perS), rate)} round trips/s, rtt avg ${spread(x.pings.map((p) => p.rttAvgMs ?? NaN), (v) => `${v.toFixed(3)} ms`)} (${sum(x.pings.map((p) => p.received))}/${sum(x.pings.map((p) => p.transmitted))} answered)`)
            .join('; ') +
          '.',
      );
      lines.push('');
    }
    const ch = runs.find((x) => x.gateway === 'charon');
    for (const wl of runs.filter((x) => x.gateway !== 'charon')) {
      if (!ch) break;
      const isGoal = wl.gateway === 'WakeLab';
      const ratios: string[] = [];
      for (const x of wl.loads) {
        const y = ch.loads.find((z) => z.size === x.size && z.ratePps === x.ratePps);
        if (!y) continue;
        const a = med(x.rounds.map((v) => v.deliveredPps));
        const b = med(y.rounds.map((v) => v.deliveredPps));
        const ratio = a / b;
        ratios.push(`${label(x)}: delivered ${ratio.toFixed(2)}x, gateway CPU per datagram ${(med(x.rounds.map(usPer)) / med(y.rounds.map(usPer))).toFixed(2)}x`);
        if (x.ratePps === null && isGoal) {
          goals.push([`ESP testbed, ${proposal}, ${x.size} B flood: delivered pps, WakeLab / charon`, '>= 1.00x', `${rate(a)} vs ${rate(b)}/s: ${ratio.toFixed(2)}x`, ratio >= 1 ? 'MET' : 'NOT MET']);
        }
      }
      if (wl.pings.length > 0 && ch.pings.length > 0) ratios.push(`ping -f round trips/s ${(med(wl.pings.map((p) => p.perS)) / med(ch.pings.map((p) => p.perS))).toFixed(2)}x`);
      lines.push(`Ratios ${wl.gateway} / charon (${proposal}, medians): ${ratios.join('; ')}.`);
      lines.push('');
    }
    for (const run of runs) if (run.profile) lines.push(`CPU profile of WakeLab's responder (${proposal}, the whole run, profiler on):`, '', '```', run.profile, '```', '');
  }
  lines.push(`Hardware ceiling: ${ceil}.`);
  if (r.ceiling.ok) {
    const best = Math.max(...r.runs.flatMap((x) => x.loads.filter((l) => l.size >= 1000).flatMap((l) => l.rounds.map((y) => y.deliveredPps).filter(Number.isFinite))));
    if (Number.isFinite(best)) lines.push(`The best 1400 B rate delivered above is ${((100 * best) / r.ceiling.pps).toFixed(1)} % of it.`);
  }
  return { lines, goals };
}
