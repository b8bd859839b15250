/**
 * What the interop suite needs from the machine (docs/interop.md). `interopPrereq()` returns null
 * when everything is there, otherwise one line naming what is missing. Where something is missing
 * the suite skips with that reason in its name; with WAKELAB_INTEROP_REQUIRED=1 (set by .ci/run,
 * which installs the packages) it runs anyway and fails in its first hook instead.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const REQUIRED = process.env.WAKELAB_INTEROP_REQUIRED === '1';

export const IPSEC_LIBDIR = '/usr/lib/ipsec';
export const PLUGIN_DIR = `${IPSEC_LIBDIR}/plugins`;
export const CHARON = `${IPSEC_LIBDIR}/charon`;
export const CHARON_SYSTEMD = '/usr/sbin/charon-systemd';

/** Debian packages that provide all of it (the list .ci/run installs). */
export const PACKAGES =
  'strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins charon-systemd nftables conntrack iproute2 iputils-ping tshark';

const SEARCH = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable, searching PATH and the sbin directories (root tools). */
export function which(name: string): string | null {
  for (const dir of SEARCH) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

const TOOLS = ['ip', 'nft', 'conntrack', 'unshare', 'mount', 'swanctl', 'dumpcap', 'tshark', 'ping'] as const;
type Tool = (typeof TOOLS)[number];

let resolved: Record<Tool, string> | null = null;

/** Absolute paths of the tools the harness runs (falls back to the bare name if not found). */
export function bin(tool: Tool): string {
  if (!resolved) {
    resolved = {} as Record<Tool, string>;
    for (const t of TOOLS) resolved[t] = which(t) ?? t;
  }
  return resolved[tool];
}

export function pluginFile(name: string): string {
  return `${PLUGIN_DIR}/libstrongswan-${name}.so`;
}

export function havePlugin(name: string): boolean {
  return existsSync(pluginFile(name));
}

let cached: string | null | undefined;

/** null when the interop suite can run here, else a one-line reason. Probes once per process. */
export function interopPrereq(): string | null {
  if (cached === undefined) cached = probe();
  return cached;
}

function probe(): string | null {
  if (process.platform !== 'linux') return `needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (uid 0) for network namespaces, nftables and charon';
  const missing: string[] = [];
  for (const t of TOOLS) if (!which(t)) missing.push(t);
  if (!existsSync(CHARON) && !existsSync(CHARON_SYSTEMD)) missing.push(`${CHARON} or ${CHARON_SYSTEMD}`);
  if (!havePlugin('kernel-libipsec')) missing.push('kernel-libipsec plugin (libcharon-extra-plugins)');
  if (!havePlugin('gcm') && !havePlugin('openssl')) missing.push('gcm/openssl plugin (libstrongswan-standard-plugins)');
  for (const p of ['kernel-netlink', 'socket-default', 'vici']) if (!havePlugin(p)) missing.push(`${p} plugin`);
  if (!existsSync('/dev/net/tun')) missing.push('/dev/net/tun (libipsec TUN device)');
  if (missing.length > 0) return `missing ${missing.join(', ')} (apt-get install ${PACKAGES})`;
  // Can we really make a namespace? (a container without CAP_SYS_ADMIN cannot)
  const name = `wl-${process.pid}-probe`;
  const ip = bin('ip');
  const add = spawnSync(ip, ['netns', 'add', name], { timeout: 5000, encoding: 'utf8' });
  spawnSync(ip, ['netns', 'del', name], { timeout: 5000 });
  if (add.status !== 0) return `cannot create a network namespace: ${(add.stderr || add.error?.message || '').trim().split('\n')[0]}`;
  return null;
}

/** The describe-name suffix and skip flag, like test/e2e/support/chromium.ts. */
export function suiteGate(): { skip: boolean; label: string; problem: string | null } {
  const problem = interopPrereq();
  const skip = problem !== null && !REQUIRED;
  return { skip, label: skip ? ` (skipped: ${problem})` : '', problem };
}

/** Throws when prerequisites are missing; call first in beforeAll so a required run fails loudly. */
export function assertPrereq(): void {
  const problem = interopPrereq();
  if (problem) throw new Error(`interop prerequisites missing${REQUIRED ? ' (WAKELAB_INTEROP_REQUIRED=1)' : ''}: ${problem}`);
}
