import { rmSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, stopDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';

let session: BrowserSession;
let daemon: SpawnedDaemon;
let home: string;

beforeAll(async () => {
  home = tempDir();
  daemon = await spawnDaemon({ home });
  await createUser(home, 'root', 'admin');
  await createUser(home, 'tech', 'operator');
  session = await launchBrowser();
});
afterAll(async () => {
  await session?.close();
  if (daemon) await stopDaemon(daemon);
  rmSync(home, { recursive: true, force: true });
});

describe('LocalUI shell', () => {
  it('loads, goes live, and shows the daemon’s numbers updating', async () => {
    const page = await session.newPage();
    const problems = watchConsole(page);
    await loginViaForm(page, daemon.url, 'tech', TEST_PASSWORD);
    await page.getByTestId('connection').and(page.locator('[data-status="live"]')).waitFor();
    const uptime = page.getByTestId('server-time');
    const first = await uptime.textContent();
    await page.waitForFunction((before) => document.querySelector('[data-testid="server-time"]')?.textContent !== before, first);
    expect(problems).toEqual([]);
    const file = await screenshot(page, 'shell-overview');
    expect(statSync(file).size).toBeGreaterThan(5000);
  });

  it('navigates between pages without reloading and says plainly what is not built yet', async () => {
    const page = await session.newPage();
    await loginViaForm(page, daemon.url, 'tech', TEST_PASSWORD);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).count()).toBe(0);
    for (const name of ['Workloads', 'Upgrades']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/${name.toLowerCase()}`);
      // Workloads says there is no cluster (no kubeconfig); Upgrades says nothing is installed yet.
      await page.getByTestId(name === 'Workloads' ? 'no-cluster' : 'releases-empty').first().waitFor();
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await page.getByTestId('users-panel').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Upgrades' }).waitFor();
  });

  it('reconnects by itself when the daemon restarts, without a page reload', async () => {
    const page = await session.newPage();
    await loginViaForm(page, daemon.url, 'tech', TEST_PASSWORD);
    const indicator = page.getByTestId('connection');
    await page.locator('[data-testid="connection"][data-status="live"]').waitFor();
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));

    const port = daemon.port;
    await stopDaemon(daemon);
    await page.locator('[data-testid="connection"][data-status="reconnecting"]').waitFor();
    expect(await indicator.getAttribute('title')).toContain('server shutting down');
    await screenshot(page, 'shell-reconnecting');

    daemon = await spawnDaemon({ home, port, kioskPort: daemon.kioskPort ?? 0 });
    await page.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
    await page.getByTestId('daemon-uptime').waitFor();
  });

  it('serves a full-screen kiosk view with large type and no navigation, without a login', async () => {
    const page = await session.newPage({ width: 1024, height: 600 });
    const problems = watchConsole(page);
    await page.goto(new URL('/kiosk', daemon.kioskUrl!).toString());
    await page.getByTestId('kiosk').waitFor();
    await page.locator('[data-testid="connection"][data-status="live"]').waitFor();
    await page.getByTestId('kiosk-clock').waitFor();
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('contrast');
    const clockSize = await page.getByTestId('kiosk-clock').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(clockSize).toBeGreaterThanOrEqual(48);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    expect(problems).toEqual([]);
    await screenshot(page, 'kiosk-1024x600');
  });

  it('loads no asset from outside the device', async () => {
    const page = await session.newPage();
    const foreign: string[] = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.origin !== new URL(daemon.url).origin && !url.protocol.startsWith('data')) foreign.push(req.url());
    });
    await loginViaForm(page, daemon.url, 'tech', TEST_PASSWORD);
    await page.locator('[data-testid="connection"][data-status="live"]').waitFor();
    await page.goto(new URL('/kiosk', daemon.kioskUrl!).toString());
    await page.getByTestId('kiosk').waitFor();
    expect(foreign.filter((u) => !u.startsWith(new URL(daemon.kioskUrl!).origin))).toEqual([]);
  });
});
