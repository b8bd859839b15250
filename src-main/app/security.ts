/**
 * The window's security settings in one place. Numbers in the comments are the items of
 * Electron's security checklist, https://www.electronjs.org/docs/latest/tutorial/security
 * (#2 no Node integration, #3 context isolation, #4 sandbox, #5 permission handlers, #6 keep
 * webSecurity, #7 CSP, #8 no insecure content, #9 no experimental features, #10 no
 * enableBlinkFeatures, #12 no webviews, #13 no navigation, #14 no new windows, #17 check IPC
 * senders, #20 expose no Electron API). Type-only Electron import: this file loads anywhere.
 */
import type { WebPreferences } from 'electron';

/** Defence in depth beside the renderer's own meta tag (#7); sent as a response header. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload, // CommonJS: a sandboxed preload cannot be an ES module
    contextIsolation: true, // #3
    sandbox: true, // #4
    nodeIntegration: false, // #2
    nodeIntegrationInWorker: false, // #2
    nodeIntegrationInSubFrames: false, // #2
    webSecurity: true, // #6
    allowRunningInsecureContent: false, // #8
    experimentalFeatures: false, // #9
    webviewTag: false, // #12 (and no enableBlinkFeatures at all, #10)
    navigateOnDragDrop: false, // #13: a dropped file must not replace the app
    safeDialogs: true,
  };
}

/**
 * True when `url` is the app's own page, the file:// URL of out/renderer/index.html; a query or
 * fragment is allowed (in-app state), any other file, scheme or host is not.
 */
export function isAppUrl(url: string, indexUrl: string): boolean {
  let u: URL;
  let app: URL;
  try {
    u = new URL(url);
    app = new URL(indexUrl);
  } catch {
    return false;
  }
  return u.protocol === 'file:' && app.protocol === 'file:' && u.host === app.host && u.pathname === app.pathname;
}
