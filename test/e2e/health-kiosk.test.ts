// The kiosk view in Chromium: fits 800×480, 1024×600 and 1920×1080, flashes on identify, and does
// not grow while it updates.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { copyFixture, PROJECT_ROOT, startHealthServer, type HealthServer } from '../health-support/server.ts';
import { launchChromium, RESULTS, loggedInPage } from '../health-support/browser.ts';

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

async function openKiosk(width: number, height: number): Promise<Page> {
  const page = await loggedInPage(chromium.browser, server, { width, height });
  await page.goto(`${server.url}/kiosk`);
  await expect.poll(() => page.getByTestId('kiosk-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('critical');
  await page.getByTestId('kiosk-clock').waitFor();
  await expect.poll(async () => (await page.getByTestId('kiosk-host').textContent()) ?? '', { timeout: 10_000 }).toBe('edge-test-01');
  return page;
}

/** The DOM this check touches (typed here: the e2e files are also checked without the DOM lib). */
interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
interface El {
  getBoundingClientRect(): Box;
  scrollWidth: number;
  clientWidth: number;
  dataset: Record<string, string | undefined>;
  className: string;
  textContent: string | null;
  matches(selector: string): boolean;
}
interface Win {
  innerWidth: number;
  innerHeight: number;
  document: { documentElement: { scrollWidth: number; scrollHeight: number }; querySelectorAll(selector: string): Iterable<El> };
}

/** Every element that is wider or taller than the viewport, or whose text is cut off. */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const window = globalThis as unknown as Win;
    const document = window.document;
    const problems: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth) problems.push(`page ${doc.scrollWidth}px wide`);
    if (doc.scrollHeight > window.innerHeight) problems.push(`page ${doc.scrollHeight}px tall`);
    for (const el of document.querySelectorAll('[data-testid^="kiosk-"], .num .v, .word, .clock')) {
      const r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 0.5 || r.bottom > window.innerHeight + 0.5 || r.left < -0.5 || r.top < -0.5) problems.push(`${el.dataset.testid ?? el.className} outside the screen`);
      if (el.matches('.num .v, .clock, .word') && el.scrollWidth > el.clientWidth + 1) problems.push(`${el.className} text cut off: ${el.textContent}`);
    }
    return problems;
  });
}

describe('Kiosk page', () => {
  for (const [width, height] of [[800, 480], [1024, 600], [1920, 1080]] as const) {
    it(`fits ${width}×${height} without overflow and shows status and key numbers`, async () => {
      const page = await openKiosk(width, height);
      await expect.poll(async () => (await page.getByTestId('kiosk-cpu').textContent()) ?? '').toMatch(/\d+ %/);
      expect(await page.getByTestId('kiosk-memory').textContent()).toContain('95 %');
      expect(await page.getByTestId('kiosk-addresses').textContent()).toContain('10.20.0.15');
      expect(await overflow(page)).toEqual([]);
      await page.screenshot({ path: path.join(RESULTS, `health-kiosk-${width}x${height}.png`) });
      await page.close();
    });
  }

  it('flashes when someone asks to identify the device, and stops afterwards', async () => {
    const page = await openKiosk(800, 480);
    server.health.identify(2);
    await page.getByTestId('kiosk-identify').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('kiosk').getAttribute('class')).toContain('identifying');
    expect(await overflow(page)).toEqual([]);
    await page.screenshot({ path: path.join(RESULTS, 'health-kiosk-identify-800x480.png') });
    await page.getByTestId('kiosk-identify').waitFor({ state: 'detached', timeout: 6000 });
    await page.close();
  });

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
    await page.close();
  });
});
