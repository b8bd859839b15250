/**
 * The interop topology (docs/interop.md, interop-testbed.md) in three network namespaces whose
 * names carry this worker's PID, so runs never collide and never touch anyone else's namespaces:
 *
 *   [cli] cli0 198.18.1.2 --- nat0 198.18.1.1 [nat] nat1 198.18.2.1 --- gw0 198.18.2.2 [gw]
 *         default via .1.1          masquerade 198.18.1.0/24            198.18.100.1 on lo
 *                                   conntrack UDP timeout N s
 *
 * IPv6 is disabled in all three (late IPv6 address setup makes charon send spurious MOBIKE
 * updates). Processes started through `spawn` are owned by the topology; `teardown()` stops them
 * by PID (SIGTERM, bounded wait, SIGKILL) and then deletes the namespaces, which takes the veths,
 * the TUN device, the nftables rules and the conntrack settings with them.
 */
import { spawnSync } from 'node:child_process';
import { bin } from './prereq.ts';
import { onWorkerExit, pidAlive, run, startTracked, type RunOptions, type RunResult, type Tracked } from './proc.ts';

export const NET = {
  cli: '198.18.1.2',
  natInside: '198.18.1.1',
  natOutside: '198.18.2.1',
  gw: '198.18.2.2',
  insideNet: '198.18.1.0/24',
  outsideNet: '198.18.2.0/24',
  /** On the gateway's lo: the "protected network" a client reaches through the tunnel. */
  protectedHost: '198.18.100.1',
  protectedNet: '198.18.100.0/24',
  /** Virtual IPs handed to clients. */
  vipPool: '198.18.200.0/28',
} as const;

export const IFACE = { cli: 'cli0', natInside: 'nat0', natOutside: 'nat1', gw: 'gw0' } as const;

export type Role = 'cli' | 'nat' | 'gw';
const ROLES: readonly Role[] = ['cli', 'nat', 'gw'];

export interface TopologyOptions {
  /** Conntrack UDP timeouts in the NAT namespace in seconds (udp_timeout and udp_timeout_stream); default 30. */
  natUdpTimeoutS?: number;
  /** Extra masquerade flags, e.g. 'random' or 'fully-random'; default none (port-preserving). */
  masquerade?: string;
  /** Timeout for each setup command; default 10 s. */
  commandTimeoutMs?: number;
}

export interface TeardownReport {
  ms: number;
  /** Every process the topology started, with how it ended. */
  processes: Array<{ name: string; pid: number; killed: boolean; stopped: boolean }>;
  namespaces: string[];
  /** Anything still there afterwards (empty when the teardown was complete). */
  leftovers: string[];
}

export interface ConntrackEntry {
  proto: string;
  timeoutS: number;
  orig: { src: string; dst: string; sport: number; dport: number };
  reply: { src: string; dst: string; sport: number; dport: number };
  assured: boolean;
  raw: string;
}

/** Prefix of every namespace this worker process creates. */
export const RUN_PREFIX = `wl-${process.pid}-`;

let nextSeq = 0;
let sweptStale = false;
let exitHookSet = false;
/** Namespaces created in this process and not yet deleted (for the exit hook). */
const liveNamespaces = new Set<string>();

export async function listNamespaces(): Promise<string[]> {
  const r = await run([bin('ip'), 'netns', 'list'], { timeoutMs: 5000 });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/**
 * Removes namespaces left by a crashed earlier run that had this same PID (and prefix). Others'
 * namespaces, including other `wl-*` runs, are never touched.
 */
async function sweepStale(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((n) => n.startsWith(RUN_PREFIX) && !liveNamespaces.has(n));
  for (const n of stale) await run([bin('ip'), 'netns', 'del', n], { timeoutMs: 5000, check: false });
  return stale;
}

export class Topology {
  /** Namespace names by role, e.g. wl-1234-0-cli. */
  readonly ns: Readonly<Record<Role, string>>;
  private readonly created: string[] = [];
  private readonly procs: Tracked[] = [];
  private teardownPromise: Promise<TeardownReport> | null = null;
  private readonly cmdTimeout: number;

  private constructor(
    readonly prefix: string,
    readonly options: TopologyOptions,
  ) {
    this.ns = { cli: `${prefix}cli`, nat: `${prefix}nat`, gw: `${prefix}gw` };
    this.cmdTimeout = options.commandTimeoutMs ?? 10_000;
  }

  /** Builds the namespaces, links, addresses, routes, NAT and conntrack timeouts. */
  static async create(options: TopologyOptions = {}): Promise<Topology> {
    if (!sweptStale) {
      sweptStale = true;
      await sweepStale();
    }
    if (!exitHookSet) {
      exitHookSet = true;
      onWorkerExit(exitCleanup);
    }
    const topo = new Topology(`${RUN_PREFIX}${nextSeq++}-`, options);
    try {
      await topo.build();
    } catch (err) {
      await topo.teardown();
      throw err;
    }
    return topo;
  }

  private ip(...args: string[]): Promise<RunResult> {
    return run([bin('ip'), ...args], { timeoutMs: this.cmdTimeout });
  }

  private async build(): Promise<void> {
    const { cli, nat, gw } = this.ns;
    // An earlier crashed run with this PID may have left these exact names.
    for (const n of Object.values(this.ns)) await run([bin('ip'), 'netns', 'del', n], { timeoutMs: this.cmdTimeout, check: false });
    for (const role of ROLES) {
      const n = this.ns[role];
      await this.ip('netns', 'add', n);
      this.created.push(n);
      liveNamespaces.add(n);
      // Before the veths arrive, so they never get IPv6 addresses.
      await this.sysctl(role, { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 });
      await this.ip('-n', n, 'link', 'set', 'lo', 'up');
    }
    await this.ip('link', 'add', IFACE.cli, 'netns', cli, 'type', 'veth', 'peer', 'name', IFACE.natInside, 'netns', nat);
    await this.ip('link', 'add', IFACE.natOutside, 'netns', nat, 'type', 'veth', 'peer', 'name', IFACE.gw, 'netns', gw);
    const addrs: Array<[string, string, string]> = [
      [cli, `${NET.cli}/24`, IFACE.cli],
      [nat, `${NET.natInside}/24`, IFACE.natInside],
      [nat, `${NET.natOutside}/24`, IFACE.natOutside],
      [gw, `${NET.gw}/24`, IFACE.gw],
    ];
    for (const [n, a, dev] of addrs) {
      await this.ip('-n', n, 'addr', 'add', a, 'dev', dev);
      await this.ip('-n', n, 'link', 'set', dev, 'up');
    }
    // The protected host: on lo, as this kernel has no dummy interfaces.
    await this.ip('-n', gw, 'addr', 'add', `${NET.protectedHost}/32`, 'dev', 'lo');
    await this.ip('-n', cli, 'route', 'add', 'default', 'via', NET.natInside);
    await this.sysctl('nat', { 'net.ipv4.ip_forward': 1 });
    await this.setNatUdpTimeout(this.options.natUdpTimeoutS ?? 30);
    const ruleset = `table ip wakelab_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${NET.insideNet} oifname "${IFACE.natOutside}" counter masquerade ${this.options.masquerade ?? ''}
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related counter accept
    iifname "${IFACE.natInside}" oifname "${IFACE.natOutside}" counter accept
  }
}
`;
    await this.exec('nat', [bin('nft'), '-f', '-'], { input: ruleset });
  }

  /** Runs argv inside a namespace (`ip netns exec`), bounded; throws on failure unless check: false. */
  exec(role: Role, argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    return run([bin('ip'), 'netns', 'exec', this.ns[role], ...argv], { timeoutMs: this.cmdTimeout, ...opts });
  }

  /**
   * Starts a long-running process inside a namespace; the topology owns it (teardown stops it).
   * `ip netns exec` execs the command, so the PID is the process itself.
   */
  spawn(role: Role, name: string, argv: string[], logPath: string, env?: NodeJS.ProcessEnv): Tracked {
    if (this.teardownPromise) throw new Error(`${name}: topology ${this.prefix} is torn down`);
    const t = startTracked(name, [bin('ip'), 'netns', 'exec', this.ns[role], ...argv], logPath, env);
    this.procs.push(t);
    return t;
  }

  /** Sets the NAT's conntrack UDP timeouts (seconds); applies to new and refreshed mappings. */
  async setNatUdpTimeout(seconds: number): Promise<void> {
    const s = String(Math.max(1, Math.round(seconds)));
    await this.sysctl('nat', { 'net.netfilter.nf_conntrack_udp_timeout': s, 'net.netfilter.nf_conntrack_udp_timeout_stream': s });
  }

  /**
   * Sets sysctls inside a namespace (/proc/sys/net belongs to the writer's network namespace), without
   * needing procps' sysctl binary.
   */
  async sysctl(role: Role, values: Record<string, string | number>): Promise<void> {
    const script = 'while [ $# -gt 0 ]; do printf "%s\\n" "$2" > "$1" || exit 1; shift 2; done';
    const args = Object.entries(values).flatMap(([k, v]) => [`/proc/sys/${k.replaceAll('.', '/')}`, String(v)]);
    await this.exec(role, ['/bin/sh', '-c', script, 'sh', ...args]);
  }

  /** The NAT's UDP conntrack entries (its current mappings). */
  async conntrack(): Promise<ConntrackEntry[]> {
    const r = await this.exec('nat', [bin('conntrack'), '-L', '-p', 'udp'], { check: false });
    return parseConntrack(r.stdout);
  }

  /** Drops every NAT mapping (as if all had expired). */
  async flushConntrack(): Promise<void> {
    await this.exec('nat', [bin('conntrack'), '-F'], { check: false });
  }

  /** ping from a namespace; never throws on loss. */
  async ping(role: Role, dst: string, opts: { count?: number; intervalS?: number; waitS?: number; source?: string } = {}): Promise<{ sent: number; received: number; output: string }> {
    const count = opts.count ?? 3;
    const argv = [bin('ping'), '-n', '-c', String(count), '-i', String(opts.intervalS ?? 0.2), '-W', String(opts.waitS ?? 1)];
    if (opts.source) argv.push('-I', opts.source);
    argv.push(dst);
    const r = await this.exec(role, argv, { check: false, timeoutMs: 5000 + count * 1000 * ((opts.intervalS ?? 0.2) + (opts.waitS ?? 1)) });
    const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
    return { sent: m ? Number(m[1]) : 0, received: m ? Number(m[2]) : 0, output: r.stdout + r.stderr };
  }

  /** Stops every process started here (by PID), deletes the namespaces, and checks both. Idempotent. */
  teardown(): Promise<TeardownReport> {
    this.teardownPromise ??= this.doTeardown();
    return this.teardownPromise;
  }

  private async doTeardown(): Promise<TeardownReport> {
    const t0 = performance.now();
    const leftovers: string[] = [];
    // All at once (SIGTERM, bounded wait, SIGKILL fallback per PID).
    const procs = [...this.procs].reverse();
    const outcomes = await Promise.all(procs.map((p) => p.stop()));
    const processes = procs.map((p, i) => ({ name: p.name, pid: p.pid, ...outcomes[i]! }));
    for (const p of processes) if (!p.stopped || pidAlive(p.pid)) leftovers.push(`pid ${p.pid} (${p.name}) still alive`);
    for (const n of this.created) {
      // Report (never kill) anything inside that this harness did not start.
      const pids = await run([bin('ip'), 'netns', 'pids', n], { timeoutMs: 5000, check: false });
      const foreign = pids.stdout.split(/\s+/).filter((s) => s !== '' && !processes.some((p) => String(p.pid) === s));
      if (foreign.length > 0) leftovers.push(`namespace ${n} still holds processes this harness did not start: ${foreign.join(' ')}`);
      const del = await run([bin('ip'), 'netns', 'del', n], { timeoutMs: 5000, check: false });
      if (del.code !== 0) leftovers.push(`ip netns del ${n}: ${del.stderr.trim()}`);
      liveNamespaces.delete(n);
    }
    const remaining = (await listNamespaces()).filter((n) => n.startsWith(this.prefix));
    for (const n of remaining) leftovers.push(`namespace ${n} still listed`);
    return { ms: performance.now() - t0, processes, namespaces: [...this.created], leftovers };
  }
}

/** Last resort at worker exit: delete namespaces a crashed test left (tracked PIDs are SIGKILLed first). */
function exitCleanup(): void {
  for (const n of liveNamespaces) spawnSync(bin('ip'), ['netns', 'del', n], { timeout: 5000 });
  liveNamespaces.clear();
}

export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\w+)\s+\d+\s+(\d+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const kv = [...m[3]!.matchAll(/(src|dst|sport|dport)=(\S+)/g)].map((x) => [x[1]!, x[2]!] as const);
    if (kv.length < 8) continue;
    const tuple = (from: number) => {
      const t = Object.fromEntries(kv.slice(from, from + 4));
      return { src: t.src ?? '', dst: t.dst ?? '', sport: Number(t.sport), dport: Number(t.dport) };
    };
    out.push({ proto: m[1]!, timeoutS: Number(m[2]), orig: tuple(0), reply: tuple(4), assured: line.includes('[ASSURED]'), raw: line.trim() });
  }
  return out;
}
