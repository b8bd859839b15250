// Preload (placeholder), built as CommonJS (preload.cjs) because the window is sandboxed.
import { contextBridge } from 'electron';

declare const __WAKELAB_VERSION__: string; // injected by electron.vite.config.ts

contextBridge.exposeInMainWorld('wakelab', { version: __WAKELAB_VERSION__ });
