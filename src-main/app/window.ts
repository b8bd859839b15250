/**
 * The one app window and the guards every web contents gets: no navigation away from the app
 * (checklist #13), no new windows (#14), no webviews (#12), every permission denied (#5), and a
 * CSP response header (#7). Numbers refer to the items listed in ./security.ts.
 */
import { BrowserWindow, type App, type Session, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY, isAppUrl, secureWebPreferences } from './security.ts';

export interface AppPaths {
  /** out/preload/preload.cjs */
  preload: string;
  /** out/renderer/index.html */
  indexHtml: string;
  /** its file:// URL: the only page the window may show and the only IPC sender accepted */
  indexUrl: string;
}

/** Paths of the built app, from the directory of the built main (out/main). */
export function appPaths(mainDir: string): AppPaths {
  const indexHtml = join(mainDir, '../renderer/index.html');
  return { preload: join(mainDir, '../preload/preload.cjs'), indexHtml, indexUrl: pathToFileURL(indexHtml).href };
}

const hardened = new WeakSet<WebContents>();

/** Guards one web contents (the app's, or any other that ever gets created). Idempotent. */
export function hardenContents(contents: WebContents, indexUrl: string): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const onlyApp = (event: { preventDefault(): void }, url: string): void => {
    if (!isAppUrl(url, indexUrl)) event.preventDefault();
  };
  // #13: the app's own page may reload itself; nothing else may be navigated to or redirected to.
  contents.on('will-navigate', (event) => onlyApp(event, event.url));
  contents.on('will-frame-navigate', (event) => onlyApp(event, event.url));
  contents.on('will-redirect', (event) => onlyApp(event, event.url));
  // #14: window.open and target=_blank open nothing.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // #12: no <webview> may attach, whatever its options.
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Applies hardenContents to every web contents the app ever creates (before any exists). */
export function hardenApp(app: App, indexUrl: string): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, indexUrl));
}

/** #5 deny every permission request and check; #7 add the CSP header to every response. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

/** Creates the app window, guarded but not loaded yet: register IPC, then `win.loadFile`. */
export function createMainWindow(paths: AppPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'WakeLab',
    webPreferences: secureWebPreferences(paths.preload),
  });
  hardenContents(win.webContents, paths.indexUrl);
  hardenSession(win.webContents.session);
  win.once('ready-to-show', () => win.show());
  return win;
}
