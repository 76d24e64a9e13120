// Workloads in a real browser against `npm run demo`'s set (in-process, faster timings): the crash
// loop listed first with its reason, a restart from the UI with progress to done, the log viewer
// following new lines, no restart button for viewers, and the kiosk's trouble list.
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { tempDir } from '../helpers/daemon.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';

let browser: BrowserSession;
let demo: Demo;
let home: string;

beforeAll(async () => {
  home = tempDir('outpost-e2e-demo-');
  demo = await startDemo({
    home,
    settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, cluster: { stabilitySeconds: 3 } },
    timing: { readyAfterMs: 300, backoffBaseMs: 1000, backoffMaxMs: 4000, terminationMs: 200 },
    logIntervalMs: 300,
  });
  await createUser(home, 'otto', 'operator');
  await createUser(home, 'vera', 'viewer');
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('workloads page', () => {
  it('lists the crash-looping workload first with its reason, and restarts another with progress to done', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await loginViaForm(page, demo.daemon.url, 'otto', TEST_PASSWORD);
    await page.goto(new URL('/workloads', demo.daemon.url).toString());
    const first = page.getByTestId('workload-row').first();
    await expect.poll(() => first.getAttribute('data-key'), { timeout: 20_000 }).toBe('ingest/deployment/opcua-bridge');
    await expect.poll(async () => (await first.textContent()) ?? '', { timeout: 20_000 }).toMatch(/CrashLoopBackOff[\s\S]*last exit code 1/);
    await screenshot(page, 'workloads-trouble-first');

    const row = page.locator('[data-key="ingest/deployment/sensor-ingester"]');
    await row.getByTestId('restart').click();
    const dialog = page.getByTestId('restart-dialog');
    await expect.poll(async () => (await dialog.textContent()) ?? '').toContain('ingest/sensor-ingester');
    await dialog.getByTestId('restart-confirm').click();
    await row.locator('[data-testid="action-status"]').waitFor();
    await screenshot(page, 'workloads-restart-progress');
    await row.locator('[data-testid="action-status"][data-phase="done"]').waitFor({ timeout: 60_000 });
    expect(await row.getByTestId('action-status').textContent()).toMatch(/done/);
    expect(problems).toEqual([]);
  }, 120_000);

  it('follows a container log with new lines, pause and search on the detail page', async () => {
    const page = await browser.newPage();
    await loginViaForm(page, demo.daemon.url, 'otto', TEST_PASSWORD);
    await page.goto(new URL('/workloads/messaging/deployment/mqtt-broker', demo.daemon.url).toString());
    const lines = page.getByTestId('log-lines');
    const count = async () => ((await lines.textContent()) ?? '').split('\n').filter((l) => l !== '').length;
    await expect.poll(count, { timeout: 20_000 }).toBeGreaterThan(0);
    const before = await count();
    await expect.poll(count, { timeout: 20_000 }).toBeGreaterThan(before);
    await screenshot(page, 'workload-detail-logs');

    await page.getByTestId('log-pause').click();
    const paused = await count();
    await page.waitForTimeout(1200);
    expect(await count()).toBe(paused);
    await page.getByTestId('log-pause').click();
    await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(paused);

    await page.getByTestId('log-search').fill('no line says this');
    await expect.poll(count).toBe(0);
    // The download carries the session's token (a plain link would carry the cookie alone).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('log-download').click()]);
    expect(download.suggestedFilename()).toMatch(/^messaging_mqtt-broker-.*_mosquitto_.*\.log$/);
    expect(readFileSync(await download.path(), 'utf8')).toMatch(/\S/);
  }, 60_000);

  it('shows no restart button to a viewer', async () => {
    const page = await browser.newPage();
    await loginViaForm(page, demo.daemon.url, 'vera', TEST_PASSWORD);
    await page.goto(new URL('/workloads', demo.daemon.url).toString());
    await page.getByTestId('workload-row').first().waitFor();
    expect(await page.getByTestId('restart').count()).toBe(0);
  }, 30_000);

  it('lists the workloads in trouble on the kiosk screen', async () => {
    const page = await browser.newPage({ width: 1024, height: 600 });
    await page.goto(new URL('/kiosk', demo.daemon.kioskUrl!).toString());
    const trouble = page.getByTestId('kiosk-trouble');
    await expect.poll(async () => (await trouble.textContent()) ?? '', { timeout: 20_000 }).toMatch(/opcua-bridge[\s\S]*report-exporter|report-exporter[\s\S]*opcua-bridge/);
    await screenshot(page, 'kiosk-trouble');
  }, 30_000);
});
