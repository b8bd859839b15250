/**
 * The contract over one WebSocket (docs/browser-mode.md):
 *   client → server  { type: 'call', id: number, name: string, arg?: any }
 *   server → client  { type: 'result', id, envelope: Envelope }
 *   server → client  { type: 'event', name: EventName, payload }
 * Calls go through dispatch (only the contract's names, errors as data). Nothing a client sends
 * can throw out of here: a frame that is not a call is answered with BAD_REQUEST when it carries
 * a readable id, and ignored otherwise.
 */
import type { RawData, WebSocket } from 'ws';
import type { Envelope, LabApi } from '../contract.ts';
import { dispatch } from '../node/dispatch.ts';
import type { EventHub } from '../node/event-hub.ts';

type Log = (message: string) => void;

function readId(msg: unknown): number | null {
  const id = (msg as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isFinite(id) ? id : null;
}

function asText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}

function badRequest(message: string): Envelope {
  return { ok: false, error: { code: 'BAD_REQUEST', message } };
}

/** Serves calls and forwards every hub event on `ws` until it closes. */
export function attachSocket(ws: WebSocket, api: LabApi, hub: EventHub, log: Log): void {
  const send = (frame: object): void => {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (e) {
      const id = readId(frame);
      if (id === null) return;
      text = JSON.stringify({ type: 'result', id, envelope: { ok: false, error: { code: 'INTERNAL', message: `result not serialisable: ${(e as Error).message}` } } });
    }
    ws.send(text);
  };

  const unsubscribe = hub.subscribe((name, payload) => send({ type: 'event', name, payload }));
  ws.on('close', unsubscribe);
  // Oversized or invalid frames make ws emit 'error' and close the socket; nothing else to do.
  ws.on('error', () => {});

  ws.on('message', (data, isBinary) => {
    let msg: unknown;
    try {
      msg = JSON.parse(asText(data));
    } catch {
      return; // no id to answer to
    }
    const id = readId(msg);
    if (id === null) return;
    if (isBinary) return send({ type: 'result', id, envelope: badRequest('send calls as text frames') });
    const m = msg as { type?: unknown; name?: unknown; arg?: unknown };
    if (m.type !== 'call') return send({ type: 'result', id, envelope: badRequest(`unknown message type ${JSON.stringify(m.type)}`) });
    if (typeof m.name !== 'string') return send({ type: 'result', id, envelope: badRequest('a call needs a "name"') });
    void dispatch(api, m.name, m.arg, log).then((envelope) => send({ type: 'result', id, envelope }));
  });
}
