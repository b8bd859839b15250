/**
 * The Electron app's life: single instance, lab, window, IPC; quit when the window closes, and
 * close the lab before the process ends. main.ts passes in createLab, so tests drive this file
 * against the fake electron without loading the lab.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, ipcMain, type BrowserWindow } from 'electron';
import type { Lab, LabOptions } from '../node/lab.ts';
import { appSenderCheck, registerIpc } from './ipc.ts';
import { appPaths, createMainWindow, hardenApp } from './window.ts';

export interface RunOptions {
  createLab: (opts: LabOptions) => Lab;
  /** Directory of the built main, out/main. */
  mainDir: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** Starts the app; resolves once the window has loaded, or after a start-up failure was reported. */
export function runApp(opts: RunOptions): Promise<void> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  // A second `npm start` focuses the running window instead of opening the database twice.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return Promise.resolve();
  }
  const paths = appPaths(opts.mainDir);
  hardenApp(app, paths.indexUrl); // before any web contents exists
  let lab: Lab | null = null;
  let win: BrowserWindow | null = null;
  let disposeIpc = (): void => {};

  /** Closes the lab once; resolves even if closing fails (it is logged). */
  const closeLab = async (): Promise<void> => {
    const l = lab;
    lab = null;
    disposeIpc();
    if (l) await l.close().catch((e: unknown) => log(`wakelab: closing the lab failed: ${oneLine(e)}`));
  };

  app.on('second-instance', () => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (!lab) return;
    event.preventDefault(); // quit again once the lab is closed
    void closeLab().then(() => app.quit());
  });

  return app
    .whenReady()
    .then(async () => {
      // The simulation workers are bundled next to main.js (electron.vite.config.ts, input sim-worker).
      lab = opts.createLab({ db: env.WAKELAB_DB || undefined, mode: 'electron', workerUrl: pathToFileURL(join(opts.mainDir, 'sim-worker.js')) });
      win = createMainWindow(paths);
      disposeIpc = registerIpc({ ipcMain, api: lab.api, hub: lab.hub, win, isTrustedSender: appSenderCheck(win, paths.indexUrl), log });
      await win.loadFile(paths.indexHtml);
    })
    .catch(async (e: unknown) => {
      log(`wakelab: the app cannot start: ${oneLine(e)}${rebuildHint(e)}`);
      await closeLab();
      app.exit(1);
    });
}

function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0] ?? message;
}

/** better-sqlite3 built for Node fails to load in Electron with a NODE_MODULE_VERSION message. */
function rebuildHint(e: unknown): string {
  return /NODE_MODULE_VERSION/.test(String(e instanceof Error ? e.message : e))
    ? ' (better-sqlite3 is built for Node: run `npx @electron/rebuild -f -w better-sqlite3`, see docs/electron.md)'
    : '';
}
