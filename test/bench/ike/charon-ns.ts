/**
 * charon (strongSwan 5.9, kernel-libipsec) as an IKE responder in a network namespace of its own,
 * for the IKE benchmark: one namespace `wlb-<pid>-ike` with only `lo` (IPv6 off), charon bound to
 * it (ports 500 and 4500 on 127.0.0.1 of that namespace), its own directory with strongswan.conf,
 * swanctl.conf, a vici socket and a private /run (charon hard-codes /var/run/charon.pid; see
 * docs/interop-testbed.md). The load driver runs in the same namespace (`nsExec`).
 *
 * Everything started here is stopped by its own PID; the namespace is deleted at `close()` and,
 * as a last resort, synchronously when the benchmark process exits.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, CHARON, havePlugin } from '../../interop/support/prereq.ts';
import { pollFor, run, startTracked, type RunResult, type Tracked } from '../../interop/support/proc.ts';

/** Plugins charon loads (load_modular = no). openssl provides X25519 (Debian ships no curve25519 plugin). */
const PLUGINS = ['random', 'nonce', 'openssl', 'aes', 'sha1', 'sha2', 'hmac', 'gmp', 'kdf', 'kernel-libipsec', 'kernel-netlink', 'socket-default', 'vici'];

export interface CharonBenchConfig {
  /** Worker threads (charon.threads); Debian's default is 16. */
  threads: number;
  /** charon.ikesa_table_size / _segments; strongSwan's defaults are 1 and 1. */
  ikesaTableSize: number;
  ikesaTableSegments: number;
  /** Log level of the filelog's `default` (charon's own default is 1). */
  logLevel: number;
  localId: string;
  psk: string;
  ikeProposal: string;
  espProposal: string;
  pool: string;
  localTs: string;
  /** An address inside localTs, put on the namespace's lo (as docs/interop-testbed.md does). */
  protectedHost: string;
}

export function charonPrereq(): string | null {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root (network namespace, charon on ports 500/4500)';
  const missing = [CHARON, '/dev/net/tun'].filter((p) => {
    try {
      statSync(p);
      return false;
    } catch {
      return true;
    }
  });
  for (const p of ['kernel-libipsec', 'openssl', 'socket-default', 'kernel-netlink', 'vici']) if (!havePlugin(p)) missing.push(`${p} plugin`);
  return missing.length > 0 ? `missing ${missing.join(', ')}` : null;
}

const liveNamespaces = new Set<string>();
let hooked = false;

export class CharonNs {
  readonly ns = `wlb-${process.pid}-ike`;
  readonly viciUri: string;
  readonly logPath: string;
  private proc: Tracked | null = null;
  private readonly problems: string[] = [];
  /** Whether close() had to SIGKILL charon after SIGTERM. */
  killed = false;

  private constructor(readonly dir: string) {
    this.viciUri = `unix://${join(dir, 'charon.vici')}`;
    this.logPath = join(dir, 'charon.log');
  }

  get pid(): number {
    if (!this.proc) throw new Error('charon is not running');
    return this.proc.pid;
  }

  /** Creates the namespace and starts charon in it with the connection loaded. */
  static async start(dir: string, c: CharonBenchConfig): Promise<CharonNs> {
    const self = new CharonNs(dir);
    if (!hooked) {
      hooked = true;
      process.once('exit', () => {
        for (const n of liveNamespaces) spawnSync(bin('ip'), ['netns', 'del', n], { timeout: 5000 });
      });
    }
    try {
      await run([bin('ip'), 'netns', 'del', self.ns], { check: false, timeoutMs: 5000 }); // left by a crashed run with this PID
      await run([bin('ip'), 'netns', 'add', self.ns], { timeoutMs: 5000 });
      liveNamespaces.add(self.ns);
      const sysctl = 'for k in all default; do echo 1 > /proc/sys/net/ipv6/conf/$k/disable_ipv6; done';
      await self.exec(['/bin/sh', '-c', sysctl]);
      await self.exec([bin('ip'), 'link', 'set', 'lo', 'up']);
      // A local address inside local_ts: kernel-libipsec routes each client's virtual IP through
      // its TUN device with this source; with only 127.0.0.1 the route, and so the CHILD_SA, fails.
      await self.exec([bin('ip'), 'addr', 'add', `${c.protectedHost}/32`, 'dev', 'lo']);
      await self.launch(c);
      return self;
    } catch (e) {
      await self.close();
      throw e;
    }
  }

  /** argv run inside the namespace (`ip netns exec` execs it, so a spawned PID is the program's own). */
  nsArgv(argv: readonly string[]): string[] {
    return [bin('ip'), 'netns', 'exec', this.ns, ...argv];
  }

  exec(argv: readonly string[]): Promise<RunResult> {
    return run(this.nsArgv(argv), { timeoutMs: 10_000 });
  }

  private async launch(c: CharonBenchConfig): Promise<void> {
    const conf = join(this.dir, 'strongswan.conf');
    const swanctlDir = join(this.dir, 'swanctl');
    mkdirSync(join(this.dir, 'run'), { recursive: true });
    mkdirSync(swanctlDir, { recursive: true });
    writeFileSync(
      conf,
      `charon {
  load_modular = no
  load = ${PLUGINS.filter(havePlugin).join(' ')}
  threads = ${c.threads}
  # The driver keeps 32 handshakes in flight from one address: without these, charon would ask
  # for COOKIEs above 30 half-open SAs and block the address above 5 (its DoS protection).
  cookie_threshold = 1000000
  cookie_threshold_ip = 1000000
  block_threshold = 1000000
  ikesa_table_size = ${c.ikesaTableSize}
  ikesa_table_segments = ${c.ikesaTableSegments}
  plugins {
    vici {
      socket = ${this.viciUri}
    }
  }
  filelog {
    bench {
      path = ${this.logPath}
      default = ${c.logLevel}
      append = no
    }
    stderr {
      default = -1
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
}
swanctl {
  load = pem pkcs1 x509 pubkey random nonce aes sha1 sha2 hmac gmp openssl
  socket = ${this.viciUri}
}
`,
    );
    writeFileSync(
      join(swanctlDir, 'swanctl.conf'),
      `connections {
  bench {
    version = 2
    pools = vpool
    dpd_delay = 0s
    rekey_time = 0s
    mobike = no
    send_certreq = no
    proposals = ${c.ikeProposal}
    local {
      auth = psk
      id = ${c.localId}
    }
    remote {
      auth = psk
      id = %any
    }
    children {
      net {
        local_ts = ${c.localTs}
        esp_proposals = ${c.espProposal}
        rekey_time = 0s
      }
    }
  }
}
pools {
  vpool {
    addrs = ${c.pool}
  }
}
secrets {
  ike-any {
    secret = "${c.psk}"
  }
}
`,
    );
    const env = { ...process.env, STRONGSWAN_CONF: conf, SWANCTL_DIR: swanctlDir };
    const vici = this.viciUri.slice('unix://'.length);
    rmSync(vici, { force: true });
    const argv = this.nsArgv([bin('unshare'), '-m', '--propagation', 'private', '--', '/bin/sh', '-c', `${bin('mount')} --bind "$1" /run && exec "$2"`, 'sh', join(this.dir, 'run'), CHARON]);
    const proc = startTracked('charon (bench)', argv, join(this.dir, 'charon.stdout'), env);
    this.proc = proc;
    await pollFor('charon to open its vici socket', 10_000, () => {
      if (!proc.running) throw new Error(`charon exited at start: ${readTail(join(this.dir, 'charon.stdout'))}\n${readTail(this.logPath)}`);
      try {
        return statSync(vici).isSocket() ? true : undefined;
      } catch {
        return undefined;
      }
    });
    const comm = readFileSync(`/proc/${proc.pid}/comm`, 'utf8').trim();
    if (comm !== 'charon') throw new Error(`PID ${proc.pid} is '${comm}', not charon`);
    await this.swanctl(['--load-all', '--noprompt', '--file', join(swanctlDir, 'swanctl.conf')]);
  }

  swanctl(args: string[]): Promise<RunResult> {
    const conf = join(this.dir, 'strongswan.conf');
    return run([bin('swanctl'), ...args, '--uri', this.viciUri], { timeoutMs: 30_000, env: { ...process.env, STRONGSWAN_CONF: conf, SWANCTL_DIR: join(this.dir, 'swanctl') } });
  }

  /** `swanctl --stats`: IKE_SA counts and glibc malloc figures as charon reports them. */
  async stats(): Promise<{ ikeSas: number; halfOpen: number; workers: string; mallocUsed: number | null; raw: string }> {
    const r = await this.swanctl(['--stats']);
    const m = /IKE_SAs: (\d+) total, (\d+) half-open/.exec(r.stdout);
    const w = /worker threads: (.+)/.exec(r.stdout);
    const used = /used (\d+)/.exec(r.stdout);
    return { ikeSas: Number(m?.[1] ?? NaN), halfOpen: Number(m?.[2] ?? NaN), workers: w?.[1]?.trim() ?? '?', mallocUsed: used ? Number(used[1]) : null, raw: r.stdout };
  }

  /** IKE_SAs and installed CHILD_SAs as `swanctl --list-sas --raw` lists them (one line per IKE_SA). */
  async countSas(): Promise<{ ikeSas: number; childSas: number }> {
    const r = await this.swanctl(['--list-sas', '--raw']);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('list-sa event'));
    return { ikeSas: lines.length, childSas: lines.reduce((n, l) => n + (l.match(/ state=INSTALLED /g)?.length ?? 0), 0) };
  }

  /** Stops charon by PID, deletes the namespace; returns anything that could not be cleaned. */
  async close(): Promise<string[]> {
    const problems = this.problems;
    if (this.proc && this.proc.running) {
      // With 10 000 SAs charon takes more than 30 s to tear down its libipsec SAs; the
      // measurement is over by now, so it gets 10 s and then SIGKILL (its buffered log tail is lost).
      const s = await this.proc.stop(10_000, 3000);
      this.killed = s.killed;
      if (!s.stopped) problems.push(`charon PID ${this.proc.pid} survived SIGKILL`);
    }
    if (liveNamespaces.has(this.ns)) {
      const r = await run([bin('ip'), 'netns', 'del', this.ns], { check: false, timeoutMs: 10_000 });
      if (r.code !== 0) problems.push(`ip netns del ${this.ns}: ${r.stderr.trim()}`);
      else liveNamespaces.delete(this.ns);
    }
    return problems;
  }
}

function readTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return `(no ${path})`;
  }
}
