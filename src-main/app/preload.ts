// Preload, built as CommonJS (out/preload/preload.cjs) because the window is sandboxed: it may
// require only `electron`. Exposes `window.wakelab` (see ./preload-api.ts), nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_KEY, buildBridge } from './preload-api.ts';

contextBridge.exposeInMainWorld(BRIDGE_KEY, buildBridge(ipcRenderer));
