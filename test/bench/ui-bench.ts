/// <reference lib="dom" />
/**
 * The app's start-up in browser mode, as a user meets it: from spawning `wakelab serve` to the page
 * being interactive (presets loaded, Run enabled) and to the first rendered comparison table
 * (three presets, 24 h, lte), in Debian's Chromium (already running, as a user's browser is). The
 * baseline, in the same run: `wakelab compare --json --no-store` of the same inputs as a child
 * process (Node start-up, tsx, the same simulations). Also the renderer bundle, gzipped.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../e2e/support/chromium.ts';
import { ROOT, startServe } from '../e2e/support/serve.ts';
import { now } from './stats.ts';

export interface UiRound {
  serveMs: number;
  interactiveMs: number;
  tableMs: number;
}

export interface UiBenchResult {
  rounds: UiRound[];
  cliMs: number[];
  bundle: { file: string; bytes: number; gzip: number }[];
}

const PRESETS = ['strongswan-android', 'ios-dpd-medium', 'battery-lean'];

export function bundleSizes(): UiBenchResult['bundle'] {
  const dir = join(ROOT, 'out/renderer/assets');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
    .map((f) => {
      const buf = readFileSync(join(dir, f));
      return { file: f, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
    });
}

export async function runUiBench(rounds: number, log: (line: string) => void): Promise<UiBenchResult> {
  const chrome = await launchChromium();
  const out: UiRound[] = [];
  const cliMs: number[] = [];
  try {
    // One untimed round first: the OS file cache and Chromium's own start-up.
    for (let r = -1; r < rounds; r++) {
      const t0 = now();
      const served = await startServe();
      const tServe = now();
      const ctx = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const page = await ctx.newPage();
        await page.goto(served.url);
        await page.waitForFunction(() => {
          const run = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Run comparison');
          return run !== undefined && !run.disabled && document.querySelectorAll('input[type=checkbox]:checked').length === 3;
        });
        const tInteractive = now();
        await page.getByRole('button', { name: 'Run comparison' }).click();
        await page.getByTestId('results-table').locator('tbody tr').nth(2).waitFor();
        const tTable = now();
        if (r >= 0) {
          out.push({ serveMs: tServe - t0, interactiveMs: tInteractive - t0, tableMs: tTable - t0 });
          log(`  round ${r + 1}/${rounds}: serve ${(tServe - t0).toFixed(0)} ms, interactive ${(tInteractive - t0).toFixed(0)} ms, first table ${(tTable - t0).toFixed(0)} ms`);
        }
      } finally {
        await ctx.close();
        await served.stop();
      }
      const c0 = now();
      execFileSync(process.execPath, [join(ROOT, 'bin/wakelab.js'), 'compare', ...PRESETS.flatMap((p) => ['--policy', p]), '--radio', 'lte', '--scenario', 'idle', '--hours', '24', '--json', '--no-store'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (r >= 0) cliMs.push(now() - c0);
    }
  } finally {
    await chrome.close();
  }
  return { rounds: out, cliMs, bundle: bundleSizes() };
}
