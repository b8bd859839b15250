/**
 * The built renderer's files (out/renderer: index.html and assets/), read-only. A request path
 * maps to a file inside the renderer directory or to nothing: `..` segments (plain or
 * percent-encoded), backslashes, NUL bytes and paths whose real location (after symlinks) lies
 * outside the directory all come out as "not found".
 */
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The path part of a request target, percent-decoded; null if it is not an origin-form path. */
function decodedPath(target: string): string | null {
  const raw = target.split('?', 1)[0]!.split('#', 1)[0]!;
  if (!raw.startsWith('/')) return null; // absolute-form ("http://...") or "*"
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) return null;
  return path;
}

/**
 * The file a request target names inside `root` (`/` is index.html), or null when there is none
 * or the path tries to leave `root`.
 */
export async function resolveStatic(root: string, target: string): Promise<string | null> {
  const path = decodedPath(target);
  if (path === null) return null;
  const base = resolve(root);
  const file = resolve(base, '.' + (path === '/' ? '/index.html' : path));
  if (!file.startsWith(base + sep)) return null;
  try {
    const [realBase, realFile] = await Promise.all([realpath(base), realpath(file)]);
    if (!realFile.startsWith(realBase + sep)) return null;
    return (await stat(realFile)).isFile() ? realFile : null;
  } catch {
    return null;
  }
}
