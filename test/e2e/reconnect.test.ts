// A daemon restart, as the people in front of the screens see it: the real CLI is stopped for ten
// seconds (long enough for a growing backoff to reach many seconds) and started again on the same
// ports; the Overview and the kiosk are live again without a reload, within a 3 s deadline (the
// client retries at least every 1.5 s: ui/src/lib/feed/feed-client.test.ts proves the 2 s bound).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { spawnDaemon, stopDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.ts';
import { launchBrowser, loginViaForm, type BrowserSession } from './harness.ts';

let browser: BrowserSession;
let home: string;
let daemon: SpawnedDaemon | undefined;

beforeAll(async () => {
  home = tempDir('outpost-e2e-reconnect-');
  // An admin exists, so the daemon is past first-start setup and shows the login page.
  await createUser(home, 'vera', 'admin');
  daemon = await spawnDaemon({ home });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (daemon) await stopDaemon(daemon);
  rmSync(home, { recursive: true, force: true });
});

describe('after the daemon restarts', () => {
  it('the Overview and the kiosk are live again by themselves, soon after it is back', async () => {
    const first = daemon!;
    const page = await browser.newPage();
    await loginViaForm(page, first.url, 'vera', TEST_PASSWORD);
    const indicator = page.getByTestId('connection');
    await expect.poll(() => indicator.getAttribute('data-status'), { timeout: 15_000 }).toBe('live');
    const kiosk = await browser.newPage({ width: 800, height: 480 });
    await kiosk.goto(`${first.kioskUrl}kiosk`);
    const verdict = kiosk.getByTestId('kiosk-status');
    await expect.poll(async () => ['ok', 'warning', 'critical'].includes((await verdict.getAttribute('data-status')) ?? ''), { timeout: 15_000 }).toBe(true);

    expect(await stopDaemon(first)).toBe(0);
    await expect.poll(() => indicator.getAttribute('data-status'), { timeout: 10_000 }).not.toBe('live');
    await expect.poll(() => verdict.getAttribute('data-status'), { timeout: 10_000 }).toBe('stale');
    await page.waitForTimeout(10_000);

    daemon = await spawnDaemon({ home, port: first.port, kioskPort: first.kioskPort ?? 0 });
    const back = Date.now();
    await expect.poll(() => indicator.getAttribute('data-status'), { timeout: 3000, interval: 50 }).toBe('live');
    const overviewMs = Date.now() - back;
    await expect.poll(() => verdict.getAttribute('data-status'), { timeout: 3000, interval: 50 }).not.toBe('stale');
    const kioskMs = Date.now() - back;
    // The measured delays go to the test output (they are not asserted beyond the deadline).
    console.log(`reconnected after the daemon came back: Overview ${overviewMs} ms, kiosk ${kioskMs} ms`);
    expect(await page.getByTestId('health-status').getAttribute('data-status')).not.toBe('waiting');
    await page.context().close();
    await kiosk.context().close();
  }, 90_000);
});
