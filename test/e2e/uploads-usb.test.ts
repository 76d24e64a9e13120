// Bundles arriving, in a real browser: an operator picks a bundle on the Upgrades page, sees
// its bytes, the device's verdict, and opens its plan; a tampered bundle is refused with its code on
// the page; a viewer has no upload panel. The kiosk tells the story of a real USB stick (a loop
// device, attached exactly as the unit does) in large type, ending with "You may remove the stick".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
