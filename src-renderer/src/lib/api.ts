/**
 * The renderer's only way to the main process. In Electron the preload exposes `window.wakelab`
 * (one method per call, each resolving to an Envelope); in browser mode the same calls go over the
 * bridge's WebSocket. The UI cannot tell the two apart.
 */
import { CALLS, type CallName, type Envelope, type EventName, type LabApi, type LabEvents } from '../../../src-main/contract.ts';
import { bridgeTransport } from './ws-client.ts';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Transport {
  call(name: CallName, arg: unknown): Promise<Envelope>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}

type Preload = Record<CallName, (arg: unknown) => Promise<Envelope>> & {
  on(event: EventName, listener: (payload: unknown) => void): () => void;
};

function electronTransport(w: Preload): Transport {
  return { call: (name, arg) => w[name](arg), on: (event, listener) => w.on(event, listener) };
}

export type Api = LabApi & {
  on<E extends EventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void;
  readonly mode: 'electron' | 'browser';
};

export function makeApi(t: Transport, mode: Api['mode']): Api {
  const api: Record<string, unknown> = { mode, on: t.on };
  for (const name of CALLS) {
    api[name] = async (arg?: unknown) => {
      const env = await t.call(name, arg);
      if (env.ok) return env.value;
      throw new ApiError(env.error.code, env.error.message);
    };
  }
  return api as unknown as Api;
}

const preload = (globalThis as { wakelab?: Preload }).wakelab;
export const api: Api = preload ? makeApi(electronTransport(preload), 'electron') : makeApi(bridgeTransport(), 'browser');

/** A message for any failure, for error states. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
