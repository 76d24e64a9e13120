// Bundles arriving, in a real browser: an operator picks a bundle on the Upgrades page, sees
// its bytes, the device's verdict, and opens its plan; a tampered bundle is refused with its code on
// the page; over a throttled link Pause, Resume and Cancel are clicked mid-transfer; a viewer has no
// upload panel. The kiosk tells the story of a real USB stick (a loop
// device, attached exactly as the unit does) in large type, ending with "You may remove the stick".
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBigBundle } from '../bench/big-bundle.ts';
import { writeTrust } from '../fixtures/bundle-forge/forge.ts';
import { KEY_A } from '../fixtures/bundle-forge/test-keys.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { loopDevicesUsable, makeStick, runUsb } from '../helpers/usb-sticks.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';

let dir: string;
let good: string;
let tampered: string;
let daemon: TestDaemon;
let browser: BrowserSession;
const loops = await loopDevicesUsable();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'outpost-e2e-uploads-'));
  const trust = await writeTrust(path.join(dir, 'trust'));
  good = path.join(dir, 'plant.outpost');
  await writeBigBundle(good, 24 * 1024 * 1024, KEY_A, 3);
  tampered = path.join(dir, 'tampered.outpost');
  const bytes = readFileSync(good);
  bytes[bytes.length - 4096]! ^= 0x01;
  writeFileSync(tampered, bytes);
  daemon = await startTestDaemon({ upgrade: { trustDir: trust }, containerd: { ctr: '/bin/false' }, usb: { policy: 'confirm' } });
  await createUser(daemon.home, 'otto', 'operator');
  await createUser(daemon.home, 'vera', 'viewer');
  await createUser(daemon.home, 'ada', 'admin'); // an admin exists: the page shows the login, not first-start setup
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the web process's upload spool holds (its default place under the daemon's home). */
const spooled = (): string[] => readdirSync(path.join(daemon.home, 'uploads'));

async function upgradesPage(username: string) {
  const page = await browser.newPage();
  const problems = watchConsole(page);
  await loginViaForm(page, daemon.url, username, TEST_PASSWORD);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Upgrades' }).click();
  await page.getByRole('heading', { name: 'Upgrades', level: 1 }).waitFor();
  return { page, problems };
}

describe('upload on the Upgrades page', () => {
  it('uploads a picked bundle, shows it offered, and opens its plan', async () => {
    const { page, problems } = await upgradesPage('otto');
    const panel = page.getByTestId('upload-panel');
    await panel.getByTestId('upload-file').setInputFiles(good);
    await panel.getByTestId('upload-offered').waitFor({ timeout: 60_000 });
    expect(await panel.getByTestId('upload-offered').textContent()).toContain('bench 1.0.0');
    await screenshot(page, 'upgrades-upload-offered');
    await panel.getByTestId('upload-plan').click();
    // The plan's own page, saying where the bundle came from, with Apply.
    await page.getByTestId('apply').waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/upgrades\/bundles\/[0-9a-f]{16}$/);
    await page.getByText('from a browser upload by otto').waitFor();
    await page.goBack();
    await page.getByTestId('offered').getByTestId('bundle-source').getByText('browser upload').waitFor();
    expect(problems).toEqual([]);
  });

  it('shows a tampered bundle refused with its code', async () => {
    const { page } = await upgradesPage('otto');
    const panel = page.getByTestId('upload-panel');
    await panel.getByTestId('upload-file').setInputFiles(tampered);
    await panel.getByTestId('upload-refused').waitFor({ timeout: 60_000 });
    expect(await panel.getByTestId('upload-code').textContent()).toBe('bundle.member_digest_mismatch');
    await screenshot(page, 'upgrades-upload-refused');
  });

  it('pauses, resumes and finishes an upload over a slow link, and cancels another, from the buttons', async () => {
    const { page, problems } = await upgradesPage('otto');
    // A slow cable: Chromium's own network throttling, so each click lands mid-transfer.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const throttle = (bytesPerSecond: number) =>
      cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
    await throttle(1.5 * 1024 * 1024);
    const panel = page.getByTestId('upload-panel');
    const status = panel.getByTestId('upload-status');
    const percentShown = async () => Number(/\((\d+) %\)/.exec((await status.textContent()) ?? '')?.[1] ?? NaN);

    await panel.getByTestId('upload-file').setInputFiles(good);
    await expect.poll(percentShown, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await status.textContent()).toMatch(/— [\d.]+ [kKMG]?B\/s, about \S+ left/); // rate and time left
    await panel.getByTestId('upload-pause').click();
    await expect.poll(async () => await status.textContent()).toContain('paused');
    const paused = await percentShown();
    expect(paused).toBeLessThan(100);
    await page.waitForTimeout(1500);
    expect(await percentShown()).toBe(paused); // nothing moves while paused
    await screenshot(page, 'upgrades-upload-paused');

    await panel.getByTestId('upload-resume').click();
    await expect.poll(async () => await status.textContent()).not.toContain('paused');
    await expect.poll(percentShown, { timeout: 30_000 }).toBeGreaterThan(paused);
    await throttle(-1);
    // Every byte arrived intact across the pause: the device verifies the signature and every digest.
    await panel.getByTestId('upload-offered').waitFor({ timeout: 60_000 });
    expect(await panel.getByTestId('upload-offered').textContent()).toContain('bench 1.0.0');

    // Cancel: the page goes back to picking a file and the device drops what it had received.
    await page.reload();
    await page.getByRole('heading', { name: 'Upgrades', level: 1 }).waitFor();
    await throttle(1.5 * 1024 * 1024);
    await panel.getByTestId('upload-file').setInputFiles(tampered);
    await expect.poll(percentShown, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => spooled().length).toBeGreaterThan(0);
    await panel.getByTestId('upload-cancel').click();
    await panel.getByTestId('upload-file').waitFor();
    expect(await panel.getByTestId('upload-refused').count()).toBe(0);
    await expect.poll(spooled, { timeout: 10_000 }).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('has no upload panel for a viewer', async () => {
    const { page } = await upgradesPage('vera');
    await page.getByText('Offered bundles').waitFor();
    expect(await page.getByTestId('upload-panel').count()).toBe(0);
  });
});

describe.skipIf(loops !== null)('a USB stick on the kiosk', () => {
  it('goes from stick found to the outcome and "You may remove the stick", in large type', async () => {
    const bundle = path.join(dir, 'stick.outpost');
    await writeBigBundle(bundle, 8 * 1024 * 1024, KEY_A, 2);
    const stick = await makeStick('ext4', 'KIOSKSTICK', { 'outpost/stick.outpost': { from: bundle } });
    try {
      const page = await browser.newPage();
      await page.setViewportSize({ width: 800, height: 480 });
      await page.goto(new URL('/kiosk', daemon.kioskUrl as string).href);
      await page.getByTestId('kiosk').waitFor();
      const attach = runUsb('attach', stick.device, daemon.home, path.join(dir, 'mnt'));
      await page.getByTestId('kiosk-usb').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('kiosk-usb').textContent()).toContain('KIOSKSTICK');
      expect((await attach).code).toBe(0);
      await page.getByTestId('kiosk-usb-remove').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('kiosk-usb-headline').textContent()).toContain('waiting for an operator');
      const size = await page.getByTestId('kiosk-usb-remove').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      expect(size).toBeGreaterThanOrEqual(30);
      await screenshot(page, 'kiosk-usb-remove');
      await runUsb('detach', stick.device, daemon.home, path.join(dir, 'mnt'));
      await page.getByTestId('kiosk-usb').waitFor({ state: 'detached', timeout: 30_000 });
    } finally {
      await stick.remove();
    }
  });
});
