/**
 * Debian's Chromium driven by playwright-core (toolchain.md: `npx playwright install` cannot work
 * here). Where Chromium is missing the e2e suites skip with the reason; with WAKELAB_E2E_REQUIRED=1
 * (set by .ci/run, which installs Chromium) a missing browser fails instead.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.WAKELAB_CHROMIUM ?? '/usr/bin/chromium';
export const REQUIRED = process.env.WAKELAB_E2E_REQUIRED === '1';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
/** Why the e2e suites do not run (null when they do). */
export const SKIP_REASON = HAVE_CHROMIUM || REQUIRED ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set WAKELAB_CHROMIUM)`;

export interface Launched {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Launched> {
  if (!HAVE_CHROMIUM) throw new Error(`e2e: no Chromium at ${CHROMIUM}; .ci/run installs it with apt-get install -y chromium`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    // playwright gives each launch a fresh temporary profile and removes it on close.
    close: () => browser.close().catch(() => {}),
  };
}
