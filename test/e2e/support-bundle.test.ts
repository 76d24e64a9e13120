// Settings → Support bundle in a real browser against the demo: an operator clicks the button, sees
// it prepare and finish, and gets the file; a clear error when one is already being made; a viewer
// has no such button.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { tempDir } from '../helpers/daemon.ts';
import { readBundle } from '../helpers/support-bundle.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';

let browser: BrowserSession;
let demo: Demo;
let home: string;

beforeAll(async () => {
  home = tempDir('outpost-e2e-support-');
  // A journal that takes a few seconds, as a busy device's does: long enough to see "Preparing…".
  const journalctl = path.join(home, 'journalctl');
  writeFileSync(journalctl, '#!/bin/sh\necho "box outpost[1]: first entry"\nsleep 4\necho "box outpost[1]: last entry"\n');
  chmodSync(journalctl, 0o755);
  demo = await startDemo({
    seams: { support: { journal: { command: journalctl } } },
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

async function openSettings(username: string) {
  const page = await browser.newPage();
  const problems = watchConsole(page);
  await loginViaForm(page, demo.daemon.url, username, TEST_PASSWORD);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  return { page, problems };
}

describe('support bundle in Settings', () => {
  it('lets an operator make one with a click and saves the file', async () => {
    const { page, problems } = await openSettings('otto');
    const panel = page.getByTestId('support-panel');
    await panel.waitFor();
    await screenshot(page, 'settings-support-bundle');
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await panel.getByTestId('support-make').click();
    const status = panel.getByTestId('support-status');
    // The device streams the bundle while it collects: first "Preparing…", then the bytes as they come.
    await panel.locator('[data-testid="support-status"]:is([data-phase="preparing"], [data-phase="downloading"])').waitFor();
    const progress = /Preparing… the device is collecting logs, health and cluster state|Collecting and downloading… \d+(\.\d)? (B|KB|MB) received so far/;
    expect(await status.textContent()).toMatch(progress);
    expect(await panel.getByTestId('support-make').isDisabled()).toBe(true);
    await screenshot(page, 'settings-support-bundle-preparing');
    const saved = await download;
    await panel.locator('[data-testid="support-status"][data-phase="ready"]').waitFor({ timeout: 60_000 });
    expect(await status.textContent()).toMatch(/Ready: outpost-support-[a-z0-9-]+-\d{8}T\d{6}Z\.tar\.gz \(\d+(\.\d)? KB\)/);
    expect(saved.suggestedFilename()).toMatch(/^outpost-support-[a-z0-9-]+-\d{8}T\d{6}Z\.tar\.gz$/);
    expect(await panel.getByTestId('support-make').isEnabled()).toBe(true);
    await screenshot(page, 'settings-support-bundle-ready');

    const bundle = await readBundle((await saved.path())!);
    expect(bundle.get('cluster/pods.jsonl')?.text).toContain('opcua-bridge');
    expect(bundle.get('logs/journal.log')?.text).toBe('box outpost[1]: first entry\nbox outpost[1]: last entry\n');
    expect(bundle.json<{ format: string }>('index.json').format).toBe('outpost.support-bundle.v1');
    expect(bundle.tar.toString('latin1').includes(demo.password)).toBe(false);
    expect(problems).toEqual([]);
  }, 120_000);

  it('says clearly why not when a bundle is already being made', async () => {
    const { page } = await openSettings('otto');
    await expect.poll(() => demo.daemon.support.busy, { timeout: 30_000 }).toBe(false);
    const cancel = new AbortController();
    // Another bundle is being made (by a colleague, or from USB) while this one is asked for.
    const other = demo.daemon.support.open(cancel.signal);
    other.stream.resume();
    try {
      expect(demo.daemon.support.busy).toBe(true);
      await page.getByTestId('support-make').click();
      const error = page.getByTestId('support-error');
      await error.waitFor();
      expect(await error.textContent()).toBe('Could not make the support bundle: a support bundle is being made right now; try again when it is done');
      expect(await error.getAttribute('role')).toBe('alert');
      await screenshot(page, 'settings-support-bundle-busy');
    } finally {
      cancel.abort(new Error('test done'));
      await other.done.catch(() => undefined);
    }
  }, 60_000);

  it('shows a viewer no support bundle button', async () => {
    const { page } = await openSettings('vera');
    await page.getByRole('heading', { name: 'Appearance' }).waitFor();
    expect(await page.getByTestId('support-panel').count()).toBe(0);
    expect(await page.getByTestId('support-make').count()).toBe(0);
  }, 30_000);
});
