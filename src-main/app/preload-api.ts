/**
 * What the preload exposes as `window.wakelab` (checklist #20: no Electron API, no ipcRenderer,
 * no generic invoke or send): one named method per call in CALLS and `on` for the events in
 * EVENTS. Bundled into the sandboxed CommonJS preload, so it imports only `electron` (types) and
 * the contract (its two name lists and channel helpers, plus types).
 *
 * Each method resolves to the call's Envelope, unchanged: `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }`; it never rejects. Errors thrown across the
 * contextBridge lose every property but the message, so the renderer unwraps the Envelope itself.
 */
import {
  CALLS,
  EVENTS,
  callChannel,
  eventChannel,
  type CallName,
  type Envelope,
  type EventName,
  type LabApi,
  type LabEvents,
} from '../contract.ts';

/** The key on `window`. */
export const BRIDGE_KEY = 'wakelab';

export type EnvelopeCalls = {
  [K in CallName]: (...args: Parameters<LabApi[K]>) => Promise<Envelope<Awaited<ReturnType<LabApi[K]>>>>;
};

/** The type of `window.wakelab`. */
export type WakeLabBridge = EnvelopeCalls & {
  /** Subscribes to one event; the listener gets only the payload. Returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void;
};

/** The parts of Electron's ipcRenderer used here. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const KNOWN_EVENTS = new Set<string>(EVENTS);

export function buildBridge(ipc: IpcRendererLike): WakeLabBridge {
  const bridge: Record<string, unknown> = {};
  for (const name of CALLS) {
    const channel = callChannel(name);
    bridge[name] = (arg?: unknown): Promise<Envelope> =>
      (arg === undefined ? ipc.invoke(channel) : ipc.invoke(channel, arg)).then(
        (envelope) => envelope as Envelope,
        // No handler (the main process is shutting down) or an argument that cannot be cloned.
        (e: unknown) => ({ ok: false, error: { code: 'IPC_FAILED', message: `${name}: ${e instanceof Error ? e.message : String(e)}` } }),
      );
  }
  bridge.on = (event: unknown, listener: unknown): (() => void) => {
    if (typeof event !== 'string' || !KNOWN_EVENTS.has(event)) throw new Error(`wakelab.on: unknown event ${JSON.stringify(event)}`);
    if (typeof listener !== 'function') throw new Error('wakelab.on: listener must be a function');
    const channel = eventChannel(event as EventName);
    // Only the payload crosses: the IpcRendererEvent (with its `sender`) never reaches the page.
    const wrapper = (_event: unknown, payload: unknown): void => void listener(payload);
    ipc.on(channel, wrapper);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(channel, wrapper);
    };
  };
  return Object.freeze(bridge) as WakeLabBridge;
}
