/**
 * A few calls into another Node process through its inspector (started with
 * `--inspect=127.0.0.1:0`): a full GC (HeapProfiler.collectGarbage) and `process.memoryUsage()`.
 * The benchmark uses it to measure the responder's live heap at rest, without changing the CLI.
 */
import WebSocket from 'ws';

/** The inspector's WebSocket URL from the line Node prints on stderr. */
export function inspectorUrl(log: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(log)?.[1];
}

export interface LiveMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Forces two full GCs in the target, then returns its process.memoryUsage(). */
export async function gcAndMeasure(url: string, timeoutMs = 30_000): Promise<LiveMemory> {
  const ws = new WebSocket(url);
  const timer = setTimeout(() => ws.terminate(), timeoutMs);
  try {
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    let nextId = 1;
    const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p) return;
      pending.delete(m.id!);
      if (m.error) p.fail(new Error(m.error.message));
      else p.ok(m.result);
    });
    ws.once('close', () => {
      for (const p of pending.values()) p.fail(new Error('inspector connection closed'));
    });
    const call = (method: string, params: object = {}): Promise<unknown> =>
      new Promise((ok, fail) => {
        const id = nextId++;
        pending.set(id, { ok, fail });
        ws.send(JSON.stringify({ id, method, params }));
      });
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const r = (await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
    return JSON.parse(r.result.value) as LiveMemory;
  } finally {
    clearTimeout(timer);
    ws.close();
  }
}
