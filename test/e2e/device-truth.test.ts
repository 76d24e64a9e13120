// The screen tells the truth, on `npm run demo`'s box (ingest/opcua-bridge crash-loops,
// historian/report-exporter misses its image), in Chromium, acting as users: the kiosk and the
// Overview are not "Healthy" and name the workloads; an operator's click on "Identify this device"
// makes the kiosk flash; restarting the crash-looping deployment by clicking Restart ends "failed"
// on screen with the reason and the Audit page shows the failure;
// restart buttons are off, with the reason on screen, while the cluster API does not answer.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { tempDir } from '../helpers/daemon.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';
import { KIOSK_SIZES, overflow, textSizes } from './kiosk-measure.ts';

let browser: BrowserSession;
let demo: Demo;
let home: string;

beforeAll(async () => {
  home = tempDir('outpost-e2e-truth-');
  demo = await startDemo({
    home,
    settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, cluster: { stabilitySeconds: 5 }, status: { clusterGraceSeconds: 2, clusterBootGraceSeconds: 4 } },
    timing: { readyAfterMs: 300, backoffBaseMs: 1000, backoffMaxMs: 4000, terminationMs: 200 },
    logIntervalMs: 300,
  });
  await createUser(home, 'otto', 'operator');
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the demo box, as its screens show it', () => {
  for (const [width, height] of KIOSK_SIZES) {
    it(`shows the kiosk at ${width}×${height} as Critical, naming both workloads, with no text under 18 px`, async () => {
      const kiosk = await browser.newPage({ width, height });
      await kiosk.goto(new URL('/kiosk', demo.daemon.kioskUrl!).toString());
      await expect.poll(() => kiosk.getByTestId('kiosk-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('critical');
      const trouble = kiosk.getByTestId('kiosk-trouble');
      await expect.poll(async () => (await trouble.textContent()) ?? '', { timeout: 20_000 }).toMatch(/ingest\/opcua-bridge[\s\S]*historian\/report-exporter|historian\/report-exporter[\s\S]*ingest\/opcua-bridge/);
      expect(await kiosk.getByTestId('kiosk-reasons').textContent()).toMatch(/2 workloads in trouble/);
      expect(await kiosk.getByTestId('kiosk').textContent()).not.toMatch(/Healthy/);
      // Loopback-only daemon: the device's own addresses, and how to open it to laptops.
      expect(await kiosk.getByTestId('kiosk-remote-hint').textContent()).toMatch(/listen\.address: 0\.0\.0\.0/);
      expect((await textSizes(kiosk)).filter((s) => s.px < 18)).toEqual([]);
      expect(await overflow(kiosk)).toEqual([]);
      await screenshot(kiosk, `truth-kiosk-${width}x${height}`);
      await kiosk.context().close();
    }, 40_000);
  }

  it('shows the Overview banner as Critical with the workloads in trouble named first', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await loginViaForm(page, demo.daemon.url, 'otto', TEST_PASSWORD);
    const banner = page.getByTestId('health-status');
    await expect.poll(() => banner.getAttribute('data-status'), { timeout: 20_000 }).toBe('critical');
    const reasons = page.getByTestId('status-reason');
    await expect.poll(async () => (await reasons.allTextContents()).join('\n'), { timeout: 20_000 }).toMatch(/ingest\/opcua-bridge: (CrashLoopBackOff|Crashed) — bridge: last exit code 1/);
    expect((await reasons.allTextContents()).join('\n')).toMatch(/historian\/report-exporter: ErrImageNeverPull/);
    expect(await reasons.first().getAttribute('data-severity')).toBe('critical');
    expect(await banner.textContent()).not.toMatch(/Healthy/);
    await screenshot(page, 'truth-overview');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 40_000);

  it('flashes the kiosk (another browser context, its own listener) when an operator clicks Identify on the Overview', async () => {
    const kiosk = await browser.newPage({ width: 800, height: 480 });
    await kiosk.goto(new URL('/kiosk', demo.daemon.kioskUrl!).toString());
    await expect.poll(() => kiosk.getByTestId('kiosk-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('critical');
    const page = await browser.newPage();
    await loginViaForm(page, demo.daemon.url, 'otto', TEST_PASSWORD);
    await page.getByTestId('identify').click();
    await kiosk.getByTestId('kiosk-identify').waitFor({ timeout: 5000 });
    expect(await kiosk.getByTestId('kiosk').getAttribute('class')).toContain('identifying');
    expect(await page.getByTestId('identify-error').count()).toBe(0);
    await screenshot(kiosk, 'truth-kiosk-identify');
    await kiosk.context().close();
    await page.context().close();
  }, 40_000);

  it('ends a restart of the crash-looping deployment "failed" with the reason, and the Audit page shows the failure', async () => {
    const page = await browser.newPage();
    await loginViaForm(page, demo.daemon.url, 'otto', TEST_PASSWORD);
    await page.goto(new URL('/workloads', demo.daemon.url).toString());
    const row = page.locator('[data-key="ingest/deployment/opcua-bridge"]');
    await row.getByTestId('restart').click();
    const dialog = page.getByTestId('restart-dialog');
    await expect.poll(async () => (await dialog.textContent()) ?? '').toContain('ingest/opcua-bridge');
    await dialog.getByTestId('restart-confirm').click();
    const line = row.getByTestId('action-status');
    await line.waitFor();
    await row.locator('[data-testid="action-status"][data-phase="failed"]').waitFor({ timeout: 60_000 });
    const text = (await line.textContent()) ?? '';
    expect(text).toMatch(/Restart failed at \d\d:\d\d \(asked by otto\)/);
    expect(text).toMatch(/exit code 1/);
    expect(text).toMatch(/last log line: .*unrecoverable error, exiting/);
    expect(text).not.toMatch(/done/);
    await screenshot(page, 'truth-restart-failed');
    await page.context().close();

    const admin = await browser.newPage();
    await loginViaForm(admin, demo.daemon.url, demo.username, demo.password);
    await admin.getByRole('link', { name: 'Audit' }).click();
    await admin.getByTestId('audit-action').fill('workload.restart.outcome');
    await admin.getByRole('button', { name: 'Filter' }).click();
    const outcome = admin.getByTestId('audit-table').locator('tbody tr', { hasText: 'ingest/deployment/opcua-bridge' }).first();
    await expect.poll(async () => (await outcome.textContent()) ?? '', { timeout: 10_000 }).toMatch(/workload\.restart\.outcome[\s\S]*failure/);
    expect(await outcome.textContent()).toMatch(/exit code 1/);
    await screenshot(admin, 'truth-audit-failure');
    await admin.context().close();
  }, 120_000);

  it('turns the restart buttons off while the cluster API does not answer, says why, and on again after', async () => {
    const page = await browser.newPage();
    await loginViaForm(page, demo.daemon.url, 'otto', TEST_PASSWORD);
    await page.goto(new URL('/workloads', demo.daemon.url).toString());
    const button = page.locator('[data-key="ingest/deployment/sensor-ingester"]').getByTestId('restart');
    await expect.poll(() => button.isEnabled(), { timeout: 20_000 }).toBe(true);
    await demo.sim.stopServer();
    try {
      await expect.poll(() => button.isDisabled(), { timeout: 30_000 }).toBe(true);
      expect(await page.getByTestId('restarts-off').textContent()).toMatch(/Restarts are off until it answers again/);
      expect(await button.getAttribute('title')).toMatch(/not answering/);
      await screenshot(page, 'truth-restarts-off');
    } finally {
      await demo.sim.startServer();
    }
    await expect.poll(() => button.isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.context().close();
  }, 90_000);
});
