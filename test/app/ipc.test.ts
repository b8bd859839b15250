// IPC against the fake electron: one handler per call, sender checks (checklist #17), events.
import { beforeEach, describe, expect, it } from 'vitest';
import { CALLS, EVENTS, callChannel, eventChannel } from '../../src-main/contract.ts';
import { WakeLabError } from '../../src-main/core/errors.ts';
import { FORBIDDEN, appSenderCheck, registerIpc } from '../../src-main/app/ipc.ts';
import { appPaths, createMainWindow } from '../../src-main/app/window.ts';
import { EventHub } from '../../src-main/node/event-hub.ts';
import { FakeBrowserWindow, FakeWebFrame, ipcMain, resetFake } from '../support/fake-electron.ts';
import { callsMade, fakeApi, type FakeApi } from './fake-api.ts';

const paths = appPaths('/opt/wakelab/out/main');

/** An EventHub that counts its live subscriptions. */
class CountingHub extends EventHub {
  live = 0;
  override subscribe(listener: Parameters<EventHub['subscribe']>[0]): () => void {
    const off = super.subscribe(listener);
    this.live++;
    let on = true;
    return () => {
      if (on) this.live--;
      on = false;
      return off();
    };
  }
}

let win: FakeBrowserWindow;
let api: FakeApi;
let hub: CountingHub;
let logged: string[];
let dispose: () => void;

beforeEach(async () => {
  resetFake();
  win = createMainWindow(paths) as unknown as FakeBrowserWindow;
  await win.loadFile(paths.indexHtml);
  api = fakeApi();
  hub = new CountingHub();
  logged = [];
  const realWin = win as never;
  dispose = registerIpc({ ipcMain, api, hub, win: realWin, isTrustedSender: appSenderCheck(realWin, paths.indexUrl), log: (l) => logged.push(l) });
});

const fromApp = () => ({ sender: win.webContents, senderFrame: win.webContents.mainFrame });

describe('handlers', () => {
  it('registers exactly one handler per call, and no generic channel', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(CALLS.map(callChannel).sort());
    expect(ipcMain.eventNames()).toEqual([]); // no ipcMain.on listener at all
  });

  it("passes a call from the app window's main frame to the api and returns its envelope", async () => {
    const arg = { kind: 'policy', value: { name: 'x' } };
    expect(await ipcMain.invoke(callChannel('validate'), fromApp(), arg)).toEqual({ ok: true, value: { call: 'validate', arg } });
    expect(api.validate).toHaveBeenCalledExactlyOnceWith(arg);
    expect(await ipcMain.invoke(callChannel('info'), fromApp())).toEqual({ ok: true, value: { call: 'info', arg: undefined } });
  });

  it('returns the api error as an envelope with its code', async () => {
    api.openComparison.mockRejectedValueOnce(new WakeLabError('NOT_FOUND', 'no comparison 7'));
    expect(await ipcMain.invoke(callChannel('openComparison'), fromApp(), { id: 7 })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'no comparison 7' },
    });
    api.info.mockRejectedValueOnce(new Error('boom'));
    const env = (await ipcMain.invoke(callChannel('info'), fromApp())) as { ok: boolean; error: { code: string } };
    expect(env.error.code).toBe('INTERNAL');
    expect(logged.join('\n')).toContain('boom');
  });

  const refused: Array<[string, () => { sender: unknown; senderFrame: FakeWebFrame | null }]> = [
    ['another window', () => {
      const other = new FakeBrowserWindow();
      other.webContents.mainFrame.url = paths.indexUrl;
      return { sender: other.webContents, senderFrame: other.webContents.mainFrame };
    }],
    ["another window's frame claiming this sender", () => {
      const other = new FakeBrowserWindow();
      other.webContents.mainFrame.url = paths.indexUrl;
      return { sender: win.webContents, senderFrame: other.webContents.mainFrame };
    }],
    ['an iframe of the app page', () => ({ sender: win.webContents, senderFrame: new FakeWebFrame(paths.indexUrl, win.webContents.mainFrame) })],
    ['no frame (navigated away or destroyed)', () => ({ sender: win.webContents, senderFrame: null })],
    ['the main frame showing a foreign page', () => {
      win.webContents.mainFrame.url = 'https://example.com/';
      return fromApp();
    }],
    ['the main frame showing another local file', () => {
      win.webContents.mainFrame.url = 'file:///tmp/evil.html';
      return fromApp();
    }],
    ['a closed window', () => {
      const from = fromApp();
      win.close();
      return from;
    }],
  ];

  it.each(refused)('refuses a call from %s, which never reaches the api', async (_what, from) => {
    const env = await ipcMain.invoke(callChannel('deleteRun'), from(), { id: 1 });
    expect(env).toEqual({ ok: false, error: { code: FORBIDDEN, message: expect.stringContaining('deleteRun') } });
    expect(callsMade(api)).toBe(0);
    expect(logged).toEqual([expect.stringContaining('refused IPC call deleteRun')]);
  });

  it('refuses a check that throws (a destroyed frame)', () => {
    const check = appSenderCheck(win as never, paths.indexUrl);
    const frame = {
      get url(): string {
        throw new Error('Render frame was disposed');
      },
      parent: null,
      processId: 1,
      frameToken: win.webContents.mainFrame.frameToken,
    };
    expect(check({ sender: win.webContents, senderFrame: frame })).toBe(false);
  });

  it('dispose removes every handler, once', () => {
    dispose();
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('events', () => {
  const payload = { jobId: 'j1', done: 1, total: 4 };

  it("forwards the hub's events to the window, payload only", () => {
    expect(EVENTS).toContain('progress');
    hub.emit('progress', payload);
    expect(win.webContents.sent).toEqual([{ channel: eventChannel('progress'), args: [payload] }]);
  });

  it('stops forwarding once the window is closed, and unsubscribes', () => {
    expect(hub.live).toBe(1);
    win.close();
    expect(hub.live).toBe(0);
    hub.emit('progress', payload);
    expect(win.webContents.sent).toEqual([]);
  });

  it('skips a destroyed web contents whose window is still open', () => {
    win.webContents.destroyed = true;
    expect(() => hub.emit('progress', payload)).not.toThrow();
    expect(win.webContents.sent).toEqual([]);
  });

  it('stops forwarding after dispose', () => {
    dispose();
    expect(hub.live).toBe(0);
    hub.emit('progress', payload);
    expect(win.webContents.sent).toEqual([]);
  });
});
