#!/usr/bin/env node
// `npm start`: builds the app when the build is missing or stale, then opens it in Electron, or,
// where no Electron binary can start (none downloaded, no display), serves browser mode with
// `wakelab serve` instead. Arguments after `npm start --` go to `wakelab serve` (e.g. --port).
// WAKELAB_START_SKIP_BUILD=1 skips the build check (tests; a build you know is current).
// Plain ESM JavaScript: this runs before anything is built. Never `require('electron')` here:
// under Node it tries to download the binary.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The build's outputs, relative to the repository root. */
export const OUTPUTS = ['out/main/main.js', 'out/preload/preload.cjs', 'out/renderer/index.html'];
/** What the build reads: a change to any file under these makes the build stale. */
export const INPUTS = ['src-main', 'src-renderer', 'electron.vite.config.ts', 'svelte.config.js'];
/** An Electron that fails within this long is taken as unable to start here. */
export const ELECTRON_GRACE_MS = 3000;
const FORWARDED = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

/**
 * Why the app must be built, or null when every output exists and is newer than every input.
 * @param {string} root
 * @returns {string | null}
 */
export function needsBuild(root) {
  let oldestOutput = Infinity;
  for (const rel of OUTPUTS) {
    const mtime = mtimeOf(join(root, rel));
    if (mtime === null) return `${rel} is missing`;
    oldestOutput = Math.min(oldestOutput, mtime);
  }
  for (const rel of INPUTS) {
    const newer = findNewer(join(root, rel), oldestOutput);
    if (newer) return `${relative(root, newer)} is newer than the build`;
  }
  return null;
}

/** @param {string} path */
function mtimeOf(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * The first file at or under `path` modified after `than` (dot entries and node_modules skipped).
 * @param {string} path
 * @param {number} than
 * @returns {string | null}
 */
function findNewer(path, than) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return null; // an optional input (e.g. no svelte.config.js)
  }
  if (!st.isDirectory()) return st.mtimeMs > than ? path : null;
  for (const entry of readdirSync(path)) {
    if (entry.startsWith('.') || entry === 'node_modules') continue;
    const found = findNewer(join(path, entry), than);
    if (found) return found;
  }
  return null;
}

/**
 * Locates the Electron binary as the `electron` package would, without requiring it (which would
 * try to download it): node_modules/electron/path.txt names it under dist/ (or under
 * $ELECTRON_OVERRIDE_DIST_PATH), and it must exist and be executable.
 * @param {string} root
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {{ ok: true, path: string } | { ok: false, reason: string }}
 */
export function findElectron(root, env = process.env) {
  const pkgDir = join(root, 'node_modules', 'electron');
  if (mtimeOf(join(pkgDir, 'package.json')) === null) return { ok: false, reason: 'the electron package is not installed' };
  let name = '';
  try {
    name = readFileSync(join(pkgDir, 'path.txt'), 'utf8').trim();
  } catch {
    // no path.txt: the binary was never downloaded
  }
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!name && !override) return { ok: false, reason: 'node_modules/electron/path.txt is missing: the Electron binary was never downloaded' };
  const binary = override ? join(override, name || 'electron') : join(pkgDir, 'dist', name);
  try {
    if (!statSync(binary).isFile()) return { ok: false, reason: `${binary} is not a file` };
    accessSync(binary, constants.X_OK);
  } catch {
    return { ok: false, reason: `${binary} is missing or not executable` };
  }
  return { ok: true, path: binary };
}

/**
 * Why Electron cannot show a window here, when that is known before trying: on Linux, no display.
 * @param {NodeJS.ProcessEnv} [env]
 * @param {NodeJS.Platform} [platform]
 * @returns {string | null}
 */
export function displayProblem(env = process.env, platform = process.platform) {
  if (platform !== 'linux' || env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'no display: $DISPLAY and $WAYLAND_DISPLAY are unset';
}

/**
 * A child's exit as a process exit code: its code, or 128 + the signal's number.
 * @param {number | null} code
 * @param {NodeJS.Signals | null} signal
 */
export function exitCodeOf(code, signal) {
  if (code !== null) return code;
  const n = signal ? osConstants.signals[signal] : undefined;
  return n ? 128 + n : 1;
}

/** @param {string} root */
function build(root) {
  process.stderr.write('building the app…\n');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status === 0) return true;
  process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  process.stderr.write(`wakelab: the build failed (${r.error ? r.error.message : `exit ${exitCodeOf(r.status, r.signal)}`})\n`);
  return false;
}

/**
 * Runs `command` with inherited stdio, handing it each of SIGINT/SIGTERM/SIGHUP once. On POSIX
 * the child gets its own process group, so a terminal's Ctrl+C reaches it once, through here,
 * not also directly (and npm, which forwards signals too, cannot make it twice): `wakelab serve`
 * takes a second SIGINT as "stop now" and would skip closing the database.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {Promise<{ code: number, error?: Error, interrupted: boolean, ms: number }>}
 */
function run(command, args, options) {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: 'inherit', detached: process.platform !== 'win32', ...options });
    /** @type {Set<NodeJS.Signals>} */
    const forwarded = new Set();
    /** @param {NodeJS.Signals} signal */
    const forward = (signal) => {
      if (forwarded.has(signal)) return;
      forwarded.add(signal);
      child.kill(signal);
    };
    for (const s of FORWARDED) process.on(s, forward);
    let settled = false;
    /** @param {{ code: number, error?: Error }} outcome */
    const finish = (outcome) => {
      if (settled) return; // 'error' and 'exit' can both come
      settled = true;
      for (const s of FORWARDED) process.off(s, forward);
      done({ ...outcome, interrupted: forwarded.size > 0, ms: Date.now() - started });
    };
    child.on('error', (error) => finish({ code: 1, error }));
    child.once('exit', (code, signal) => finish({ code: exitCodeOf(code, signal) }));
  });
}

/**
 * @param {string} root
 * @param {string[]} args arguments for `wakelab serve`
 */
async function main(root, args) {
  if (!process.env.WAKELAB_START_SKIP_BUILD && needsBuild(root) !== null && !build(root)) return 1;
  const electron = findElectron(root);
  let reason = electron.ok ? displayProblem() : electron.reason;
  if (electron.ok && reason === null) {
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE; // set, it would make Electron a plain Node
    const r = await run(electron.path, ['.'], { cwd: root, env });
    if (r.error) reason = `Electron failed to start: ${r.error.message}`;
    else if (r.code !== 0 && !r.interrupted && r.ms < ELECTRON_GRACE_MS) reason = `Electron exited with code ${r.code} at start-up`;
    else return r.code;
  }
  process.stderr.write(`wakelab: no Electron binary can start here (${reason}); serving browser mode instead\n`);
  const r = await run(process.execPath, [join(root, 'bin/wakelab.js'), 'serve', ...args], { cwd: root });
  if (r.error) process.stderr.write(`wakelab: cannot run wakelab serve: ${r.error.message}\n`);
  return r.code;
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(self)) {
  process.exitCode = await main(resolve(self, '../..'), process.argv.slice(2));
}
