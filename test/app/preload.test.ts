// The preload against the fake electron: `window.wakelab` is one method per call plus `on`
// (checklist #20), each resolving to the call's Envelope; `on` hands listeners the payload only.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CALLS, callChannel, eventChannel } from '../../src-main/contract.ts';
import type { WakeLabBridge } from '../../src-main/app/preload-api.ts';
import { contextBridge, ipcRenderer, resetFake } from '../support/fake-electron.ts';

const repo = resolve(import.meta.dirname, '../..');
let bridge: WakeLabBridge;
let exposedKeys: string[];

beforeAll(async () => {
  resetFake();
  await import('../../src-main/app/preload.ts'); // runs exposeInMainWorld against the fake, once
  exposedKeys = [...contextBridge.exposed.keys()];
  bridge = contextBridge.exposed.get('wakelab') as WakeLabBridge;
});
beforeEach(resetFake); // the bridge keeps the same (cleared) fake ipcRenderer

describe('window.wakelab', () => {
  it('is the only thing exposed: one function per call, and on', () => {
    expect(exposedKeys).toEqual(['wakelab']);
    expect(Object.keys(bridge).sort()).toEqual([...CALLS, 'on'].sort());
    for (const key of Object.keys(bridge)) expect(typeof (bridge as unknown as Record<string, unknown>)[key], key).toBe('function');
    expect(Object.values(bridge)).not.toContain(ipcRenderer);
  });

  it('invokes the call\'s own channel with the argument, and resolves to the envelope unchanged', async () => {
    const envelope = { ok: false, error: { code: 'NOT_FOUND', message: 'no comparison 3' } };
    ipcRenderer.reply = () => envelope;
    await expect(bridge.openComparison({ id: 3 })).resolves.toBe(envelope);
    await bridge.info();
    expect(ipcRenderer.invoked).toEqual([
      { channel: callChannel('openComparison'), args: [{ id: 3 }] },
      { channel: callChannel('info'), args: [] },
    ]);
  });

  it('turns a failed invoke into an IPC_FAILED envelope instead of rejecting', async () => {
    ipcRenderer.reply = () => {
      throw new Error("No handler registered for 'wakelab:call:info'");
    };
    await expect(bridge.info()).resolves.toEqual({ ok: false, error: { code: 'IPC_FAILED', message: expect.stringContaining('No handler') } });
  });
});

describe('on', () => {
  const payload = { jobId: 'j', done: 2, total: 3 };

  it('passes only the payload to the listener, never the IpcRendererEvent', () => {
    const listener = vi.fn();
    bridge.on('progress', listener);
    ipcRenderer.deliver(eventChannel('progress'), payload);
    expect(listener.mock.calls).toEqual([[payload]]);
  });

  it('returns an unsubscribe function that works, once', () => {
    const listener = vi.fn();
    const off = bridge.on('progress', listener);
    expect(ipcRenderer.listenerCount(eventChannel('progress'))).toBe(1);
    off();
    off();
    expect(ipcRenderer.listenerCount(eventChannel('progress'))).toBe(0);
    ipcRenderer.deliver(eventChannel('progress'), payload);
    expect(listener).not.toHaveBeenCalled();
  });

  it('refuses unknown event names and non-function listeners', () => {
    const on = bridge.on as (event: unknown, listener: unknown) => unknown;
    for (const name of ['nope', 'wakelab:event:progress', '__proto__', '', 7, undefined]) {
      expect(() => on(name, () => {}), String(name)).toThrow(/unknown event/);
    }
    expect(() => on('progress', 'not a function')).toThrow(/listener/);
    expect(ipcRenderer.eventNames()).toEqual([]);
  });
});

describe('the preload bundle', () => {
  // A sandboxed preload may require only `electron`: its imports are electron, and type-only
  // imports or files whose own imports are type-only (the contract).
  const valueImports = (file: string): string[] =>
    [...readFileSync(file, 'utf8').matchAll(/^import\s+(?!type\s)[^'";]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);

  it('imports only electron, the bridge and the contract, whose own imports are type-only', () => {
    const appDir = join(repo, 'src-main/app');
    expect(valueImports(join(appDir, 'preload.ts')).sort()).toEqual(['./preload-api.ts', 'electron']);
    expect(valueImports(join(appDir, 'preload-api.ts'))).toEqual(['../contract.ts']);
    expect(valueImports(join(repo, 'src-main/contract.ts'))).toEqual([]);
  });

  const built = join(repo, 'out/preload/preload.cjs');
  it.skipIf(!existsSync(built))('once built, requires nothing but electron', () => {
    const requires = [...readFileSync(built, 'utf8').matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(new Set(requires), dirname(built)).toEqual(new Set(['electron']));
  });
});
