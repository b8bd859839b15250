import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };

// The layout is src-main/ + src-renderer/, not electron-vite's default src/{main,preload,renderer}:
// every entry is given explicitly.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        // The simulation worker is its own entry: SimPool starts it from out/main/sim-worker.js.
        input: { main: resolve(root, 'src-main/app/main.ts'), 'sim-worker': resolve(root, 'src-main/node/sim-worker.ts') },
        // Native module: loaded from node_modules at run time, never bundled.
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    define: {
      __WAKELAB_VERSION__: JSON.stringify(pkg.version),
    },
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { preload: resolve(root, 'src-main/app/preload.ts') },
        // A sandboxed preload cannot be ESM: build CommonJS even though the package is "type": "module".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(root, 'src-renderer/index.html') },
      },
    },
  },
});
