/**
 * The hardware ceiling the `esp-testbed` report gives next to its packet rates: `openssl speed
 * -evp aes-128-gcm` on 1408-octet blocks (about one 1400-octet inner packet with its ESP
 * trailer), one core, as packets per second. (The in-process `esp` part runs its own; this one is
 * measured in the same run as the testbed figures.) Never throws: `{ ok: false, why }` instead.
 */
import { spawnSync } from 'node:child_process';

export type Ceiling =
  | { ok: true; command: string; version: string; blockBytes: number; bytesPerS: number; pps: number }
  | { ok: false; command: string; why: string };

/** bytes/s for `cipher` at `bytes` from `openssl speed -mr` output (`+H:` sizes, `+F:` rates). */
export function parseMr(out: string, cipher: string): { blockBytes: number; bytesPerS: number } | null {
  const h = /^\+H:(.+)$/m.exec(out);
  const f = out.split('\n').find((l) => l.startsWith('+F:') && l.split(':')[2]?.toLowerCase() === cipher.toLowerCase());
  if (!h || !f) return null;
  const sizes = h[1]!.trim().split(':').map(Number);
  const rates = f.trim().split(':').slice(3).map(Number);
  if (sizes.length === 0 || sizes.length !== rates.length || ![...sizes, ...rates].every(Number.isFinite)) return null;
  return { blockBytes: sizes[sizes.length - 1]!, bytesPerS: rates[rates.length - 1]! };
}

export function opensslCeiling(cipher = 'aes-128-gcm', bytes = 1408, seconds = 2): Ceiling {
  const args = ['speed', '-mr', '-seconds', String(seconds), '-bytes', String(bytes), '-evp', cipher];
  const command = `openssl ${args.join(' ')}`;
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { ok: false, command, why: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no openssl on PATH' : r.error.message };
  if (r.status !== 0) return { ok: false, command, why: `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? ''}` };
  const p = parseMr(`${r.stdout}\n${r.stderr}`, cipher);
  if (!p) return { ok: false, command, why: 'could not read its output' };
  const v = spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: 10_000 });
  return { ok: true, command, version: v.stdout?.trim() || 'unknown', ...p, pps: p.bytesPerS / p.blockBytes };
}
