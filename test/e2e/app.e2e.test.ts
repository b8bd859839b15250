/// <reference lib="dom" />
// The app end to end: `wakelab serve` (browser mode) in a child process, the built renderer in
// Debian's Chromium. Screenshots of every view, light and dark, go to test-results/screenshots/.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { num } from '../../src-renderer/src/lib/format.ts';
import { freeUdpPorts } from '../support/ports.ts';
import { launchChromium, SKIP_REASON, type Launched } from './support/chromium.ts';
import { LIVE_FLEET, LIVE_LAB, LIVE_PORTS, writeLiveFixtures } from './support/live-fixtures.ts';
import { ROOT, startServe, type Served } from './support/serve.ts';

const SHOTS = join(ROOT, 'test-results/screenshots');
const PRESETS = ['strongswan-android', 'ios-dpd-medium', 'battery-lean'];

let served: Served;
let chrome: Launched;
/** Console errors and page errors from every page, checked at the end (a CSP violation is one). */
const problems: string[] = [];

async function open(scheme: 'light' | 'dark', path = ''): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: scheme });
  const page = await ctx.newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(served.url + path);
  return { ctx, page };
}

/** A full-page screenshot from the top (the header is sticky, so a scrolled page would show it mid-page). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function runComparison(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Run comparison' }).click();
  await page.getByTestId('results-table').waitFor({ timeout: 30_000 });
}

describe.skipIf(SKIP_REASON !== null)(`app in Chromium${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // A user lab and fleet on free ports for the Live test, in the server's data folder.
    const base = await freeUdpPorts(LIVE_PORTS);
    served = await startServe({ prepare: (dataDir) => writeLiveFixtures(dataDir, base) });
    chrome = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await chrome?.close();
    await served?.stop();
  });

  it('compares three presets on lte for 24 h and shows what `wakelab compare --json` gives', async () => {
    const { ctx, page } = await open('light');
    await expect.poll(() => page.getByRole('checkbox', { checked: true }).count()).toBe(3);
    await shot(page, 'compare-empty-light');
    await runComparison(page);
    await shot(page, 'compare-light');

    const cli = JSON.parse(
      execFileSync(process.execPath, [join(ROOT, 'bin/wakelab.js'), 'compare', ...PRESETS.flatMap((p) => ['--policy', p]), '--radio', 'lte', '--scenario', 'idle', '--hours', '24', '--json', '--no-store'], {
        encoding: 'utf8',
        env: { ...process.env, WAKELAB_DB: join(served.dir, 'cli.db') },
      }),
    ) as { runs: { policy: { id: string }; metrics: Record<string, number> }[] };
    expect(cli.runs).toHaveLength(3);
    for (const run of cli.runs) {
      const row = page.locator(`tr[data-policy="${run.policy.id}"]`);
      for (const key of ['avgPowerMw', 'energyJPerHour', 'batteryPctPerDay', 'radioWakeupsPerHour', 'apWakeupsPerHour', 'connectedFraction'] as const) {
        const cell = row.locator(`td[data-col="${key}"]`);
        expect(Number(await cell.getAttribute('data-value')), `${run.policy.id} ${key}`).toBe(run.metrics[key]);
        const shown = key === 'connectedFraction' ? run.metrics[key]! * 100 : run.metrics[key]!;
        expect(await cell.textContent(), `${run.policy.id} ${key} as shown`).toBe(num(shown));
      }
    }
    // The worked numbers: the app's 45 s keepalive costs about twice iOS's offloaded 110 s one.
    const mwOf = async (id: string) => Number(await page.locator(`tr[data-policy="${id}"] td[data-col="avgPowerMw"]`).getAttribute('data-value'));
    expect((await mwOf('strongswan-android')) / (await mwOf('ios-dpd-medium'))).toBeGreaterThan(1.7);
    // Every chart rendered something.
    await expect.poll(() => page.locator('svg rect.cause-keepalive').count()).toBeGreaterThan(3);
    await expect.poll(() => page.locator('svg circle').count()).toBe(3);
    await expect.poll(() => page.locator('rect.st-promotion').count()).toBeGreaterThan(3);
    // The timeline zooms.
    const before = await page.locator('.zoomable text').first().textContent();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(() => page.locator('.zoomable text').first().textContent()).not.toBe(before);
    await shot(page, 'compare-zoomed-light');
    await ctx.close();
  }, 60_000);

  it('shows an error for an invalid custom policy field and will not use the policy', async () => {
    const { ctx, page } = await open('light');
    await page.getByRole('button', { name: 'Edit a copy…' }).click();
    const field = page.getByLabel('NAT-T keepalive interval');
    await field.fill('-5');
    await expect.poll(() => page.locator('#pe-client-keepaliveS-err').textContent()).toContain('client.keepaliveS: must be at least');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.getByRole('button', { name: 'Use this policy' }).isDisabled()).toBe(true);
    await shot(page, 'policy-editor-error-light');
    await field.fill('600');
    await page.getByLabel('Client DPD delay').fill('0');
    await page.getByLabel('Fold DPD into keepalive tail').uncheck();
    await expect.poll(() => page.getByRole('button', { name: 'Use this policy' }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'Use this policy' }).click();
    await expect.poll(() => page.getByText('battery-lean-custom · custom').count()).toBe(1);
    await ctx.close();
  }, 60_000);

  it('waits for the catalog before it lets a policy be copied (a slow bridge: every answer 1.5 s late)', async () => {
    const ctx = await chrome.browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    await page.routeWebSocket(/\/api(\?|$)/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => void setTimeout(() => ws.send(m), 1500));
    });
    await page.goto(served.url);
    const copy = page.getByRole('button', { name: 'Edit a copy…' });
    // Clicked as soon as it is there: it is disabled until the policies have come, then it works.
    // (It used to be enabled at once and do nothing when clicked before the catalog came.)
    await copy.waitFor();
    expect(await copy.isDisabled()).toBe(true);
    await copy.click({ timeout: 15_000 });
    await expect.poll(() => page.getByLabel('NAT-T keepalive interval').count()).toBe(1);
    await ctx.close();
  }, 30_000);

  it('switches views with the tabs, by mouse and keyboard', async () => {
    const { ctx, page } = await open('light');
    await page.getByRole('tab', { name: 'Radio profiles' }).click();
    await expect.poll(() => page.getByRole('heading', { name: /LTE \(AT&T ARO/ }).count()).toBe(1);
    await page.getByRole('button', { name: /UMTS 3G/ }).click();
    await expect.poll(() => page.getByText('CELL_FACH').first().isVisible()).toBe(true);
    await shot(page, 'profiles-light');
    await page.getByRole('tab', { name: 'Radio profiles' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByRole('heading', { name: 'Runs' }).count()).toBe(1);
    expect(new URL(page.url()).hash).toBe('#runs');
    await ctx.close();
  }, 60_000);

  it('finds the comparison in Runs after a reload, and opens it', async () => {
    const { ctx, page } = await open('light', '#runs');
    await page.reload();
    const row = page.locator('tr[data-kind="comparison"]').first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain(PRESETS.join(', '));
    await shot(page, 'runs-light');
    await row.getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('results-table').waitFor({ timeout: 10_000 });
    expect(await page.locator('tbody tr[data-policy]').count()).toBe(3);
    expect(new URL(page.url()).hash).toBe('#compare');
    await ctx.close();
  }, 60_000);

  it('renders every view in the dark theme', async () => {
    const { ctx, page } = await open('dark');
    expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(17, 21, 27)');
    await shot(page, 'compare-empty-dark');
    await runComparison(page);
    await shot(page, 'compare-dark');
    await page.getByRole('button', { name: 'Edit a copy…' }).click();
    await page.getByLabel('NAT-T keepalive interval').fill('-5');
    await expect.poll(() => page.locator('#pe-client-keepaliveS-err').textContent()).toContain('must be at least');
    await shot(page, 'policy-editor-error-dark');
    await page.getByRole('tab', { name: 'Radio profiles' }).click();
    await page.getByRole('button', { name: 'Duplicate…' }).click();
    await page.locator('#prof-json').waitFor();
    await shot(page, 'profiles-dark');
    await page.getByRole('tab', { name: 'Runs' }).click();
    await page.locator('tr[data-kind="comparison"]').first().waitFor({ timeout: 10_000 });
    await shot(page, 'runs-dark');
    await ctx.close();
  }, 60_000);

  it('runs a live lab with a fleet: clients with wakeups, events, a client timeline, a policy change', async () => {
    const { ctx, page } = await open('light', '#live');
    const status = page.getByTestId('live-status');
    await expect.poll(() => status.textContent()).toContain('Stopped');
    await expect.poll(() => page.getByLabel('Configuration').locator('option').count()).toBeGreaterThan(1);
    await page.getByLabel('Configuration').selectOption(LIVE_LAB);
    await shot(page, 'live-stopped-light');
    await page.getByRole('button', { name: 'Start lab' }).click();
    await expect.poll(() => status.textContent()).toContain('Running');
    expect(await page.getByTestId('vantage').textContent()).toMatch(/Tunnel packets only\..*not seen/);
    await page.getByLabel('Template').selectOption(LIVE_FLEET);
    await page.getByRole('button', { name: 'Start fleet' }).click();

    // Every client of the fleet shows up with its SAs and radio wakeups.
    const rows = page.locator('[data-testid="live-clients"] tbody tr[data-client]');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(20);
    const wakeups = () => page.locator('[data-testid="live-clients"] td[data-col="wakeupsPerHour"]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    await expect.poll(async () => (await wakeups()).every((w) => w > 0), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => rows.filter({ hasText: '1 / 1' }).count(), { timeout: 10_000 }).toBe(20);
    expect(await rows.first().getAttribute('data-client')).toBe('android-1@fleet.wakelab');
    // What is estimated but not yet written (a session's packets wait for their chunk row) shows
    // beside what is, so the first seconds do not read as nothing recorded.
    const held = async () => Number(((await page.getByTestId('held').locator('b').allTextContents())[0] ?? '0').replace(/\D/g, ''));
    await expect.poll(held, { timeout: 10_000 }).toBeGreaterThan(0);
    // The live comparison of the four policies, and keepalive wakeups in the event stream.
    const groups = page.locator('[data-testid="fleet-groups"] tbody tr');
    await expect.poll(() => groups.count()).toBe(4);
    await expect.poll(() => page.locator('[data-testid="live-events"] li[data-kind="wakeup"][data-cause="keepalive"]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => groups.filter({ hasText: '5 · 0 · 0' }).count(), { timeout: 10_000 }).toBe(4);

    // Some lab minutes (seconds of real time at 60x), so the estimates settle and the timeline fills.
    const labSeconds = async () => (await page.getByTestId('lab-time').textContent())!.split(':').reduce((a, x) => a * 60 + Number(x), 0);
    await expect.poll(labSeconds, { timeout: 20_000 }).toBeGreaterThanOrEqual(300);

    // The DPD delay: the running value is shown after the change, and the change is an event.
    expect(await page.getByTestId('policy-now-delayS').textContent()).toBe('off');
    await page.getByLabel('DPD delay', { exact: true }).fill('30');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('policy-now-delayS').textContent()).toBe('30 s');
    await expect.poll(() => page.locator('[data-testid="live-events"] li[data-kind="policy-changed"]').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    await shot(page, 'live-light');

    // A client's radio timeline, with a keepalive and a promotion out of idle in it.
    await page.getByRole('button', { name: 'android-1@fleet.wakelab', exact: true }).click();
    const tl = page.getByTestId('client-timeline');
    await expect.poll(() => tl.locator('svg rect.st-promotion').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => tl.locator('svg rect.cause-keepalive').count()).toBeGreaterThan(0);
    expect(await tl.locator('svg .axis text').last().textContent()).toBe('now');
    await shot(page, 'live-client-light');
    await page.locator('#client-detail').screenshot({ path: join(SHOTS, 'live-client-detail-light.png') });

    // The same lab in the dark theme (a second window gets the running lab at once).
    const dark = await open('dark', '#live');
    await expect.poll(() => dark.page.locator('[data-testid="live-clients"] tbody tr[data-client]').count()).toBe(20);
    await dark.page.getByRole('button', { name: 'ios-1@fleet.wakelab', exact: true }).click();
    await expect.poll(() => dark.page.getByTestId('client-timeline').locator('svg rect.st-promotion').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(dark.page, 'live-dark');
    await dark.ctx.close();

    await page.getByRole('button', { name: 'Stop lab' }).click();
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain('Stopped');
    await expect.poll(() => page.locator('[data-testid="live-events"] li[data-kind="lab"]').first().textContent()).toMatch(/lab \d+ stopped: recorded \d+ packets/);
    expect(await rows.count()).toBe(0);
    await ctx.close();
  }, 60_000);

  it('logged no console errors and no page errors (CSP violations included)', () => {
    expect(problems).toEqual([]);
  });
});
