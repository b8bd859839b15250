// scripts/start.js (`npm start`): the build check, finding Electron without `require('electron')`,
// and the fall-back to browser mode, first as functions, then as a process in a sandbox root
// (a copy of the script beside fake electron, electron-vite and wakelab commands), then for real.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';

// Imported by URL: scripts/ is outside tsconfig.node.json's include, so the module's shape is
// declared here (keep it in step with the JSDoc in scripts/start.js).
interface StartModule {
  OUTPUTS: string[];
  needsBuild(root: string): string | null;
  findElectron(root: string, env?: NodeJS.ProcessEnv): { ok: true; path: string } | { ok: false; reason: string };
  displayProblem(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): string | null;
  exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number;
}
const startUrl = pathToFileURL(resolve(import.meta.dirname, '../../scripts/start.js')).href;
const { OUTPUTS, displayProblem, exitCodeOf, findElectron, needsBuild } = (await import(startUrl)) as StartModule;

const repo = resolve(import.meta.dirname, '../..');
const temps: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wakelab-start-'));
  temps.push(dir);
  return dir;
}

function write(root: string, rel: string, text = '', mode?: number): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  if (mode !== undefined) chmodSync(path, mode);
  return path;
}

function setTime(path: string, seconds: number): void {
  utimesSync(path, seconds, seconds);
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('needsBuild', () => {
  function builtRoot(): string {
    const root = tempDir();
    for (const rel of ['src-main/app/main.ts', 'src-main/core/x/y.ts', 'src-renderer/src/App.svelte', 'electron.vite.config.ts']) setTime(write(root, rel), 1000);
    for (const rel of OUTPUTS) setTime(write(root, rel), 2000);
    return root;
  }

  it('is null when every output is newer than every input', () => {
    expect(needsBuild(builtRoot())).toBeNull();
  });

  it.each(OUTPUTS)('names a missing output: %s', (rel) => {
    const root = builtRoot();
    rmSync(join(root, rel));
    expect(needsBuild(root)).toBe(`${rel} is missing`);
  });

  it.each(['src-main/core/x/y.ts', 'src-renderer/src/App.svelte', 'electron.vite.config.ts', 'svelte.config.js'])('names a newer input: %s', (rel) => {
    const root = builtRoot();
    setTime(write(root, rel), 3000);
    expect(needsBuild(root)).toBe(`${rel} is newer than the build`);
  });

  it('compares against the oldest output', () => {
    const root = builtRoot();
    setTime(join(root, 'out/preload/preload.cjs'), 500);
    expect(needsBuild(root)).toMatch(/is newer than the build$/);
  });

  it('ignores dot files and other folders', () => {
    const root = builtRoot();
    setTime(write(root, 'src-main/.cache/x'), 3000);
    setTime(write(root, 'docs/notes.md'), 3000);
    expect(needsBuild(root)).toBeNull();
  });
});

describe('findElectron', () => {
  function electronRoot(pathTxt?: string): string {
    const root = tempDir();
    write(root, 'node_modules/electron/package.json', '{"name":"electron"}');
    if (pathTxt !== undefined) write(root, 'node_modules/electron/path.txt', pathTxt);
    return root;
  }

  it('needs the electron package', () => {
    expect(findElectron(tempDir(), {})).toEqual({ ok: false, reason: 'the electron package is not installed' });
  });

  it('needs path.txt, which the download writes', () => {
    expect(findElectron(electronRoot(), {})).toEqual({ ok: false, reason: expect.stringContaining('path.txt is missing') });
  });

  it('needs the binary path.txt names, executable', () => {
    const root = electronRoot('electron');
    expect(findElectron(root, {})).toEqual({ ok: false, reason: expect.stringContaining('missing or not executable') });
    const binary = write(root, 'node_modules/electron/dist/electron', '', 0o644);
    expect(findElectron(root, {})).toEqual({ ok: false, reason: expect.stringContaining('missing or not executable') });
    chmodSync(binary, 0o755);
    expect(findElectron(root, {})).toEqual({ ok: true, path: binary });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH, as the electron package does', () => {
    const root = electronRoot();
    const dist = tempDir();
    const binary = write(dist, 'electron', '', 0o755);
    expect(findElectron(root, { ELECTRON_OVERRIDE_DIST_PATH: dist })).toEqual({ ok: true, path: binary });
  });

  it('finds nothing in this repository (no binary can be downloaded here)', () => {
    const found = findElectron(repo);
    if (found.ok) expect(existsSync(found.path)).toBe(true);
    else expect(found.reason).toMatch(/./);
  });
});

describe('displayProblem and exitCodeOf', () => {
  it('needs a display on Linux only', () => {
    expect(displayProblem({}, 'linux')).toMatch(/no display/);
    expect(displayProblem({ DISPLAY: ':0' }, 'linux')).toBeNull();
    expect(displayProblem({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBeNull();
    expect(displayProblem({}, 'darwin')).toBeNull();
    expect(displayProblem({}, 'win32')).toBeNull();
  });

  it('maps a signal to 128 + its number', () => {
    expect(exitCodeOf(0, null)).toBe(0);
    expect(exitCodeOf(3, null)).toBe(3);
    expect(exitCodeOf(null, 'SIGTERM')).toBe(143);
    expect(exitCodeOf(null, 'SIGINT')).toBe(130);
  });
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | string>;
}

function launch(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Run {
  const child = spawn(process.execPath, [script, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(ms: number, what: string, test: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const FALLBACK = /^wakelab: no Electron binary can start here \((.+)\); serving browser mode instead$/m;

describe('scripts/start.js in a sandbox root', () => {
  /** A root with a copy of the script, a fake Electron exiting `electronCode`, and a fake `wakelab serve`. */
  function sandbox(electronCode: number | null): string {
    const root = tempDir();
    write(root, 'package.json', '{"type":"module"}');
    write(root, 'scripts/start.js', readFileSync(join(repo, 'scripts/start.js'), 'utf8'));
    write(root, 'node_modules/electron/package.json', '{"name":"electron"}');
    if (electronCode !== null) {
      write(root, 'node_modules/electron/path.txt', 'electron');
      write(root, 'node_modules/electron/dist/electron', `#!/bin/sh\necho "fake electron $*" >&2\nexit ${electronCode}\n`, 0o755);
    }
    write(root, 'bin/wakelab.js', `process.stdout.write('WakeLab is running at http://127.0.0.1:1/?token=t ' + JSON.stringify(process.argv.slice(2)) + '\\n');\nprocess.exit(Number(process.env.FAKE_SERVE_CODE ?? 0));\n`);
    // A fake electron-vite that writes the three outputs.
    write(root, 'node_modules/electron-vite/bin/electron-vite.js', `import { mkdirSync, writeFileSync } from 'node:fs';\nif (process.env.FAKE_BUILD_FAILS) { console.error('fake build error'); process.exit(1); }\nfor (const f of ${JSON.stringify(OUTPUTS)}) { mkdirSync(f.slice(0, f.lastIndexOf('/')), { recursive: true }); writeFileSync(f, ''); }\n`);
    write(root, 'src-main/app/main.ts');
    return root;
  }
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, DISPLAY: ':99', ...extra };
    delete e.ELECTRON_OVERRIDE_DIST_PATH;
    return e;
  };

  it('builds when needed, with one line, then runs Electron; a zero exit ends there', async () => {
    const root = sandbox(0);
    const run = launch(join(root, 'scripts/start.js'), [], env(), root);
    expect(await within(10_000, 'start.js to exit', run.exited)).toBe(0);
    expect(run.stderr()).toBe('building the app…\nfake electron .\n');
    expect(run.stdout()).toBe('');
    for (const rel of OUTPUTS) expect(existsSync(join(root, rel)), rel).toBe(true);
  });

  it('stops with status 1 when the build fails, showing its output', async () => {
    const root = sandbox(0);
    const run = launch(join(root, 'scripts/start.js'), [], env({ FAKE_BUILD_FAILS: '1' }), root);
    expect(await within(10_000, 'start.js to exit', run.exited)).toBe(1);
    expect(run.stderr()).toContain('fake build error');
    expect(run.stderr()).toMatch(/^wakelab: the build failed \(exit 1\)$/m);
  });

  it('serves browser mode, passing the arguments on, when Electron fails at start-up', async () => {
    const root = sandbox(3);
    const run = launch(join(root, 'scripts/start.js'), ['--port', '0'], env({ WAKELAB_START_SKIP_BUILD: '1', FAKE_SERVE_CODE: '5' }), root);
    expect(await within(10_000, 'start.js to exit', run.exited)).toBe(5);
    expect(run.stderr()).toContain('fake electron .');
    expect(run.stderr().match(FALLBACK)?.[1]).toBe('Electron exited with code 3 at start-up');
    expect(run.stdout()).toBe('WakeLab is running at http://127.0.0.1:1/?token=t ["serve","--port","0"]\n');
  });

  it('serves browser mode, saying why, when there is no Electron binary', async () => {
    const root = sandbox(null);
    const run = launch(join(root, 'scripts/start.js'), [], env({ WAKELAB_START_SKIP_BUILD: '1' }), root);
    expect(await within(10_000, 'start.js to exit', run.exited)).toBe(0);
    expect(run.stderr().match(FALLBACK)?.[1]).toMatch(/path\.txt is missing/);
    expect(run.stderr().split('\n').filter(Boolean)).toHaveLength(1);
  });

  it.runIf(process.platform === 'linux')('does not try Electron without a display (Linux)', async () => {
    const root = sandbox(0);
    const e = env({ WAKELAB_START_SKIP_BUILD: '1' });
    delete e.DISPLAY;
    delete e.WAYLAND_DISPLAY;
    const run = launch(join(root, 'scripts/start.js'), [], e, root);
    expect(await within(10_000, 'start.js to exit', run.exited)).toBe(0);
    expect(run.stderr()).not.toContain('fake electron');
    expect(run.stderr().match(FALLBACK)?.[1]).toMatch(/no display/);
  });
});

describe('npm start in this repository', () => {
  it.skipIf(!existsSync(join(repo, 'out/renderer/index.html')))(
    'falls back to `wakelab serve` here, prints its URL, and stops on SIGTERM (needs a built out/renderer)',
    async () => {
      const data = tempDir(); // the database and the user data directory, away from $HOME
      const noElectron = tempDir(); // ELECTRON_OVERRIDE_DIST_PATH with no binary: same result on a desktop
      const env = { ...process.env, WAKELAB_START_SKIP_BUILD: '1', ELECTRON_OVERRIDE_DIST_PATH: noElectron, WAKELAB_DB: join(data, 'lab.sqlite'), XDG_CONFIG_HOME: data };
      const run = launch(join(repo, 'scripts/start.js'), ['--port', '0'], env, repo);
      const early = run.exited.then((code) => {
        throw new Error(`start.js exited (${code}) before serving:\n${run.stderr()}`);
      });
      await within(20_000, 'the "WakeLab is running at" line', Promise.race([early, until(20_000, 'URL line', () => /WakeLab is running at http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.test(run.stdout()))]));
      expect(run.stderr()).toMatch(FALLBACK);
      const url = run.stdout().match(/WakeLab is running at (\S+)/)![1]!;
      const page = await within(5_000, 'GET the page', fetch(url));
      expect(page.status).toBe(200);
      early.catch(() => {});
      run.child.kill('SIGTERM'); // this PID only; it forwards the signal to its serve child
      expect(await within(10_000, 'start.js to stop after SIGTERM', run.exited)).toBe(0);
    },
  );
});
