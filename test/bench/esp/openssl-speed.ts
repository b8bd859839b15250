/**
 * The hardware ceiling for the ESP benchmark: `openssl speed -evp aes-128-gcm` on 1408-octet
 * blocks, when an `openssl` binary is on PATH. Never throws: a missing binary, an option this
 * OpenSSL lacks, or output it cannot read gives `{ ok: false, why }`, for the report to say so.
 *
 * Tries `-mr -evp <cipher> -bytes <n> -seconds 1` (OpenSSL 1.1.1 and later), then without
 * `-bytes` (older: the default block sizes; the nearest to n is reported), then the same without
 * `-mr`. `-aead` (OpenSSL 3.0 and later: a TLS-like sequence per block, new IV, AAD, tag) is
 * an extra, informative run that is skipped when unsupported.
 */
import { spawnSync } from 'node:child_process';

export interface OpensslSpeed {
  readonly ok: true;
  /** The command as run. */
  readonly command: string;
  readonly version: string;
  readonly cipher: string;
  /** The block size measured (n, or the nearest default size on an old OpenSSL). */
  readonly blockBytes: number;
  /** Bytes per second (OpenSSL divides by user CPU time unless -elapsed). */
  readonly bytesPerS: number;
}

export type OpensslResult = OpensslSpeed | { readonly ok: false; readonly command: string; readonly why: string };

function run(bin: string, args: string[]): { ok: true; stdout: string } | { ok: false; why: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? `no ${bin} binary on PATH` : `could not run ${bin}: ${r.error.message}` };
  }
  if (r.status !== 0) return { ok: false, why: `openssl exited with ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}` };
  return { ok: true, stdout: `${r.stdout}\n${r.stderr}` };
}

/**
 * Block sizes and bytes/s from `openssl speed` output: the machine-readable form (`+H:16:64:...`,
 * `+F:<n>:<name>:<bytes/s>:...`) or the table (`type  16 bytes ...`, `<name>  1234.56k ...`, in
 * thousands of bytes per second). Null when neither is there.
 */
export function parseSpeed(out: string, cipher: string): { sizes: number[]; bytesPerS: number[] } | null {
  const name = cipher.toUpperCase();
  const h = /^\+H:(.+)$/m.exec(out);
  const f = out.split('\n').find((l) => l.startsWith('+F:') && l.split(':')[2]?.toUpperCase() === name);
  if (h && f) {
    const sizes = h[1]!.split(':').map(Number);
    const rates = f.trim().split(':').slice(3).map(Number);
    if (sizes.length > 0 && sizes.length === rates.length && [...sizes, ...rates].every(Number.isFinite)) return { sizes, bytesPerS: rates };
  }
  const head = /^type\s+(.+)$/m.exec(out);
  const row = out.split('\n').find((l) => l.trim().toUpperCase().startsWith(`${name} `));
  if (head && row) {
    const sizes = [...head[1]!.matchAll(/(\d+)\s+bytes/g)].map((m) => Number(m[1]));
    const rates = row
      .trim()
      .slice(name.length)
      .trim()
      .split(/\s+/)
      .map((v) => (v.endsWith('k') ? Number(v.slice(0, -1)) * 1000 : Number(v)));
    if (sizes.length > 0 && sizes.length === rates.length && [...sizes, ...rates].every(Number.isFinite)) return { sizes, bytesPerS: rates };
  }
  return null;
}

function version(bin: string): string {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim().replace(/\s*\(Library:.*$/, '') : 'unknown version';
}

/** `openssl speed [extra] -evp <cipher>` on `bytes`-octet blocks for about a second. `bin`: for tests. */
export function opensslSpeed(cipher = 'aes-128-gcm', bytes = 1408, extra: readonly string[] = [], bin = 'openssl'): OpensslResult {
  try {
    return trySpeed(cipher, bytes, extra, bin);
  } catch (e) {
    return { ok: false, command: `${bin} speed`, why: `failed: ${(e as Error).message}` };
  }
}

function trySpeed(cipher: string, bytes: number, extra: readonly string[], bin: string): OpensslResult {
  const attempts = [
    ['speed', '-mr', ...extra, '-evp', cipher, '-bytes', String(bytes), '-seconds', '1'],
    ['speed', '-mr', ...extra, '-evp', cipher, '-seconds', '1'],
    ['speed', ...extra, '-evp', cipher],
  ];
  let why = '';
  let command = '';
  for (const args of attempts) {
    command = `${bin} ${args.join(' ')}`;
    const r = run(bin, args);
    if (!r.ok) {
      if (r.why.startsWith(`no ${bin} `)) return { ok: false, command, why: r.why };
      why = r.why;
      continue;
    }
    const p = parseSpeed(r.stdout, cipher);
    if (!p) {
      why = 'could not read its output';
      continue;
    }
    // The requested size, or the nearest default size.
    let best = 0;
    for (let i = 1; i < p.sizes.length; i++) if (Math.abs(p.sizes[i]! - bytes) < Math.abs(p.sizes[best]! - bytes)) best = i;
    return { ok: true, command, version: version(bin), cipher, blockBytes: p.sizes[best]!, bytesPerS: p.bytesPerS[best]! };
  }
  return { ok: false, command, why };
}
