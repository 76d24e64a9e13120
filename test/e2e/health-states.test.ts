// The Overview's plain states: no sensors, no cluster, and reconnecting after the daemon goes away.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { copyFixture, PROJECT_ROOT, startHealthServer, type HealthServer } from '../health-support/server.ts';
import { launchChromium, RESULTS, loggedInPage } from '../health-support/browser.ts';

let server: HealthServer;
let fixture: ReturnType<typeof copyFixture>;
let chromium: { browser: Browser; close(): Promise<void> };

beforeAll(async () => {
  if (!existsSync(path.join(PROJECT_ROOT, 'ui/dist/index.html'))) throw new Error('build the UI first: npm run build');
  fixture = copyFixture('vm-no-sensors');
  server = await startHealthServer({ root: fixture.root, tiers: { fastMs: 300, mediumMs: 1000, slowMs: 10_000 } });
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
  fixture?.remove();
});

describe('Overview states', () => {
  it('says there are no sensors and no cluster, then marks the numbers stale while reconnecting', async () => {
    const page = await loggedInPage(chromium.browser, server, { width: 1024, height: 768 });
    await page.goto(`${server.url}/`);
    await page.getByTestId('no-sensors').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('no-sensors').textContent()).toBe('No temperature sensors on this device.');
    expect(await page.getByTestId('health-temperature-value').textContent()).toBe('—');
    expect(await page.getByTestId('health-cluster-value').textContent()).toBe('No cluster');
    await expect.poll(() => page.getByTestId('health-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('ok');

    await server.close();
    await page.getByTestId('health-stale').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('health-stale').textContent()).toMatch(/^(Reconnecting|Offline) — as of /);
    expect(await page.getByTestId('connection').getAttribute('data-status')).not.toBe('live');
    await page.screenshot({ path: path.join(RESULTS, 'health-overview-reconnecting.png') });
    await page.close();
  });
});
