/**
 * The contract over Electron IPC: one `ipcMain.handle` per call in CALLS (never a generic
 * channel), each refusing any sender but the app window's main frame showing the app's own page
 * (checklist #17), and the hub's events forwarded to that window while it lives. The habit is
 * electron/fiddle's src/main/ipc.ts. A refused call resolves to an Envelope with code FORBIDDEN
 * (not a throw, which `invoke` would flatten into "Error invoking remote method ...") and never
 * reaches the api.
 */
import { CALLS, callChannel, eventChannel, type Envelope, type LabApi } from '../contract.ts';
import { dispatch } from '../node/dispatch.ts';
import type { EventHub } from '../node/event-hub.ts';
import { isAppUrl } from './security.ts';

/** What the check reads of a WebFrameMain. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly processId: number;
  readonly frameToken: string;
}

/** What the check reads of an IpcMainInvokeEvent. */
export interface SenderEvent {
  readonly sender: unknown;
  readonly senderFrame: FrameLike | null;
}

/** The parts of Electron's ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** The parts of the BrowserWindow used here. */
export interface AppWindow {
  readonly webContents: {
    readonly mainFrame: FrameLike;
    send(channel: string, ...args: unknown[]): void;
    isDestroyed(): boolean;
  };
  isDestroyed(): boolean;
  once(event: 'closed', listener: () => void): unknown;
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  api: LabApi;
  hub: Pick<EventHub, 'subscribe'>;
  win: AppWindow;
  isTrustedSender: (event: SenderEvent) => boolean;
  log?: (line: string) => void;
}

export const FORBIDDEN = 'FORBIDDEN';

/**
 * The sender check for `win`: the event comes from its web contents, from the main frame (not an
 * iframe), and that frame shows the app's own file:// page.
 */
export function appSenderCheck(win: AppWindow, indexUrl: string): (event: SenderEvent) => boolean {
  return (event) => {
    try {
      if (win.isDestroyed() || event.sender !== win.webContents) return false;
      const frame = event.senderFrame; // null once the frame has navigated away or gone
      if (frame === null || frame === undefined || frame.parent !== null) return false;
      const main = win.webContents.mainFrame;
      const isMain = frame === main || (frame.processId === main.processId && frame.frameToken === main.frameToken);
      return isMain && isAppUrl(frame.url, indexUrl);
    } catch {
      return false; // a destroyed frame or contents throws on access: not trusted
    }
  };
}

/** Registers every handler and the event forwarding; returns the function that removes them. */
export function registerIpc(opts: IpcOptions): () => void {
  const { ipcMain, api, hub, win, isTrustedSender } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const channels = CALLS.map((name) => {
    const channel = callChannel(name);
    ipcMain.handle(channel, async (event, arg): Promise<Envelope> => {
      if (!isTrustedSender(event)) {
        log(`wakelab: refused IPC call ${name} from ${senderUrl(event)}`);
        return { ok: false, error: { code: FORBIDDEN, message: `${name}: the caller is not the WakeLab window` } };
      }
      return dispatch(api, name, arg, log);
    });
    return channel;
  });

  const unsubscribe = hub.subscribe((event, payload) => {
    if (win.isDestroyed() || win.webContents.isDestroyed()) return;
    win.webContents.send(eventChannel(event), payload);
  });
  win.once('closed', unsubscribe);

  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

function senderUrl(event: SenderEvent): string {
  try {
    return JSON.stringify(event.senderFrame?.url ?? null);
  } catch {
    return 'a destroyed frame';
  }
}
