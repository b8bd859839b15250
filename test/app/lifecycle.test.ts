// The app's life against the fake electron: single instance, start-up, quit closes the lab.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CALLS, callChannel } from '../../src-main/contract.ts';
import { runApp } from '../../src-main/app/lifecycle.ts';
import { EventHub } from '../../src-main/node/event-hub.ts';
import type { Lab, LabOptions } from '../../src-main/node/lab.ts';
import { FakeBrowserWindow, FakeWebContents, app, fakeEvent, ipcMain, resetFake, session } from '../support/fake-electron.ts';
import { fakeApi } from './fake-api.ts';

const mainDir = '/opt/wakelab/out/main';
let logged: string[];
let lab: Lab & { close: ReturnType<typeof vi.fn> };
let createLab: ReturnType<typeof vi.fn<(opts: LabOptions) => Lab>>;

beforeEach(() => {
  resetFake();
  logged = [];
  lab = { api: fakeApi(), hub: new EventHub(), close: vi.fn(async () => {}) } as unknown as typeof lab; // no service: unused here
  createLab = vi.fn(() => lab);
});

const start = (env: NodeJS.ProcessEnv = {}) => runApp({ createLab, mainDir, env, log: (l) => logged.push(l) });
const onlyWindow = (): FakeBrowserWindow => {
  expect(FakeBrowserWindow.windows).toHaveLength(1);
  return FakeBrowserWindow.windows[0]!;
};

describe('runApp', () => {
  it('creates the lab, one window, the IPC handlers, then loads the app page', async () => {
    await start({ WAKELAB_DB: '/tmp/lab.sqlite' });
    expect(createLab).toHaveBeenCalledExactlyOnceWith({ db: '/tmp/lab.sqlite', mode: 'electron', workerUrl: pathToFileURL(join(mainDir, 'sim-worker.js')) });
    expect(onlyWindow().loaded).toEqual(['/opt/wakelab/out/renderer/index.html']);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(CALLS.map(callChannel).sort());
    expect(logged).toEqual([]);
  });

  it('leaves the database path to the lab when WAKELAB_DB is unset or empty', async () => {
    await start({ WAKELAB_DB: '' });
    expect(createLab).toHaveBeenCalledExactlyOnceWith({ db: undefined, mode: 'electron', workerUrl: pathToFileURL(join(mainDir, 'sim-worker.js')) });
  });

  it('answers calls from the loaded page', async () => {
    await start();
    const contents = onlyWindow().webContents;
    const env = await ipcMain.invoke(callChannel('info'), { sender: contents, senderFrame: contents.mainFrame });
    expect(env).toEqual({ ok: true, value: { call: 'info', arg: undefined } });
  });

  it('guards web contents created after start-up', async () => {
    await start();
    const later = new FakeWebContents(session.defaultSession);
    app.emit('web-contents-created', fakeEvent(), later);
    expect(later.openWindow('https://example.com/')).toBe('deny');
  });

  it('quits at once when another instance holds the lock', async () => {
    app.hasLock = false;
    await start();
    expect(app.quitted).toBe(true);
    expect(createLab).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.windows).toEqual([]);
  });

  it('focuses (and restores) the window when a second instance starts', async () => {
    await start();
    const win = onlyWindow();
    win.minimized = true;
    app.emit('second-instance', fakeEvent(), [], '/');
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(1);
  });

  it('quits when the window closes, closing the lab and the IPC handlers first', async () => {
    await start();
    onlyWindow().close();
    expect(lab.close).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(app.quitted).toBe(true), { timeout: 1000 });
    expect(ipcMain.handlers.size).toBe(0);
    expect(app.quitCalls).toBe(2); // the first was held back until the lab had closed
  });

  it('still quits when closing the lab fails, and says so', async () => {
    lab.close.mockRejectedValueOnce(new Error('database is locked'));
    await start();
    onlyWindow().close();
    await vi.waitFor(() => expect(app.quitted).toBe(true), { timeout: 1000 });
    expect(logged).toEqual(['wakelab: closing the lab failed: database is locked']);
  });

  it('reports a start-up failure in one line and exits 1', async () => {
    createLab.mockImplementationOnce(() => {
      throw new Error('cannot open /nope/lab.sqlite\n    at somewhere');
    });
    await start();
    expect(logged).toEqual(['wakelab: the app cannot start: cannot open /nope/lab.sqlite']);
    expect(app.exitCode).toBe(1);
    expect(FakeBrowserWindow.windows).toEqual([]);
  });

  it('hints at @electron/rebuild when better-sqlite3 was built for Node', async () => {
    createLab.mockImplementationOnce(() => {
      throw new Error("The module 'better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115.");
    });
    await start();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('npx @electron/rebuild -f -w better-sqlite3');
    expect(app.exitCode).toBe(1);
  });

  it('closes the lab and exits 1 when the page cannot load', async () => {
    app.failLoad = true;
    await start();
    expect(logged).toEqual([expect.stringMatching(/^wakelab: the app cannot start: ERR_FILE_NOT_FOUND/)]);
    expect(lab.close).toHaveBeenCalledOnce();
    expect(app.exitCode).toBe(1);
  });
});
