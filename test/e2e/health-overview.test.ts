// The Overview page in Chromium against a daemon reading a fixture whose CPU counters the test moves.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { copyFixture, PROJECT_ROOT, startHealthServer, type HealthServer } from '../health-support/server.ts';
import { cpuDriver, launchChromium, RESULTS, loggedInPage } from '../health-support/browser.ts';

let server: HealthServer;
let fixture: ReturnType<typeof copyFixture>;
let chromium: { browser: Browser; close(): Promise<void> };
let driver: ReturnType<typeof setInterval>;

beforeAll(async () => {
  if (!existsSync(path.join(PROJECT_ROOT, 'ui/dist/index.html'))) throw new Error('build the UI first: npm run build');
  fixture = copyFixture('edge-rack');
  const setBusy = cpuDriver(fixture.root);
  let tick = 0;
  driver = setInterval(() => setBusy([12, 73, 41, 88][tick++ % 4] as number), 400);
  server = await startHealthServer({ root: fixture.root, tiers: { fastMs: 400, mediumMs: 2000, slowMs: 10_000 } });
  chromium = await launchChromium();
});
afterAll(async () => {
  clearInterval(driver);
  await chromium?.close();
  await server?.close();
  fixture?.remove();
});

async function openOverview(width: number, height: number): Promise<{ page: Page; cspErrors: string[] }> {
  const page = await loggedInPage(chromium.browser, server, { width, height });
  const cspErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
  });
  await page.goto(`${server.url}/`);
  await page.getByTestId('health-cpu-value').waitFor({ timeout: 10_000 });
  return { page, cspErrors };
}

describe('Overview page', () => {
  it('shows live numbers that change without a reload', async () => {
    const { page, cspErrors } = await openOverview(1280, 900);
    const seen = new Set<string>();
    const deadline = Date.now() + 10_000;
    while (seen.size < 3 && Date.now() < deadline) {
      seen.add((await page.getByTestId('health-cpu-value').textContent()) ?? '');
      await page.waitForTimeout(200);
    }
    expect(seen.size).toBeGreaterThanOrEqual(3);
    for (const v of seen) expect(v).toMatch(/^\d+ %$/);
    expect(cspErrors).toEqual([]);
    await page.close();
  });

  it('shows the status with its reasons, tables, sensors and history charts', async () => {
    const { page, cspErrors } = await openOverview(1280, 900);
    const status = page.getByTestId('health-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 10_000 }).toBe('critical');
    await expect.poll(async () => (await page.getByTestId('health-reasons').textContent()) ?? '').toContain('/var at 93 %');
    expect(await page.getByTestId('filesystems').locator('tbody tr').count()).toBe(7);
    expect(await page.getByTestId('interfaces').textContent()).toContain('10.20.0.15/24');
    expect(await page.getByTestId('sensors').textContent()).toContain('coretemp Core 0');
    expect(await page.getByTestId('health-cluster-value').textContent()).toBe('No cluster');
    await page.getByTestId('chart-usage').locator('canvas').waitFor({ timeout: 10_000 });
    await page.getByTestId('range-24h').click();
    await expect.poll(() => page.getByTestId('range-24h').getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('range-1h').click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(RESULTS, 'health-overview-1280.png'), fullPage: true });
    expect(cspErrors).toEqual([]);
    await page.close();
  });

  it('keeps the daemon tiles', async () => {
    const { page } = await openOverview(1024, 600);
    await page.getByTestId('daemon-version').waitFor();
    await page.screenshot({ path: path.join(RESULTS, 'health-overview-1024x600.png') });
    await page.close();
  });
});
