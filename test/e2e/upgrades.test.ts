// The Upgrades page in a real browser against the demo box with a real containerd: an operator reads
// the plan of an offered bundle, applies it after a confirmation naming release and versions, and
// sees it committed; a crash-looping version is rolled back visibly, with the failing pod's reason,
// and the page still shows the running upgrade after a reload. Bundles are offered through the
// agent (uploads and USB sticks are a later issue); everything after that is clicks.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, loadSigningKey } from '../../daemon/src/bundles/index.ts';
import { writeDemoBundleKit } from '../../scripts/demo-bundles.ts';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { useContainerd, type TestContainerd } from '../helpers/containerd.ts';
import { tempDir } from '../helpers/daemon.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';

let browser: BrowserSession;
let demo: Demo;
let ctrd: TestContainerd;
let home: string;
const bundles: Record<string, string> = {};
const setup = { name: 'e2e', role: 'admin', address: 'local' };

beforeAll(async () => {
  home = tempDir('outpost-e2e-upgrades-');
  ctrd = await useContainerd();
  await ctrd.removeImages('registry.local/demo/plant-dashboard:');
  const kit = await writeDemoBundleKit(home);
  const key = await loadSigningKey(kit.keyPath);
  for (const source of kit.sources) {
    const yaml = path.join(source.dir, 'bundle.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('health-stability-seconds: "10"', 'health-stability-seconds: "1.5"'));
    bundles[source.version] = path.join(home, `dashboard-${source.version}.outpost`);
    await buildBundle({ from: source.dir, keys: [key], out: bundles[source.version] as string });
  }
  demo = await startDemo({
    home,
    containerd: { socket: ctrd.socket, root: ctrd.root },
    settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, cluster: { stabilitySeconds: 2 }, upgrade: { pollMs: 200, failingGraceSeconds: 1, timeoutSeconds: 60 } },
    timing: { readyAfterMs: 300, runMs: 400, backoffBaseMs: 1000, backoffMaxMs: 4000, terminationMs: 200 },
  });
  await demo.daemon.upgradesReady;
  await createUser(home, 'otto', 'operator');
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await ctrd?.removeImages('registry.local/demo/plant-dashboard:').catch(() => undefined);
  await ctrd?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('upgrades page', () => {
  it('shows the plan of an offered bundle, applies it after a confirmation, and shows it committed', async () => {
    await demo.daemon.upgrades.offerBundle(setup, { path: bundles['1.0.0'] as string, source: 'cli' });
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await loginViaForm(page, demo.daemon.url, 'otto', TEST_PASSWORD);
    await page.goto(new URL('/upgrades', demo.daemon.url).toString());
    await page.locator('[data-bundle="plant-dashboard@1.0.0"]').getByTestId('show-plan').click();
    const plan = page.getByTestId('plan');
    await expect.poll(async () => (await plan.textContent()) ?? '', { timeout: 20_000 }).toContain('plant-dashboard: (nothing installed) → 1.0.0');
    expect(await page.getByTestId('plan-objects').textContent()).toMatch(/Deployment\s*dashboard\/plant-dashboard/);
    expect(await page.getByTestId('plan-notes').textContent()).toContain('# Plant dashboard 1.0.0');
    await screenshot(page, 'upgrades-plan');
    await page.getByTestId('apply').click();
    const dialog = page.getByTestId('upgrade-dialog');
    await expect.poll(async () => (await dialog.textContent()) ?? '').toContain('Apply plant-dashboard (nothing installed) → 1.0.0?');
    await dialog.getByTestId('upgrade-confirm').click();
    await page.getByTestId('upgrade-progress').waitFor({ timeout: 20_000 });
    await screenshot(page, 'upgrades-progress');
    await page.locator('[data-testid="upgrade-outcome"][data-outcome="committed"]').waitFor({ timeout: 60_000 });
    await expect.poll(async () => (await page.locator('[data-release="plant-dashboard"]').textContent()) ?? '', { timeout: 20_000 }).toMatch(/1\.0\.0[\s\S]*installed[\s\S]*ok/);
    await screenshot(page, 'upgrades-committed');
    expect(problems).toEqual([]);
  }, 120_000);

  it('rolls a crash-looping version back visibly, with the failing pod’s reason, also after a reload', async () => {
    await demo.daemon.upgrades.offerBundle(setup, { path: bundles['1.2.0'] as string, source: 'cli' });
    const page = await browser.newPage();
    await loginViaForm(page, demo.daemon.url, 'otto', TEST_PASSWORD);
    await page.goto(new URL('/upgrades', demo.daemon.url).toString());
    await page.locator('[data-bundle="plant-dashboard@1.2.0"]').getByTestId('show-plan').click();
    await expect.poll(async () => (await page.getByTestId('plan').textContent()) ?? '', { timeout: 20_000 }).toMatch(/containers\[dashboard\]\.image: registry\.local\/demo\/plant-dashboard:1\.0\.0 → registry\.local\/demo\/plant-dashboard:1\.2\.0/);
    await page.getByTestId('apply').click();
    await page.getByTestId('upgrade-dialog').getByTestId('upgrade-confirm').click();
    await page.getByTestId('upgrade-progress').waitFor({ timeout: 20_000 });
    await page.reload();
    await page.locator('[data-testid="upgrade-progress"], [data-testid="upgrade-outcome"][data-outcome="rolled_back"]').first().waitFor({ timeout: 20_000 });
    const outcome = page.locator('[data-testid="upgrade-outcome"][data-outcome="rolled_back"]');
    await outcome.waitFor({ timeout: 90_000 });
    expect(await outcome.textContent()).toMatch(/Rolled back: plant-dashboard 1\.0\.0 → 1\.2\.0[\s\S]*upgrade\.gate_failed[\s\S]*(CrashLoopBackOff|Error)/);
    await screenshot(page, 'upgrades-rolled-back');
    expect(await page.locator('[data-release="plant-dashboard"]').textContent()).toMatch(/1\.0\.0[\s\S]*rolled back \(upgrade\.gate_failed\)/);
  }, 150_000);
});
