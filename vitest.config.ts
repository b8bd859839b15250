import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests only: no Electron binary exists on the build machines and `require('electron')` would
    // try to download one, so src-main/app runs against a small fake (test/support/fake-electron.ts).
    alias: [{ find: /^electron$/, replacement: resolve(import.meta.dirname, 'test/support/fake-electron.ts') }],
  },
  test: {
    environment: 'node',
    // Child processes: safe with the native better-sqlite3 addon. Two workers fit the 2-core
    // build machines (vitest would otherwise size the pool from the CPU count).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'test/interop/**'],
        },
      },
      {
        // The built app in Chromium (test/e2e/support/chromium.ts); needs `npm run build` first.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Real strongSwan in network namespaces (docs/interop.md). Needs root and the Debian packages
        // .ci/run installs; skips with the reason otherwise, fails with WAKELAB_INTEROP_REQUIRED=1.
        extends: true,
        test: {
          name: 'interop',
          include: ['test/interop/**/*.interop.test.ts'],
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
