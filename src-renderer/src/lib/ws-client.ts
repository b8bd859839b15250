/**
 * Browser mode: the contract over the bridge's WebSocket (`/api` on the page's own origin; the
 * token travels in the page URL's `token`, else in the cookie `wakelab serve` set). Protocol in
 * docs/browser-mode.md: calls `{type:'call', id, name, arg}`, results `{type:'result', id,
 * envelope}`, events `{type:'event', name, payload}`.
 */
import type { CallName, Envelope, EventName } from '../../../src-main/contract.ts';
import type { Transport } from './api.ts';

type Pending = (env: Envelope) => void;

export function bridgeTransport(): Transport {
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;

  const fail = (message: string): void => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'DISCONNECTED', message } });
    pending.clear();
    socket = null;
    opened = null;
  };

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      // The token from the page's URL where it is there: cookies are not tied to a port, so with two
      // `wakelab serve` running, the cookie may hold the other one's token.
      const token = new URLSearchParams(location.search).get('token');
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`;
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new Error('cannot reach wakelab serve; is it still running?'));
      ws.onclose = () => fail('the connection to wakelab serve was lost; restart it and reload the page');
      ws.onmessage = (ev) => {
        let msg: { type?: string; id?: number; envelope?: Envelope; name?: string; payload?: unknown };
        try {
          msg = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        if (msg.type === 'result' && typeof msg.id === 'number' && msg.envelope) {
          pending.get(msg.id)?.(msg.envelope);
          pending.delete(msg.id);
        } else if (msg.type === 'event' && typeof msg.name === 'string') {
          for (const l of listeners.get(msg.name) ?? []) l(msg.payload);
        }
      };
    });
    opened.catch(() => (opened = null));
    return opened;
  };

  return {
    async call(name: CallName, arg: unknown): Promise<Envelope> {
      let ws: WebSocket;
      try {
        ws = socket ?? (await connect());
      } catch (e) {
        return { ok: false, error: { code: 'DISCONNECTED', message: (e as Error).message } };
      }
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'call', id, name, arg }));
      });
    },
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      void connect().catch(() => {});
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}
