import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end (Chromium) and interop (strongSwan) suites run through their own scripts.
    exclude: ['**/node_modules/**', 'test/e2e/**', 'test/interop/**'],
    environment: 'node',
    // Child processes: safe with the native better-sqlite3 addon. Two workers fit the 2-core
    // build machines (vitest would otherwise size the pool from the CPU count).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
