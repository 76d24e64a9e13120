// The log viewer and the LocalUI's words when something is wrong, in Chromium on the demo box:
// search matches marked and counted, timestamps on request, the previous container's log offered
// only when there was one, "no log yet" for a container that never started, a clear page for a
// hand-typed address, plain sentences (no client dumps, no "fetch failed") while the Kubernetes API is
// down, and a login notice that says why the session ended and is gone after the next login.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { tempDir } from '../helpers/daemon.ts';
import { launchBrowser, screenshot, type BrowserSession } from './harness.ts';
import { expectCleanScreen, RAW_INTERNALS } from './sweep-kit.ts';

let browser: BrowserSession;
let demo: Demo;
let home: string;

beforeAll(async () => {
  home = tempDir('outpost-e2e-logs-');
  demo = await startDemo({
    home,
    settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' } },
    timing: { readyAfterMs: 300, backoffBaseMs: 1000, backoffMaxMs: 4000, terminationMs: 200 },
    logIntervalMs: 300,
  });
  await createUser(home, 'ada', 'admin');
  await createUser(home, 'otto', 'operator');
  await createUser(home, 'sam', 'viewer');
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  rmSync(home, { recursive: true, force: true });
});

const url = (path: string) => new URL(path, demo.daemon.url).toString();
const WAIT = { timeout: 20_000 };

async function loggedIn(username: string, size?: { width: number; height: number }, password = TEST_PASSWORD): Promise<Page> {
  const page = await browser.newPage(size);
  await page.goto(url('/'));
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('logout').waitFor();
  return page;
}

describe('the log viewer', () => {
  it('marks and counts search matches, shows only matching lines unless asked, and shows kubelet times on request', async () => {
    const page = await loggedIn('otto');
    await page.goto(url('/workloads/messaging/deployment/mqtt-broker'));
    const lines = page.locator('[data-testid="log-lines"] .line');
    await expect.poll(() => lines.count(), WAIT).toBeGreaterThan(3);
    await page.getByTestId('log-pause').click();
    const all = await lines.count();

    await page.getByTestId('log-search').fill('SEQ=');
    const status = page.getByTestId('log-matches');
    const said = (await status.textContent()) ?? '';
    const [, matches, inLines, of] = /^(\d+) match(?:es)? in (\d+) lines? of the last (\d+) lines?$/.exec(said.replace(/\s+/g, ' ').trim()) ?? [];
    expect(Number(of)).toBe(all);
    expect(await page.locator('[data-testid="log-lines"] mark').count()).toBe(Number(matches));
    expect(await lines.count()).toBe(Number(inLines));
    for (const text of await lines.allInnerTexts()) expect(text.toLowerCase()).toContain('seq=');
    expect(await page.locator('[data-testid="log-lines"] mark').first().textContent()).toBe('seq=');
    await screenshot(page, 'logs-search');

    await page.getByTestId('log-only-matching').uncheck();
    expect(await lines.count()).toBe(all);
    expect(await page.locator('[data-testid="log-lines"] mark').count()).toBe(Number(matches));

    await page.getByTestId('log-search').fill('no line says this');
    expect(await status.textContent()).toMatch(/^\s*No match\s+of the last/);

    await page.getByTestId('log-search').fill('');
    expect(await page.getByTestId('log-only-matching').count()).toBe(0);
    expect(await page.locator('[data-testid="log-lines"] time').count()).toBe(0);
    await page.getByTestId('log-times').check();
    const stamps = await page.locator('[data-testid="log-lines"] time').allInnerTexts();
    expect(stamps).toHaveLength(all);
    const stamped = page.locator('[data-testid="log-lines"] time[datetime]');
    const kubelet = await stamped.evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime')!)));
    expect(kubelet.length).toBeGreaterThan(0);
    for (const t of kubelet) expect(Math.abs(Date.now() - t)).toBeLessThan(10 * 60_000);
    await screenshot(page, 'logs-timestamps');
    await page.getByTestId('log-times').uncheck();
    expect(await page.locator('[data-testid="log-lines"] time').count()).toBe(0);
  }, 60_000);

  it('offers the previous container’s log only for a container that ran before', async () => {
    const page = await loggedIn('otto');
    await page.goto(url('/workloads/messaging/deployment/mqtt-broker'));
    await page.getByTestId('log-download').waitFor();
    expect(await page.getByTestId('log-download-previous').count(), 'mqtt-broker never restarted').toBe(0);
    await page.goto(url('/workloads/ingest/deployment/opcua-bridge'));
    await page.getByTestId('log-download-previous').waitFor(WAIT);
    await expectCleanScreen(page, 'crash-looping workload');
  }, 30_000);

  it('says a container that never started has no log yet, in words, with nothing to press that would fail', async () => {
    const page = await loggedIn('otto');
    await page.goto(url('/workloads/historian/deployment/report-exporter'));
    const error = page.getByTestId('log-error');
    await error.waitFor(WAIT);
    expect(await error.textContent()).toBe('No log yet: exporter has not started (ErrImageNeverPull). It appears here once the container runs.');
    for (const testid of ['log-download', 'log-download-previous', 'log-pause', 'log-search', 'log-times', 'log-lines']) {
      expect(await page.getByTestId(testid).count(), testid).toBe(0);
    }
    await expectCleanScreen(page, 'container that never started');
    await screenshot(page, 'logs-not-started');
  }, 30_000);
});

describe('plain words when something is wrong', () => {
  it('answers a hand-typed address that names no workload with a page that says so', async () => {
    const page = await loggedIn('otto');
    for (const [path, why] of [
      ['/workloads/nonsense', 'a workload address reads /workloads/namespace/kind/name'],
      ['/workloads/ingest/gadget/x', '“gadget” is not a kind of workload'],
      ['/workloads/ingest/deployment/Bad_Name', '“Bad_Name” cannot be a deployment name'],
      ['/workloads/ingest/deployment/no-such-thing', 'there is no deployment “no-such-thing” in namespace “ingest”'],
      ['/workloads/a/b/c/d', 'a workload address reads /workloads/namespace/kind/name'],
    ] as const) {
      await page.goto(url(path));
      const box = page.getByTestId('no-such-workload');
      await box.waitFor();
      expect(await box.textContent()).toContain(why);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('No such workload');
      await expectCleanScreen(page, path);
    }
    await screenshot(page, 'no-such-workload');
    await page.getByRole('link', { name: 'See every workload' }).click();
    await page.getByTestId('workload-row').first().waitFor();
  }, 30_000);

  it('keeps client dumps and “fetch failed” off the screen while the Kubernetes API is down', async () => {
    const page = await loggedIn('otto');
    await page.goto(url('/workloads/ingest/deployment/opcua-bridge'));
    await page.locator('[data-testid="log-lines"] .line').first().waitFor(WAIT);
    const list = await loggedIn('otto');
    await list.goto(url('/workloads'));
    await list.getByTestId('workload-row').first().waitFor();
    await demo.sim.stopServer();
    try {
      await list.getByTestId('cluster-state').waitFor(WAIT);
      await expect.poll(async () => (await list.getByTestId('cluster-state').textContent()) ?? '', WAIT).toMatch(/not answering|partly answering/);
      await expect.poll(async () => (await list.locator('body').innerText()).match(RAW_INTERNALS)?.[0] ?? 'clean', WAIT).toBe('clean');
      await screenshot(list, 'cluster-down-workloads');
      // The log pane says it in words too, once the stream notices.
      await page.getByTestId('log-error').waitFor(WAIT);
      const said = await page.getByTestId('log-error').textContent();
      expect(said).toMatch(/^Cannot read the log: the Kubernetes API server (does not answer|refuses connections)/);
      await expectCleanScreen(page, 'log pane with the API down');
      await expectCleanScreen(list, 'workloads with the API down');
      await screenshot(page, 'cluster-down-log');
    } finally {
      await demo.sim.startServer();
    }
    await expect.poll(() => list.getByTestId('cluster-state').count(), WAIT).toBe(0);
    await expect.poll(() => page.getByTestId('log-error').count(), WAIT).toBe(0);
  }, 90_000);

  it('says why a session ended on the login page, and not any more after the next login', async () => {
    const sam = await loggedIn('sam');
    const admin = await loggedIn('ada');
    await admin.goto(url('/settings'));
    const row = admin.locator('[data-testid="user-row"][data-user="sam"]');
    await row.getByTestId('user-disable').click();
    await admin.getByTestId('user-dialog-confirm-button').click();
    await expect.poll(() => row.textContent(), WAIT).toContain('disabled');

    const notice = sam.getByTestId('session-ended');
    await notice.waitFor(WAIT);
    expect(await notice.textContent()).toBe('Your session ended: user disabled. Log in again to continue.');
    await screenshot(sam, 'session-ended-notice');
    await row.getByTestId('user-enable').click();
    await expect.poll(() => row.textContent(), WAIT).toContain('enabled');

    // Sam changes their own password: the page says so and asks for the new one.
    await sam.getByTestId('login-username').fill('sam');
    await sam.getByTestId('login-password').fill(TEST_PASSWORD);
    await sam.getByTestId('login-submit').click();
    await sam.getByTestId('logout').waitFor();
    expect(await sam.getByTestId('session-ended').count()).toBe(0);
    await sam.goto(url('/settings'));
    await sam.getByTestId('password-current').fill(TEST_PASSWORD);
    await sam.getByTestId('password-new').fill('sams new long password');
    await sam.getByTestId('password-change').click();
    await notice.waitFor(WAIT);
    expect(await notice.textContent()).toContain('password changed');
    await sam.getByTestId('login-username').fill('sam');
    await sam.getByTestId('login-password').fill('sams new long password');
    await sam.getByTestId('login-submit').click();
    await sam.getByTestId('logout').waitFor();

    // A later logout says only that.
    await sam.getByTestId('logout').click();
    await notice.waitFor();
    expect(await notice.textContent()).toBe('Your session ended: logged out. Log in again to continue.');
  }, 60_000);
});
