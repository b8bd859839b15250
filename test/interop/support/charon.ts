/**
 * strongSwan's charon (5.9, userspace ESP through kernel-libipsec) inside a namespace of a
 * Topology, each instance with its own directory: strongswan.conf, swanctl/ (SWANCTL_DIR),
 * charon.log (filelog with ike=4 and chd=4, so keys can be read back), its own vici socket, and
 * its own /run (charon hard-codes /var/run/charon.pid, so it runs in a private mount namespace
 * with a directory bind-mounted on /run; or use the charon-systemd launcher, which writes none).
 * swanctl runs from the host namespace against the instance's socket.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCharonKeys, type CharonKeys } from './keylog.ts';
import { NET, type Role, type Topology } from './netns.ts';
import { bin, CHARON, CHARON_SYSTEMD, havePlugin } from './prereq.ts';
import { pollFor, run, type RunOptions, type RunResult, type Tracked } from './proc.ts';

/** Plugins charon loads (load_modular = no), those not installed left out. */
const PLUGINS = ['random', 'nonce', 'aes', 'sha1', 'sha2', 'hmac', 'gmp', 'curve25519', 'gcm', 'openssl', 'kdf', 'pem', 'pkcs1', 'pubkey', 'x509', 'kernel-libipsec', 'kernel-netlink', 'socket-default', 'vici'];
const SWANCTL_PLUGINS = ['pem', 'pkcs1', 'x509', 'pubkey', 'random', 'nonce', 'aes', 'sha1', 'sha2', 'hmac', 'gmp', 'openssl'];
const SWANCTL_SUBDIRS = ['x509', 'x509ca', 'x509ocsp', 'x509aa', 'x509ac', 'x509crl', 'pubkey', 'private', 'rsa', 'ecdsa', 'bliss', 'pkcs8', 'pkcs12'];

/** Process-wide settings (strongswan.conf `charon { }`). */
export interface CharonSettings {
  /** NAT-T keepalive interval (charon.keep_alive), e.g. '20s'; '0s' disables. */
  keepAlive?: string;
  retransmitTimeout?: number;
  retransmitTries?: number;
  retransmitBase?: number;
  /** Extra lines placed inside `charon { }`. */
  extra?: string;
  /** Log levels for the filelog; ike and chd must stay at 4 for key extraction. */
  logLevels?: Partial<Record<'default' | 'ike' | 'chd' | 'knl' | 'net' | 'cfg' | 'enc' | 'esp' | 'lib' | 'dmn' | 'mgr' | 'job', number>>;
}

export interface CharonStartOptions {
  /** Short instance name; its directory is `<parentDir>/<name>`. */
  name: string;
  role: Role;
  parentDir: string;
  launcher?: 'charon' | 'systemd';
  settings?: CharonSettings;
  /** Bound on waiting for the vici socket; default 10 s. */
  startTimeoutMs?: number;
}

export interface ChildSaInfo {
  name: string;
  uniqueid: string;
  state: string;
  mode: string;
  encap: boolean;
  spiIn: string;
  spiOut: string;
  encrAlg: string;
  integAlg: string | null;
  packetsIn: number;
  packetsOut: number;
  localTs: string[];
  remoteTs: string[];
}

export interface IkeSaInfo {
  name: string;
  uniqueid: string;
  state: string;
  initiator: boolean;
  localHost: string;
  localPort: number;
  remoteHost: string;
  remotePort: number;
  initiatorSpi: string;
  responderSpi: string;
  natLocal: boolean;
  natRemote: boolean;
  localVips: string[];
  remoteVips: string[];
  encrAlg: string;
  dhGroup: string;
  children: ChildSaInfo[];
  /** Everything swanctl reported, as parsed. */
  raw: VSection;
}

export type VValue = string | string[] | VSection;
export interface VSection {
  [key: string]: VValue;
}

export class Charon {
  readonly dir: string;
  readonly confPath: string;
  readonly swanctlDir: string;
  readonly logPath: string;
  readonly viciPath: string;
  readonly viciUri: string;

  private constructor(
    readonly topo: Topology,
    readonly options: CharonStartOptions,
    private proc: Tracked | null = null,
  ) {
    this.dir = join(options.parentDir, options.name);
    this.confPath = join(this.dir, 'strongswan.conf');
    this.swanctlDir = join(this.dir, 'swanctl');
    this.logPath = join(this.dir, 'charon.log');
    this.viciPath = join(this.dir, 'charon.vici');
    this.viciUri = `unix://${this.viciPath}`;
    // sockaddr_un.sun_path is 108 bytes.
    if (Buffer.byteLength(this.viciPath) > 100) throw new Error(`vici socket path too long for a unix socket: ${this.viciPath} (set TMPDIR shorter)`);
  }

  /** Writes the configuration, starts charon in the namespace and waits for its vici socket. */
  static async start(topo: Topology, options: CharonStartOptions): Promise<Charon> {
    const c = new Charon(topo, options);
    c.writeStrongswanConf(options.settings ?? {});
    await c.launch();
    return c;
  }

  get pid(): number {
    if (!this.proc) throw new Error('charon not started');
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc?.running ?? false;
  }

  private writeStrongswanConf(s: CharonSettings): void {
    mkdirSync(join(this.dir, 'run'), { recursive: true });
    for (const d of SWANCTL_SUBDIRS) mkdirSync(join(this.swanctlDir, d), { recursive: true });
    const levels = { default: 1, ike: 4, chd: 4, knl: 2, net: 2, cfg: 2, enc: 1, esp: 1, ...s.logLevels };
    const plugins = PLUGINS.filter(havePlugin).join(' ');
    const lines = [
      'charon {',
      '  load_modular = no',
      // kernel-libipsec first: the first kernel-ipsec backend wins (this kernel has no XFRM ESP);
      // kernel-netlink still handles addresses and routes.
      `  load = ${plugins}`,
      `  keep_alive = ${s.keepAlive ?? '20s'}`,
      `  retransmit_timeout = ${s.retransmitTimeout ?? 2.0}`,
      `  retransmit_tries = ${s.retransmitTries ?? 3}`,
      `  retransmit_base = ${s.retransmitBase ?? 1.8}`,
      '  plugins {',
      '    vici {',
      `      socket = ${this.viciUri}`,
      '    }',
      '  }',
      '  filelog {',
      '    main {',
      `      path = ${this.logPath}`,
      '      time_format = %H:%M:%S',
      '      time_add_ms = yes',
      '      ike_name = yes',
      '      append = no',
      '      flush_line = yes',
      ...Object.entries(levels).map(([k, v]) => `      ${k} = ${v}`),
      '    }',
      '    stderr {',
      '      default = -1',
      '    }',
      '  }',
      '  syslog {',
      '    daemon {',
      '      default = -1',
      '    }',
      '  }',
      ...(s.extra ? s.extra.split('\n').map((l) => `  ${l}`) : []),
      '}',
      'swanctl {',
      `  load = ${SWANCTL_PLUGINS.filter(havePlugin).join(' ')}`,
      `  socket = ${this.viciUri}`,
      '}',
      '',
    ];
    let text = lines.join('\n');
    // charon-systemd reads its own section; give it the same settings.
    if (this.options.launcher === 'systemd') text += text.split('\nswanctl {')[0]!.replace(/^charon \{/, 'charon-systemd {') + '\n';
    writeFileSync(this.confPath, text);
  }

  private async launch(): Promise<void> {
    const { role, name } = this.options;
    const env: NodeJS.ProcessEnv = { ...process.env, STRONGSWAN_CONF: this.confPath, SWANCTL_DIR: this.swanctlDir };
    let argv: string[];
    let expectComm: string;
    if (this.options.launcher === 'systemd' || !existsSync(CHARON)) {
      // No pid file and no systemd needed (sd_notify is a no-op without NOTIFY_SOCKET).
      argv = [CHARON_SYSTEMD];
      expectComm = 'charon-systemd';
      delete env.NOTIFY_SOCKET;
    } else {
      // ip netns exec -> unshare -> sh, each exec()ing the next: the PID is charon's own.
      argv = [bin('unshare'), '-m', '--propagation', 'private', '--', '/bin/sh', '-c', `${bin('mount')} --bind "$1" /run && exec "$2"`, 'sh', join(this.dir, 'run'), CHARON];
      expectComm = 'charon';
    }
    for (const f of [this.viciPath, join(this.dir, 'run', 'charon.pid')]) rmSync(f, { force: true });
    this.proc = this.topo.spawn(role, `charon ${name}`, argv, join(this.dir, 'charon.stdout'), env);
    const proc = this.proc;
    const timeout = this.options.startTimeoutMs ?? 10_000;
    await pollFor(`charon ${name} to open ${this.viciPath}`, timeout, () => {
      if (!proc.running) throw new Error(`charon ${name} exited at start (${JSON.stringify(proc.exit)}):\n${this.tail(join(this.dir, 'charon.stdout'))}\n${this.tail(this.logPath)}`);
      try {
        return statSync(this.viciPath).isSocket() ? true : undefined;
      } catch {
        return undefined;
      }
    });
    // The PID we will signal must be the daemon, not a wrapper that would leave it orphaned.
    const comm = readFileSync(`/proc/${proc.pid}/comm`, 'utf8').trim();
    if (comm !== expectComm) throw new Error(`charon ${name}: PID ${proc.pid} is '${comm}', expected '${expectComm}'`);
  }

  private tail(path: string, lines = 20): string {
    try {
      return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return `(no ${path})`;
    }
  }

  /** Runs `swanctl <args> --uri unix://...` from the host namespace; bounded. */
  swanctl(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return run([bin('swanctl'), ...args, '--uri', this.viciUri], {
      timeoutMs: 15_000,
      ...opts,
      env: { ...process.env, STRONGSWAN_CONF: this.confPath, SWANCTL_DIR: this.swanctlDir },
    });
  }

  /** Writes swanctl.conf and loads connections, pools and secrets from it. */
  async load(swanctlConf: string): Promise<RunResult> {
    const file = join(this.swanctlDir, 'swanctl.conf');
    writeFileSync(file, swanctlConf);
    return this.swanctl(['--load-all', '--noprompt', '--file', file]);
  }

  /** `swanctl --initiate --child <child>`; throws with swanctl's output if it does not come up within timeoutS. */
  initiate(child: string, opts: { ike?: string; timeoutS?: number } = {}): Promise<RunResult> {
    const t = opts.timeoutS ?? 15;
    const args = ['--initiate', '--child', child, '--timeout', String(t)];
    if (opts.ike) args.push('--ike', opts.ike);
    return this.swanctl(args, { timeoutMs: (t + 5) * 1000 });
  }

  /** `swanctl --terminate` for an IKE_SA (or a CHILD_SA); never throws (returns swanctl's result). */
  terminate(opts: { ike?: string; child?: string; timeoutS?: number; force?: boolean }): Promise<RunResult> {
    const t = opts.timeoutS ?? 10;
    const args = ['--terminate', '--timeout', String(t)];
    if (opts.ike) args.push('--ike', opts.ike);
    if (opts.child) args.push('--child', opts.child);
    if (opts.force) args.push('--force');
    return this.swanctl(args, { timeoutMs: (t + 5) * 1000, check: false });
  }

  /** The IKE_SAs (with their CHILD_SAs) as `swanctl --list-sas --pretty` reports them. */
  async listSas(): Promise<IkeSaInfo[]> {
    const r = await this.swanctl(['--list-sas', '--pretty']);
    return parseListSas(r.stdout);
  }

  /** Current length of the log in bytes: pass to waitForLog to see only what comes after. */
  logMark(): number {
    try {
      return statSync(this.logPath).size;
    } catch {
      return 0;
    }
  }

  logText(since = 0): string {
    try {
      return readFileSync(this.logPath).subarray(since).toString('utf8');
    } catch {
      return '';
    }
  }

  /** Waits (bounded) until the log, from byte `since`, matches `re`; returns the match. */
  async waitForLog(re: RegExp, timeoutMs: number, since = 0): Promise<RegExpExecArray> {
    return pollFor(`${re} in ${this.logPath}`, timeoutMs, () => re.exec(this.logText(since)) ?? undefined, 100);
  }

  /** Keys logged so far (ike=4, chd=4). */
  keys(): CharonKeys {
    return parseCharonKeys(this.logText());
  }

  /** SIGTERM to charon's PID, bounded, SIGKILL fallback. Teardown of the topology does it too. */
  async stop(): Promise<void> {
    await this.proc?.stop(3000, 2000);
  }
}

// ---- swanctl --pretty -------------------------------------------------------------------------

/** Parses swanctl's --pretty output into one section per message (`list-sa event`, ...). */
export function parsePretty(text: string): Array<{ name: string; body: VSection }> {
  const out: Array<{ name: string; body: VSection }> = [];
  const stack: VSection[] = [];
  let list: string[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (list) {
      if (line === ']') list = null;
      else list.push(line);
      continue;
    }
    const open = /^(.*?) \{$/.exec(line);
    if (open) {
      const sec: VSection = {};
      if (stack.length === 0) out.push({ name: open[1]!, body: sec });
      else stack[stack.length - 1]![open[1]!] = sec;
      stack.push(sec);
      continue;
    }
    if (line === '}') {
      stack.pop();
      continue;
    }
    const kv = /^(\S+) = (.*)$/.exec(line);
    if (kv && stack.length > 0) {
      if (kv[2] === '[') stack[stack.length - 1]![kv[1]!] = list = [];
      else stack[stack.length - 1]![kv[1]!] = kv[2]!;
    }
  }
  return out;
}

const str = (s: VSection, k: string): string => (typeof s[k] === 'string' ? (s[k] as string) : '');
const arr = (s: VSection, k: string): string[] => (Array.isArray(s[k]) ? (s[k] as string[]) : []);
const sec = (s: VSection, k: string): VSection => (s[k] && typeof s[k] === 'object' && !Array.isArray(s[k]) ? (s[k] as VSection) : {});

export function parseListSas(text: string): IkeSaInfo[] {
  const out: IkeSaInfo[] = [];
  for (const msg of parsePretty(text)) {
    if (msg.name !== 'list-sa event') continue;
    for (const [name, v] of Object.entries(msg.body)) {
      if (typeof v !== 'object' || Array.isArray(v)) continue;
      const children = Object.values(sec(v, 'child-sas'))
        .filter((c): c is VSection => typeof c === 'object' && !Array.isArray(c))
        .map((c) => ({
          name: str(c, 'name'),
          uniqueid: str(c, 'uniqueid'),
          state: str(c, 'state'),
          mode: str(c, 'mode'),
          encap: str(c, 'encap') === 'yes',
          spiIn: str(c, 'spi-in'),
          spiOut: str(c, 'spi-out'),
          encrAlg: str(c, 'encr-alg'),
          integAlg: str(c, 'integ-alg') || null,
          packetsIn: Number(str(c, 'packets-in') || 0),
          packetsOut: Number(str(c, 'packets-out') || 0),
          localTs: arr(c, 'local-ts'),
          remoteTs: arr(c, 'remote-ts'),
        }));
      out.push({
        name,
        uniqueid: str(v, 'uniqueid'),
        state: str(v, 'state'),
        initiator: str(v, 'initiator') === 'yes',
        localHost: str(v, 'local-host'),
        localPort: Number(str(v, 'local-port')),
        remoteHost: str(v, 'remote-host'),
        remotePort: Number(str(v, 'remote-port')),
        initiatorSpi: str(v, 'initiator-spi'),
        responderSpi: str(v, 'responder-spi'),
        natLocal: str(v, 'nat-local') === 'yes',
        natRemote: str(v, 'nat-remote') === 'yes',
        localVips: arr(v, 'local-vips'),
        remoteVips: arr(v, 'remote-vips'),
        encrAlg: str(v, 'encr-alg'),
        dhGroup: str(v, 'dh-group'),
        children,
        raw: v,
      });
    }
  }
  return out;
}

// ---- swanctl.conf writers -----------------------------------------------------------------------

export const TEST_PSK = 'wakelab-interop-psk-not-secret-0123456789';

interface Common {
  /** Connection name (default: home for the client, rw for the gateway). */
  name?: string;
  /** CHILD_SA name (default: home / net). */
  child?: string;
  localId?: string;
  remoteId?: string;
  psk?: string;
  /** e.g. '10s'; '0s' (default) disables DPD. */
  dpdDelay?: string;
  mobike?: boolean;
  /** IKE proposals (swanctl syntax), e.g. 'aes128-sha256-x25519'; default: charon's. */
  proposals?: string;
  /** ESP proposals; default aes128-sha256 (charon's default would pick AES-GCM). */
  espProposals?: string;
  rekeyTime?: string;
  /** Extra lines inside the connection and the child. */
  extraConn?: string;
  extraChild?: string;
}

export interface ClientParams extends Common {
  localAddr?: string;
  /** The responder's address (default the gateway, 198.18.2.2). */
  remoteAddr?: string;
  remotePort?: number;
  vips?: string;
  encap?: boolean;
  remoteTs?: string;
  /** NAT-T keepalive interval (process-wide charon.keep_alive). */
  keepAlive?: string;
}

export interface GatewayParams extends Common {
  localAddr?: string;
  pool?: string;
  localTs?: string;
  keepAlive?: string;
}

function quote(s: string): string {
  if (/["\\\n]/.test(s)) throw new Error(`value not allowed in swanctl.conf: ${JSON.stringify(s)}`);
  return `"${s}"`;
}

function secrets(localId: string, remoteId: string, psk: string): string {
  return `secrets {
  ike-test {
    id-1 = ${localId}
    id-2 = ${remoteId}
    secret = ${quote(psk)}
  }
}
`;
}

const indent = (text: string | undefined, n: number): string =>
  text ? `${text.split('\n').map((l) => `${' '.repeat(n)}${l}`).join('\n')}\n` : '';

export const CLIENT_ID = 'cli.wakelab.test';
export const GATEWAY_ID = 'gw.wakelab.test';

/** The client side: a road warrior asking for a virtual IP, forcing UDP encapsulation. */
export function clientConfig(p: ClientParams = {}): { settings: CharonSettings; swanctl: string } {
  const localId = p.localId ?? CLIENT_ID;
  const remoteId = p.remoteId ?? GATEWAY_ID;
  const swanctl = `connections {
  ${p.name ?? 'home'} {
    version = 2
    local_addrs = ${p.localAddr ?? NET.cli}
    remote_addrs = ${p.remoteAddr ?? NET.gw}
${p.remotePort ? `    remote_port = ${p.remotePort}\n` : ''}    vips = ${p.vips ?? '0.0.0.0'}
    encap = ${p.encap ?? true ? 'yes' : 'no'}
    dpd_delay = ${p.dpdDelay ?? '0s'}
    mobike = ${p.mobike ?? true ? 'yes' : 'no'}
${p.proposals ? `    proposals = ${p.proposals}\n` : ''}${p.rekeyTime ? `    rekey_time = ${p.rekeyTime}\n` : ''}${indent(p.extraConn, 4)}    local {
      auth = psk
      id = ${localId}
    }
    remote {
      auth = psk
      id = ${remoteId}
    }
    children {
      ${p.child ?? 'home'} {
        remote_ts = ${p.remoteTs ?? NET.protectedNet}
        esp_proposals = ${p.espProposals ?? 'aes128-sha256'}
${indent(p.extraChild, 8)}      }
    }
  }
}
${secrets(localId, remoteId, p.psk ?? TEST_PSK)}`;
  return { settings: { keepAlive: p.keepAlive ?? '20s' }, swanctl };
}

/** A charon gateway: PSK, virtual IPs from a pool, the protected network as its traffic selector. */
export function gatewayConfig(p: GatewayParams = {}): { settings: CharonSettings; swanctl: string } {
  const localId = p.localId ?? GATEWAY_ID;
  const remoteId = p.remoteId ?? CLIENT_ID;
  const swanctl = `connections {
  ${p.name ?? 'rw'} {
    version = 2
    local_addrs = ${p.localAddr ?? NET.gw}
    pools = vpool
    dpd_delay = ${p.dpdDelay ?? '0s'}
    mobike = ${p.mobike ?? true ? 'yes' : 'no'}
${p.proposals ? `    proposals = ${p.proposals}\n` : ''}${p.rekeyTime ? `    rekey_time = ${p.rekeyTime}\n` : ''}${indent(p.extraConn, 4)}    local {
      auth = psk
      id = ${localId}
    }
    remote {
      auth = psk
      id = ${remoteId}
    }
    children {
      ${p.child ?? 'net'} {
        local_ts = ${p.localTs ?? NET.protectedNet}
        esp_proposals = ${p.espProposals ?? 'aes128-sha256'}
${indent(p.extraChild, 8)}      }
    }
  }
}
pools {
  vpool {
    addrs = ${p.pool ?? NET.vipPool}
  }
}
${secrets(localId, remoteId, p.psk ?? TEST_PSK)}`;
  return { settings: { keepAlive: p.keepAlive ?? '20s' }, swanctl };
}
