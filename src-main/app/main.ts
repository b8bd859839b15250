// Electron main process entry, built to out/main/main.js. Kept thin: it only wires the real lab
// into ./lifecycle.ts. Nothing may import this file (no Electron binary exists on the build
// machines); tests drive lifecycle.ts, window.ts, ipc.ts and preload-api.ts against a fake.
import { createLab } from '../node/lab.ts';
import { runApp } from './lifecycle.ts';

void runApp({ createLab, mainDir: import.meta.dirname });
