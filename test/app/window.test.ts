// The app window against the fake electron: Electron security checklist settings (#2-#14).
import { beforeEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAppUrl, secureWebPreferences } from '../../src-main/app/security.ts';
import { appPaths, createMainWindow, hardenApp } from '../../src-main/app/window.ts';
import { FakeBrowserWindow, FakeWebContents, app, fakeEvent, resetFake, session } from '../support/fake-electron.ts';

const mainDir = '/opt/wakelab/out/main';
const paths = appPaths(mainDir);

function newWindow(): FakeBrowserWindow {
  return createMainWindow(paths) as unknown as FakeBrowserWindow;
}

beforeEach(resetFake);

describe('appPaths', () => {
  it('finds the preload and the renderer beside the built main', () => {
    expect(paths.preload).toBe('/opt/wakelab/out/preload/preload.cjs');
    expect(paths.indexHtml).toBe('/opt/wakelab/out/renderer/index.html');
    expect(paths.indexUrl).toBe('file:///opt/wakelab/out/renderer/index.html');
  });
});

describe('the app window', () => {
  it('is one BrowserWindow with the checklist webPreferences', () => {
    newWindow();
    expect(FakeBrowserWindow.windows).toHaveLength(1);
    const prefs = FakeBrowserWindow.windows[0]!.options.webPreferences!;
    expect(prefs).toMatchObject({
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
    });
    expect(prefs.webviewTag).not.toBe(true);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect({ ...prefs, preload: 'p' }).toEqual(secureWebPreferences('p')); // nothing else was added
  });

  it('shows itself only when ready, and is not loaded by createMainWindow', () => {
    const win = newWindow();
    expect(win.shown).toBe(false);
    expect(win.loaded).toEqual([]);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('denies navigation and redirects away from the app page', () => {
    const contents = newWindow().webContents;
    expect(contents.navigate('https://example.com/')).toBe(false);
    expect(contents.navigate('file:///etc/passwd')).toBe(false);
    expect(contents.navigate('file:///opt/wakelab/out/renderer/other.html')).toBe(false);
    expect(contents.navigate('http://127.0.0.1:5173/')).toBe(false);
    expect(contents.navigate('https://example.com/', 'will-redirect')).toBe(false);
    expect(contents.navigate('https://example.com/', 'will-frame-navigate')).toBe(false);
    expect(contents.navigate('javascript:alert(1)')).toBe(false);
  });

  it("allows the app's own page (a reload, or a fragment)", () => {
    const contents = newWindow().webContents;
    expect(contents.navigate(paths.indexUrl)).toBe(true);
    expect(contents.navigate(`${paths.indexUrl}#/history`)).toBe(true);
  });

  it('denies window.open and webviews', () => {
    const contents = newWindow().webContents;
    expect(contents.openWindow('https://example.com/')).toBe('deny');
    expect(contents.openWindow(paths.indexUrl)).toBe('deny');
    expect(contents.attachWebview('https://example.com/')).toBe(false);
  });

  it('denies every permission request and check', async () => {
    const contents = newWindow().webContents;
    const ses = session.defaultSession;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      expect(await ses.requestPermission(contents, permission), permission).toBe(false);
      expect(ses.checkPermission(contents, permission), permission).toBe(false);
    }
    expect(ses.devicePermissionHandler?.({ deviceType: 'usb' })).toBe(false);
  });

  it('adds the CSP header to responses, keeping the others', async () => {
    newWindow();
    const headers = await session.defaultSession.headersFor(paths.indexUrl, { 'X-Other': ['1'] });
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(headers['X-Other']).toEqual(['1']);
    for (const d of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'"]) {
      expect(CONTENT_SECURITY_POLICY).toContain(d);
    }
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });
});

describe('hardenApp', () => {
  it('guards every web contents created later, e.g. a webview guest', () => {
    hardenApp(app as never, paths.indexUrl);
    const other = new FakeWebContents(session.defaultSession);
    app.emit('web-contents-created', fakeEvent(), other);
    expect(other.navigate('https://example.com/')).toBe(false);
    expect(other.openWindow('https://example.com/')).toBe('deny');
    expect(other.attachWebview('https://example.com/')).toBe(false);
  });

  it('guards a contents once even when reached twice (hook and window)', () => {
    hardenApp(app as never, paths.indexUrl);
    const contents = newWindow().webContents; // the fake emits web-contents-created, as Electron
    expect(contents.listenerCount('will-navigate')).toBe(1);
    expect(contents.listenerCount('will-attach-webview')).toBe(1);
  });
});

describe('isAppUrl', () => {
  const index = 'file:///opt/wakelab/out/renderer/index.html';
  it.each([
    [index, true],
    [`${index}?x=1#/a`, true],
    ['file:///opt/wakelab/out/renderer/index.htm', false],
    ['file://evil.example/opt/wakelab/out/renderer/index.html', false],
    ['https://opt/wakelab/out/renderer/index.html', false],
    ['not a url', false],
    ['', false],
  ])('%s -> %s', (url, expected) => {
    expect(isAppUrl(url, index)).toBe(expected);
  });
});
