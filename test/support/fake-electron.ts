/**
 * A small fake of the parts of `electron` that src-main/app uses, so its tests run under plain
 * Node (no Electron binary exists on the build machines). vitest.config.ts maps `electron` to this
 * file, so the app code and the tests share these objects. It records what was registered and
 * simulates what Electron would do: navigations, window.open, permission requests, IPC invokes
 * from a chosen frame, window close and app quit. Call `resetFake()` before each test.
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

type Fn = (...args: any[]) => any;

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  [key: string]: unknown;
}

export function fakeEvent(extra: Record<string, unknown> = {}): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

let nextId = 1;

export class FakeWebFrame {
  readonly processId: number;
  readonly frameToken = `frame-${nextId++}`;
  constructor(
    public url: string,
    public readonly parent: FakeWebFrame | null = null,
    processId = 1,
  ) {
    this.processId = processId;
  }
}

export class FakeSession {
  permissionRequestHandler: Fn | null = null;
  permissionCheckHandler: Fn | null = null;
  devicePermissionHandler: Fn | null = null;
  headersReceived: Fn | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: Fn) => {
      this.headersReceived = listener;
    },
  };
  setPermissionRequestHandler(handler: Fn | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Fn | null): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: Fn | null): void {
    this.devicePermissionHandler = handler;
  }

  /** What a page asking for `permission` gets: true = granted (no handler grants all, as Electron). */
  requestPermission(contents: FakeWebContents, permission: string): Promise<boolean> {
    const handler = this.permissionRequestHandler;
    if (!handler) return Promise.resolve(true);
    return new Promise((resolve) => handler(contents, permission, resolve, {}));
  }
  checkPermission(contents: FakeWebContents, permission: string): boolean {
    return this.permissionCheckHandler ? Boolean(this.permissionCheckHandler(contents, permission, 'file://', {})) : true;
  }
  /** The response headers after the onHeadersReceived listener, for a response with `headers`. */
  headersFor(url: string, headers: Record<string, string[]> = {}): Promise<Record<string, string[]>> {
    const listener = this.headersReceived;
    if (!listener) return Promise.resolve(headers);
    return new Promise((resolve) =>
      listener({ url, responseHeaders: headers }, (r: { responseHeaders?: Record<string, string[]> }) => resolve(r.responseHeaders ?? headers)),
    );
  }
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new FakeWebFrame('');
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: Fn | null = null;
  destroyed = false;
  constructor(readonly session: FakeSession) {
    super();
  }
  setWindowOpenHandler(handler: Fn): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Emits a navigation event; true when the navigation may go ahead. */
  navigate(url: string, event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate' = 'will-navigate'): boolean {
    const e = fakeEvent({ url, isMainFrame: true, frame: this.mainFrame });
    this.emit(event, e, url);
    return !e.defaultPrevented;
  }
  /** What window.open(url) gets: 'allow' when no handler was set, as in Electron. */
  openWindow(url: string): string {
    return this.windowOpenHandler ? (this.windowOpenHandler({ url, frameName: '', features: '', disposition: 'new-window' }) as { action: string }).action : 'allow';
  }
  /** True when a <webview> may attach. */
  attachWebview(src: string): boolean {
    const e = fakeEvent();
    this.emit('will-attach-webview', e, {}, { src });
    return !e.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static windows: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return [...FakeBrowserWindow.windows];
  }
  readonly webContents: FakeWebContents;
  readonly loaded: string[] = [];
  destroyed = false;
  shown = false;
  focused = 0;
  minimized = false;
  constructor(readonly options: { webPreferences?: Record<string, unknown>; [key: string]: unknown } = {}) {
    super();
    this.webContents = new FakeWebContents(session.defaultSession);
    FakeBrowserWindow.windows.push(this);
    app.emit('web-contents-created', fakeEvent(), this.webContents);
    app.emit('browser-window-created', fakeEvent(), this);
  }
  loadFile(path: string): Promise<void> {
    this.loaded.push(path);
    this.webContents.mainFrame.url = pathToFileURL(path).href;
    return app.failLoad ? Promise.reject(new Error(`ERR_FILE_NOT_FOUND (-6) loading '${path}'`)) : Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused++;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  close(): void {
    if (this.destroyed) return;
    const e = fakeEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    FakeBrowserWindow.windows = FakeBrowserWindow.windows.filter((w) => w !== this);
    this.emit('closed');
    if (FakeBrowserWindow.windows.length === 0) app.emit('window-all-closed', fakeEvent());
  }
}

class FakeApp extends EventEmitter {
  hasLock = true;
  failLoad = false;
  quitCalls = 0;
  quitted = false;
  exitCode: number | null = null;
  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  /** As Electron: before-quit, then will-quit (either may be prevented), then quit. */
  quit(): void {
    this.quitCalls++;
    const before = fakeEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    const will = fakeEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    this.quitted = true;
    this.emit('quit', fakeEvent(), 0);
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Fn>();
  handle(channel: string, handler: Fn): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke(channel, ...args) from `sender`/`senderFrame` resolves to. */
  async invoke(channel: string, from: { sender: unknown; senderFrame: FakeWebFrame | null }, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ ...fakeEvent(), processId: from.senderFrame?.processId ?? 0, sender: from.sender, senderFrame: from.senderFrame }, ...args);
  }
}

class FakeIpcRenderer extends EventEmitter {
  readonly invoked: { channel: string; args: unknown[] }[] = [];
  reply: (channel: string, args: unknown[]) => unknown = () => ({ ok: true, value: null });
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    try {
      return Promise.resolve(this.reply(channel, args));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  /** Delivers a message from the main process, as webContents.send would. */
  deliver(channel: string, ...args: unknown[]): void {
    this.emit(channel, { sender: this, senderId: 0, ports: [] }, ...args);
  }
}

class FakeContextBridge {
  readonly exposed = new Map<string, unknown>();
  exposeInMainWorld(key: string, api: unknown): void {
    if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.exposed.set(key, api);
  }
}

export const app = new FakeApp();
export const ipcMain = new FakeIpcMain();
export const ipcRenderer = new FakeIpcRenderer();
export const contextBridge = new FakeContextBridge();
export const session = { defaultSession: new FakeSession() };
export const BrowserWindow = FakeBrowserWindow;

/** Back to a fresh Electron: no windows, listeners, handlers or exposures. */
export function resetFake(): void {
  FakeBrowserWindow.windows = [];
  for (const emitter of [app, ipcMain, ipcRenderer]) emitter.removeAllListeners();
  Object.assign(app, { hasLock: true, failLoad: false, quitCalls: 0, quitted: false, exitCode: null });
  ipcMain.handlers.clear();
  ipcRenderer.invoked.length = 0;
  ipcRenderer.reply = () => ({ ok: true, value: null });
  contextBridge.exposed.clear();
  session.defaultSession = new FakeSession();
}
