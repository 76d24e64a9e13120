// The LocalUI pages at a phone (390×844), a small panel (1024×600) and a laptop (1280×800), in the
// light, dark and high-contrast themes (chosen in Settings, as a user does): nothing runs off the
// right edge, no placeholder is cut, chart axes keep their labels, and on a phone Restart and the user
// actions are on screen and open their dialogs. Screenshots of every combination land in test-results/.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { useContainerd, type TestContainerd } from '../helpers/containerd.ts';
import { tempDir } from '../helpers/daemon.ts';
import { launchBrowser, screenshot, type BrowserSession } from './harness.ts';
import { installBundle, offerBundle, prepareUpgradeKit } from './upgrade-kit.ts';

let browser: BrowserSession;
let demo: Demo;
let home: string;
let ctrd: TestContainerd;
/** The plans shown: one with a field-level diff, one blocked. */
const plans = { next: '', blocked: '' };
const IMAGES = 'registry.local/demo/plant-dashboard:';

beforeAll(async () => {
  home = tempDir('outpost-e2e-layouts-');
  ctrd = await useContainerd();
  await ctrd.removeImages(IMAGES);
  const kit = await prepareUpgradeKit(home);
  demo = await startDemo({
    home,
    containerd: { socket: ctrd.socket, root: ctrd.root },
    settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, upgrade: { pollMs: 200, failingGraceSeconds: 1 } },
    timing: { readyAfterMs: 300, runMs: 400, backoffBaseMs: 1000, backoffMaxMs: 4000, terminationMs: 200 },
    logIntervalMs: 300,
  });
  await demo.daemon.upgradesReady;
  // The Upgrades page at its fullest: a rolled-back outcome with reasons and logs, releases, offers, history.
  await installBundle(demo, kit.dashboard['1.0.0']);
  await installBundle(demo, kit.dashboard['1.1.0']);
  await installBundle(demo, kit.dashboard['1.2.0'], 'rolled_back');
  plans.next = (await offerBundle(demo, kit.dashboard['1.2.0'])).id;
  plans.blocked = (await offerBundle(demo, await kit.small({ name: 'blocked-notes', version: '1.0.0', sequence: 1, architecture: 'arm64' }))).id;
  await createUser(home, 'ada', 'admin');
  await createUser(home, 'vera', 'viewer');
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await ctrd?.removeImages(IMAGES).catch(() => undefined);
  await ctrd?.stop();
  rmSync(home, { recursive: true, force: true });
});

const url = (path: string) => new URL(path, demo.daemon.url).toString();

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'panel', width: 1024, height: 600 },
  { name: 'laptop', width: 1280, height: 800 },
] as const;
const THEMES = [
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
  { value: 'contrast', label: 'High contrast' },
] as const;
const PAGES: { path: string; name: string; ready: (p: Page) => Promise<unknown> }[] = [
  { path: '/', name: 'overview', ready: (p) => p.locator('[data-testid="chart-usage"] canvas').first().waitFor() },
  { path: '/workloads', name: 'workloads', ready: (p) => p.getByTestId('workload-row').first().waitFor() },
  {
    path: '/workloads/ingest/deployment/opcua-bridge',
    name: 'workload',
    ready: (p) => p.locator('[data-testid="log-lines"] .line').first().waitFor({ timeout: 20_000 }),
  },
  { path: '/audit', name: 'audit', ready: (p) => p.getByTestId('audit-table').waitFor() },
  { path: '/settings', name: 'settings', ready: (p) => p.getByTestId('user-row').first().waitFor() },
  { path: '/upgrades', name: 'upgrades', ready: (p) => p.getByTestId('history-details').first().waitFor({ timeout: 20_000 }) },
  { path: '/upgrades/bundles/NEXT', name: 'upgrade-plan', ready: (p) => p.getByTestId('plan-actions').waitFor({ timeout: 20_000 }) },
  { path: '/upgrades/bundles/BLOCKED', name: 'upgrade-plan-blocked', ready: (p) => p.getByTestId('plan-actions').waitFor({ timeout: 20_000 }) },
];
const pathOf = (p: string) => p.replace('NEXT', plans.next).replace('BLOCKED', plans.blocked);

async function logIn(page: Page, username: string): Promise<void> {
  await page.goto(url('/'));
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('logout').waitFor();
}

/** Picks the theme on the Settings page, as a user does. */
async function chooseTheme(page: Page, label: string, value: string): Promise<void> {
  await page.goto(url('/settings'));
  await page.getByRole('radio', { name: label }).check();
  await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(value);
}

/** What does not fit: the page wider than the window, placeholders longer than their box. */
async function misfits(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const wide = document.documentElement.scrollWidth;
    if (wide > window.innerWidth) out.push(`page is ${wide}px wide in a ${window.innerWidth}px window`);
    const ctx = document.createElement('canvas').getContext('2d')!;
    for (const el of document.querySelectorAll<HTMLInputElement>('input[placeholder], textarea[placeholder]')) {
      if (el.getClientRects().length === 0) continue;
      const cs = getComputedStyle(el);
      ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      const need = ctx.measureText(el.placeholder).width;
      if (need > room) out.push(`placeholder “${el.placeholder}” needs ${Math.ceil(need)}px, has ${Math.floor(room)}px`);
    }
    return out;
  });
}

/** Chart canvases with ink in their outermost columns: an axis label cut at the edge. */
async function clippedCharts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const fig of document.querySelectorAll<HTMLElement>('[data-testid^="chart-"]')) {
      const canvas = fig.querySelector('canvas');
      if (!canvas) continue;
      const ctx = canvas.getContext('2d')!;
      const edge = (x: number) => ctx.getImageData(x, 0, 2, canvas.height).data.some((v, i) => i % 4 === 3 && v > 0);
      if (edge(0)) out.push(`${fig.dataset.testid}: ink at the left edge`);
      if (edge(canvas.width - 2)) out.push(`${fig.dataset.testid}: ink at the right edge`);
    }
    return out;
  });
}

describe('layouts', () => {
  for (const size of SIZES) {
    it(`fits ${size.width}×${size.height} in the light, dark and high-contrast themes`, async () => {
      const page = await browser.newPage({ width: size.width, height: size.height });
      await logIn(page, 'ada');
      for (const theme of THEMES) {
        await chooseTheme(page, theme.label, theme.value);
        for (const p of PAGES) {
          await page.goto(url(pathOf(p.path)));
          await p.ready(page);
          if (p.name === 'overview') {
            // The history arrives after the page: wait until the charts have drawn something.
            const drawn = () =>
              page.evaluate(() =>
                [...document.querySelectorAll<HTMLCanvasElement>('[data-testid^="chart-"] canvas')].every((c) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v) => v > 0)),
              );
            await expect.poll(drawn, { timeout: 15_000 }).toBe(true);
            // uPlot applies a new size on its next frame: a chart caught between a resize and its redraw
            // is not the layout's verdict, the settled one is.
            await expect.poll(() => clippedCharts(page), { timeout: 5_000, message: `${p.name} ${size.name} ${theme.value}` }).toEqual([]);
          }
          expect(await misfits(page), `${p.name} ${size.name} ${theme.value}`).toEqual([]);
          await screenshot(page, `layout-${size.name}-${theme.value}-${p.name}`);
        }
      }
      // The login page too (it has its own layout).
      await page.getByTestId('logout').click();
      await page.getByTestId('login-username').waitFor();
      expect(await misfits(page)).toEqual([]);
      await screenshot(page, `layout-${size.name}-login`);
    }, 300_000);
  }
});

describe('on a phone', () => {
  it('shows every workload column as a card line and keeps Restart on screen and working', async () => {
    const page = await browser.newPage({ width: 390, height: 844 });
    await logIn(page, 'ada');
    await page.goto(url('/workloads'));
    const row = page.locator('[data-key="ingest/deployment/opcua-bridge"]');
    await row.waitFor();
    const shown = (cells: Element[]) => cells.filter((c) => c.getClientRects().length > 0).map((c) => (c as HTMLElement).dataset.label);
    const labels = await row.locator('td[data-label]').evaluateAll(shown);
    expect(labels).toEqual(['Status', 'Workload', 'Namespace', 'Ready', 'Restarts', 'Age', 'Images']);
    const restart = row.getByTestId('restart');
    await restart.scrollIntoViewIfNeeded();
    const box = (await restart.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.height).toBeGreaterThanOrEqual(32);
    await screenshot(page, 'phone-workloads-restart');
    await restart.click();
    const dialog = page.getByTestId('restart-dialog');
    await dialog.waitFor();
    const d = (await dialog.boundingBox())!;
    expect(d.x >= 0 && d.x + d.width <= 390, 'the dialog fits the screen').toBe(true);
    await screenshot(page, 'phone-restart-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
  }, 60_000);

  it('keeps the upgrade actions on screen, with their dialogs inside it', async () => {
    const page = await browser.newPage({ width: 390, height: 844 });
    await logIn(page, 'ada');
    await page.goto(url('/upgrades'));
    const row = page.locator('[data-bundle="plant-dashboard@1.2.0"]');
    await row.waitFor();
    const inside = async (testid: string, scope = page.locator('body')) => {
      const control = scope.getByTestId(testid).first();
      await control.scrollIntoViewIfNeeded();
      const box = (await control.boundingBox())!;
      expect(box.x >= 0 && box.x + box.width <= 390, `${testid} inside the screen`).toBe(true);
      expect(box.height, `${testid} big enough to press`).toBeGreaterThanOrEqual(32);
      return control;
    };
    await inside('show-plan', row);
    await (await inside('bundle-delete', row)).click();
    const remove = page.getByTestId('delete-dialog');
    await remove.waitFor();
    const r = (await remove.boundingBox())!;
    expect(r.x >= 0 && r.x + r.width <= 390, 'the delete dialog fits the screen').toBe(true);
    await remove.getByTestId('delete-dialog-cancel').click();
    await inside('rollback-plan');
    await page.goto(url(`/upgrades/bundles/${plans.next}`));
    await page.getByTestId('plan-actions').waitFor({ timeout: 20_000 });
    // The bar with Apply stays in view at the bottom while the plan scrolls under it.
    const bar = (await page.getByTestId('plan-actions').boundingBox())!;
    expect(bar.y + bar.height).toBeLessThanOrEqual(844 + 0.5);
    expect(bar.y).toBeGreaterThan(844 / 2);
    await (await inside('apply')).click();
    const dialog = page.getByTestId('upgrade-dialog');
    await dialog.waitFor();
    const d = (await dialog.boundingBox())!;
    expect(d.x >= 0 && d.x + d.width <= 390, 'the apply dialog fits the screen').toBe(true);
    await screenshot(page, 'phone-upgrade-dialog');
    await dialog.getByTestId('upgrade-dialog-cancel').click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
  }, 60_000);

  it('keeps the user actions on screen and opens their dialogs', async () => {
    const page = await browser.newPage({ width: 390, height: 844 });
    await logIn(page, 'ada');
    await page.goto(url('/settings'));
    const row = page.locator('[data-testid="user-row"][data-user="vera"]');
    await row.waitFor();
    for (const testid of ['user-role', 'user-set-password', 'user-disable']) {
      const control = row.getByTestId(testid);
      await control.scrollIntoViewIfNeeded();
      const box = (await control.boundingBox())!;
      expect(box.x + box.width, `${testid} inside the screen`).toBeLessThanOrEqual(390);
      expect(await control.isEnabled()).toBe(true);
    }
    await screenshot(page, 'phone-user-actions');
    const dialog = page.getByTestId('user-dialog');
    for (const testid of ['user-set-password', 'user-disable']) {
      await row.getByTestId(testid).click();
      await dialog.waitFor();
      const d = (await dialog.boundingBox())!;
      expect(d.x >= 0 && d.x + d.width <= 390, `${testid}: the dialog fits the screen`).toBe(true);
      await screenshot(page, `phone-${testid}-dialog`);
      await dialog.getByTestId('user-dialog-cancel').click();
      await expect.poll(() => dialog.isVisible()).toBe(false);
    }
  }, 60_000);
});
