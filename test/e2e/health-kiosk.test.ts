// The kiosk view in Chromium: fits 800×480, 1024×600 and 1920×1080 with no text under 18 px
// (computed sizes measured), a 24-hour clock even in an AM/PM locale, the device verdict, flashes
// when an operator clicks "Identify this device" on the Overview (the flash ending is checked in
// test/integration/health-api.test.ts), says "No data since HH:MM" (and
// shows no clock) once it has lost the daemon, and does not grow while it updates.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { copyFixture, PROJECT_ROOT, startHealthServer, type HealthServer } from '../health-support/server.ts';
import { launchChromium, RESULTS, loggedInPage } from '../health-support/browser.ts';
import { KIOSK_SIZES, overflow, textSizes } from './kiosk-measure.ts';

let server: HealthServer;
let fixture: ReturnType<typeof copyFixture>;
let chromium: { browser: Browser; close(): Promise<void> };

beforeAll(async () => {
  if (!existsSync(path.join(PROJECT_ROOT, 'ui/dist/index.html'))) throw new Error('build the UI first: npm run build');
  fixture = copyFixture('edge-rack');
  server = await startHealthServer({ root: fixture.root, tiers: { fastMs: 100, mediumMs: 1000, slowMs: 10_000 } });
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await server?.close();
  fixture?.remove();
});

/** The kiosk as a logged-in page shows it (the main listener: no connect info, the health sample's addresses). */
async function openKiosk(width: number, height: number): Promise<Page> {
  // en-US would print "5:04:03 PM": the kiosk must not.
  const page = await loggedInPage(chromium.browser, server, { width, height }, 'en-US');
  await page.goto(`${server.url}/kiosk`);
  await expect.poll(() => page.getByTestId('kiosk-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('critical');
  await page.getByTestId('kiosk-clock').waitFor();
  await expect.poll(async () => (await page.getByTestId('kiosk-host').textContent()) ?? '', { timeout: 10_000 }).toBe('edge-test-01');
  return page;
}

describe('Kiosk page', () => {
  for (const [width, height] of KIOSK_SIZES) {
    it(`fits ${width}×${height} with no text under 18 px, a 24-hour clock, the verdict and key numbers`, async () => {
      const page = await openKiosk(width, height);
      await expect.poll(async () => (await page.getByTestId('kiosk-cpu').textContent()) ?? '').toMatch(/\d+ %/);
      expect(await page.getByTestId('kiosk-memory').textContent()).toContain('95 %');
      expect(await page.getByTestId('kiosk-addresses').textContent()).toContain('10.20.0.15');
      // The fixture's node is critical (full /var inodes, memory, a hot core): the verdict names it.
      expect(await page.getByTestId('kiosk-reasons').textContent()).toMatch(/\/var|memory 95 %|°C/);
      expect(await page.getByTestId('kiosk-clock').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
      expect(await page.getByTestId('kiosk-clients').textContent()).toMatch(/^\d+ \(this one too\)$/);
      const sizes = await textSizes(page);
      expect(sizes.length).toBeGreaterThan(20);
      expect(sizes.filter((s) => s.px < 18)).toEqual([]);
      expect(await overflow(page)).toEqual([]);
      await page.screenshot({ path: path.join(RESULTS, `health-kiosk-${width}x${height}.png`) });
      await page.context().close();
    });
  }

  it('uses the half a workloads panel would take, when there is no cluster, for every reason of the verdict', async () => {
    const page = await openKiosk(1024, 600);
    expect(await page.getByTestId('kiosk-trouble').count()).toBe(0);
    const attention = page.getByTestId('kiosk-attention');
    await expect.poll(async () => (await attention.textContent()) ?? '').toMatch(/\d+ things need attention/);
    expect(await attention.textContent()).toContain('memory 95 %');
    expect(await page.getByTestId('kiosk-facts').textContent()).toContain('none configured');
    await page.context().close();
  });

  it('flashes on the kiosk listener when an operator clicks "Identify this device" on the Overview', async () => {
    // The kiosk in its own browser context, on its own loopback listener, with no login.
    const kioskContext = await chromium.browser.newContext({ viewport: { width: 800, height: 480 } });
    const kiosk = await kioskContext.newPage();
    await kiosk.goto(`${server.kioskUrl}kiosk`);
    await expect.poll(() => kiosk.getByTestId('kiosk-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('critical');
    expect(await kiosk.getByTestId('kiosk-identify').count()).toBe(0);

    const overview = await loggedInPage(chromium.browser, server, { width: 1280, height: 900 });
    await overview.goto(`${server.url}/`);
    await overview.getByTestId('identify').click();
    await kiosk.getByTestId('kiosk-identify').waitFor({ timeout: 5000 });
    expect(await kiosk.getByTestId('kiosk').getAttribute('class')).toContain('identifying');
    await expect.poll(async () => (await overview.getByTestId('identify').textContent()) ?? '').toBe('Flashing the kiosk…');
    expect(await overview.getByTestId('identify-error').count()).toBe(0);
    expect(await overflow(kiosk)).toEqual([]);
    await kiosk.screenshot({ path: path.join(RESULTS, 'health-kiosk-identify-800x480.png') });
    await kioskContext.close();
    await overview.context().close();
  }, 60_000);

  it('keeps the same DOM size and heap while hundreds of updates arrive', async () => {
    const page = await openKiosk(800, 480);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const measure = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const metrics = (await cdp.send('Performance.getMetrics')).metrics;
      const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
      return { nodes: get('Nodes'), heap: get('JSHeapUsedSize'), listeners: get('JSEventListeners') };
    };
    await page.waitForTimeout(3000);
    const before = await measure();
    const seqBefore = server.health.topic.seq;
    await page.waitForTimeout(15_000);
    const after = await measure();
    expect(server.health.topic.seq - seqBefore).toBeGreaterThan(100);
    expect(after.nodes).toBeLessThanOrEqual(before.nodes + 20);
    expect(after.listeners).toBeLessThanOrEqual(before.listeners + 5);
    expect(after.heap - before.heap).toBeLessThan(1_000_000);
    await page.context().close();
  });

  // Last: it stops the daemon.
  it('says "No data since HH:MM" in place of any verdict, and shows no clock, once the daemon is gone', async () => {
    const page = await openKiosk(800, 480);
    await server.close();
    const status = page.getByTestId('kiosk-status');
    await expect.poll(() => status.getAttribute('data-status'), { timeout: 10_000 }).toBe('stale');
    expect(await status.textContent()).toMatch(/No data since \d\d:\d\d/);
    expect(await status.textContent()).not.toMatch(/Critical|Healthy|Warning/);
    expect(await page.getByTestId('kiosk-clock').count()).toBe(0);
    expect((await textSizes(page)).filter((s) => s.px < 18)).toEqual([]);
    await page.screenshot({ path: path.join(RESULTS, 'health-kiosk-lost-800x480.png') });
    await page.context().close();
  });
});
