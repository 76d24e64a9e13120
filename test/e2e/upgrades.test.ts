// The Upgrades page and the kiosk in a real browser against the demo box with a real containerd, as
// users: an operator installs a good bundle by clicking and watches it to "committed" and a healthy
// release; the next upgrade's progress survives a reload; a crash-looping version is rolled back
// visibly (the failing pod's reason and log lines on the page, the outcome on the kiosk, the device
// verdict naming it); an admin rolls the release back after reading its plan; a viewer can read
// everything and change nothing; hostile release notes stay text and load nothing; a blocked plan
// says why it cannot be applied; an operator deletes an offer. Bundles are offered through the agent
// (the upload and USB sources are their own tests); everything after that is clicks.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';
import { useContainerd, type TestContainerd } from '../helpers/containerd.ts';
import { tempDir } from '../helpers/daemon.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';
import { overflow, textSizes } from './kiosk-measure.ts';
import { offerBundle, prepareUpgradeKit, type UpgradeKit } from './upgrade-kit.ts';

let browser: BrowserSession;
let demo: Demo;
let ctrd: TestContainerd;
let home: string;
let kit: UpgradeKit;
const IMAGES = 'registry.local/demo/plant-dashboard:';
const BIG_IMAGES = 'registry.local/e2e/';

beforeAll(async () => {
  home = tempDir('outpost-e2e-upgrades-');
  ctrd = await useContainerd();
  await ctrd.removeImages(IMAGES);
  await ctrd.removeImages(BIG_IMAGES);
  // 1.1.0 settles over 6 s: long enough to reload the page in the middle of its health gate.
  kit = await prepareUpgradeKit(home, { '1.1.0': '6' });
  demo = await startDemo({
    home,
    containerd: { socket: ctrd.socket, root: ctrd.root },
    settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, cluster: { stabilitySeconds: 2 }, upgrade: { pollMs: 200, failingGraceSeconds: 1, timeoutSeconds: 60 } },
    timing: { readyAfterMs: 300, runMs: 400, backoffBaseMs: 1000, backoffMaxMs: 4000, terminationMs: 200 },
  });
  await demo.daemon.upgradesReady;
  await createUser(home, 'otto', 'operator');
  await createUser(home, 'ada', 'admin');
  await createUser(home, 'vera', 'viewer');
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await ctrd?.removeImages(IMAGES).catch(() => undefined);
  await ctrd?.removeImages(BIG_IMAGES).catch(() => undefined);
  await ctrd?.stop();
  rmSync(home, { recursive: true, force: true });
});

const url = (path: string) => new URL(path, demo.daemon.url).toString();
const text = async (page: Page, testid: string) => ((await page.getByTestId(testid).first().textContent()) ?? '').replace(/\s+/g, ' ');

async function asUser(username: string, size?: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage(size);
  const problems = watchConsole(page);
  await loginViaForm(page, demo.daemon.url, username, TEST_PASSWORD);
  return { page, problems };
}

async function kiosk(width: number, height: number): Promise<Page> {
  const page = await browser.newPage({ width, height });
  await page.goto(new URL('/kiosk', demo.daemon.kioskUrl!).toString());
  await page.locator('[data-testid="connection"][data-status="live"]').waitFor({ timeout: 20_000 });
  return page;
}

/** From the list, opens the plan of the offered bundle `name@version` by clicking its link. */
async function openPlan(page: Page, bundle: string): Promise<void> {
  await page.goto(url('/upgrades'));
  await page.locator(`[data-bundle="${bundle}"]`).getByTestId('show-plan').click();
  await page.waitForURL(/\/upgrades\/bundles\/[0-9a-f]{16}$/);
  await page.getByTestId('plan').waitFor({ timeout: 20_000 });
}

/** Clicks Apply, checks the question names release and both versions, confirms, and lands on the list. */
async function applyFromPlan(page: Page, question: string): Promise<void> {
  await page.getByTestId('apply').click();
  const dialog = page.getByTestId('upgrade-dialog');
  await expect.poll(async () => (await dialog.isVisible()) && ((await dialog.textContent()) ?? '')).toContain(question);
  await dialog.getByTestId('upgrade-dialog-confirm').click();
  await page.waitForURL((u) => u.pathname === '/upgrades');
}

/**
 * Waits until the page's progress shows one of `phases`. The gate may take up to its own timeout
 * (60 s here) before it fails and the rollback starts, so the deadline covers that; when it passes,
 * the error says which phases the page showed and where the device's upgrade stood, so a failure in
 * CI can be read without the run at hand.
 */
async function waitForPhase(page: Page, phases: string[], timeoutMs: number): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { phasesSeen?: string[] };
    if (w.phasesSeen) return;
    const seen: string[] = (w.phasesSeen = []);
    const note = () => {
      const el = document.querySelector('[data-testid="upgrade-progress"], [data-testid="upgrade-outcome"]');
      const now = el ? `${el.getAttribute('data-testid')}:${el.getAttribute('data-phase') ?? el.getAttribute('data-outcome')}` : 'none';
      if (seen.at(-1) !== now) seen.push(now);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase', 'data-outcome'] });
  });
  const selector = phases.map((p) => `[data-testid="upgrade-progress"][data-phase="${p}"]`).join(', ');
  try {
    await page.locator(selector).waitFor({ timeout: timeoutMs });
  } catch (error) {
    const seen = await page.evaluate(() => (window as unknown as { phasesSeen?: string[] }).phasesSeen ?? []);
    const current = await demo.daemon.upgrades.currentUpgrade();
    const [last] = await demo.daemon.upgrades.upgradeHistory({ limit: 1 });
    throw new Error(
      `no ${phases.join('/')} phase on the page within ${timeoutMs} ms; the page showed: ${seen.join(' → ')}; ` +
        `the device: running ${current ? `${current.release} ${current.phase}` : 'nothing'}, last ${last ? `${last.release} ${last.toVersion} ${last.outcome ?? 'running'} ${last.code ?? ''} ${last.message ?? ''}` : 'none'}`,
      { cause: error },
    );
  }
}

/** Reads the percent on the page until the outcome shows; returns every value seen. */
async function watchPercent(page: Page, outcome: string, timeoutMs: number): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + timeoutMs;
  const done = page.locator(`[data-testid="upgrade-outcome"][data-outcome="${outcome}"]`);
  while (!(await done.isVisible())) {
    if (Date.now() > deadline) throw new Error(`no ${outcome} outcome within ${timeoutMs} ms; percents seen: ${seen.join(', ')}`);
    const shown = await page.getByTestId('upgrade-percent').textContent({ timeout: 200 }).catch(() => null);
    if (shown) seen.push(Number(/(\d+) %/.exec(shown)?.[1]));
    await page.waitForTimeout(100);
  }
  return seen;
}

describe('upgrades in the browser', () => {
  it('an operator installs a good bundle by clicking, watches its progress, and sees it committed and the release healthy', async () => {
    await offerBundle(demo, kit.dashboard['1.0.0']);
    const screen = await kiosk(800, 480);
    const { page, problems } = await asUser('otto');
    await page.goto(url('/upgrades'));
    const row = page.locator('[data-bundle="plant-dashboard@1.0.0"]');
    expect(await row.getByTestId('bundle-source').textContent()).toContain('command line');
    expect(await row.getByTestId('bundle-blockers').getAttribute('data-count')).toBe('0');
    await openPlan(page, 'plant-dashboard@1.0.0');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Plan: plant-dashboard (nothing installed) → 1.0.0');
    // The plan on one screen: checks, the object diff, images and disk, the notes rendered.
    for (const check of ['Sequence', 'Expires', 'Architecture', 'Kubernetes', 'Outpost']) {
      expect(await page.locator(`[data-check="${check}"] .badge`).textContent(), check).toBe('ok');
    }
    expect(await text(page, 'plan-checks')).toMatch(/Signed by key [0-9a-f]{32}/);
    expect(await page.locator('[data-testid="plan-objects"] [data-object="Deployment dashboard/plant-dashboard"]').getAttribute('data-change')).toBe('added');
    expect(await text(page, 'plan-images')).toMatch(/registry\.local\/demo\/plant-dashboard:1\.0\.0.*to import/);
    expect(await page.getByTestId('plan-disk').getAttribute('data-ok')).toBe('true');
    const notes = page.getByTestId('plan-notes');
    expect(await notes.locator('h4').textContent()).toBe('Plant dashboard 1.0.0');
    expect(await notes.locator('li').first().textContent()).toContain('throughput');
    await screenshot(page, 'upgrades-plan');

    await applyFromPlan(page, 'Install plant-dashboard (nothing installed) → 1.0.0?');
    await page.getByTestId('upgrade-progress').waitFor({ timeout: 20_000 });
    expect(await text(page, 'upgrade-progress')).toContain('Installing plant-dashboard: (nothing) → 1.0.0');
    await screen.locator('[data-testid="kiosk-upgrade"][data-state="running"]').waitFor({ timeout: 20_000 });
    expect(await text(screen, 'kiosk-upgrade')).toMatch(/Installing plant-dashboard nothing → 1\.0\.0 .+ \d+ %/);
    // Large type across the room, and the verdict still on screen beside it.
    expect((await textSizes(screen)).filter((t) => t.px < 18)).toEqual([]);
    expect(await overflow(screen)).toEqual([]);
    expect(await screen.getByTestId('kiosk-status').isVisible()).toBe(true);
    await screenshot(screen, 'upgrades-kiosk-running');
    const percents = await watchPercent(page, 'committed', 60_000);
    expect(percents.length).toBeGreaterThan(0);
    expect([...percents].sort((a, b) => a - b), 'the percent only moves forward').toEqual(percents);

    expect(await text(page, 'upgrade-outcome')).toContain('Committed: plant-dashboard (nothing) → 1.0.0');
    const release = page.locator('[data-release="plant-dashboard"]');
    expect(await release.getByTestId('release-version').textContent()).toContain('1.0.0');
    expect(await release.getByTestId('release-status').textContent()).toContain('installed');
    // Healthy is the cluster's word, after its own stability window: wait for it, never assume it.
    await expect.poll(() => release.getByTestId('release-health').getAttribute('data-health'), { timeout: 20_000 }).toBe('ok');
    expect(await page.locator('[data-testid="history-outcome"]').first().getAttribute('data-outcome')).toBe('committed');
    expect(await page.locator('[data-bundle="plant-dashboard@1.0.0"]').count(), 'an applied bundle is no longer offered').toBe(0);
    await screen.locator('[data-testid="kiosk-upgrade"][data-outcome="committed"]').waitFor({ timeout: 10_000 });
    expect(await text(screen, 'kiosk-upgrade')).toContain('1.0.0 is installed and healthy.');
    expect((await textSizes(screen)).filter((t) => t.px < 18)).toEqual([]);
    expect(await overflow(screen)).toEqual([]);
    await screenshot(page, 'upgrades-committed');
    await screenshot(screen, 'upgrades-kiosk-committed');
    expect(problems).toEqual([]);
  }, 150_000);

  it('keeps showing the running upgrade after a reload, with each workload’s rollout and its stability countdown', async () => {
    await offerBundle(demo, kit.dashboard['1.1.0']);
    const { page, problems } = await asUser('otto');
    await openPlan(page, 'plant-dashboard@1.1.0');
    const deployment = page.locator('[data-object="Deployment dashboard/plant-dashboard"]');
    expect(await deployment.getAttribute('data-change')).toBe('changed');
    expect(await deployment.textContent()).toMatch(/containers\[dashboard\]\.image\s*registry\.local\/demo\/plant-dashboard:1\.0\.0 → registry\.local\/demo\/plant-dashboard:1\.1\.0/);
    expect(await deployment.textContent()).toMatch(/spec\.replicas\s*1 → 2/);
    await applyFromPlan(page, 'Apply plant-dashboard 1.0.0 → 1.1.0?');
    const countdown = page.locator('[data-testid="upgrade-workloads"] [data-workload="dashboard/deployment/plant-dashboard"] [data-testid="settle-countdown"]');
    await countdown.waitFor({ timeout: 30_000 });
    expect(await countdown.textContent()).toMatch(/settled in \d+ s unless a container restarts/);
    await page.reload();
    const progress = page.getByTestId('upgrade-progress');
    await progress.waitFor({ timeout: 10_000 });
    expect(await progress.getAttribute('data-phase')).toMatch(/gating|committing|pruning|cleanup/);
    expect(await text(page, 'upgrade-progress')).toContain('Upgrading plant-dashboard: 1.0.0 → 1.1.0');
    expect(await page.locator('[data-testid="upgrade-workloads"] [data-workload="dashboard/deployment/plant-dashboard"]').count()).toBe(1);
    await screenshot(page, 'upgrades-progress-after-reload');
    await page.locator('[data-testid="upgrade-outcome"][data-outcome="committed"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-release="plant-dashboard"]').getByTestId('release-version').textContent()).toContain('1.1.0');
    expect(problems).toEqual([]);
  }, 150_000);

  it('rolls a crash-looping version back visibly: the failing pod’s reason and log lines, the kiosk, the device verdict', async () => {
    await offerBundle(demo, kit.dashboard['1.2.0']);
    const screen = await kiosk(1024, 600);
    const { page, problems } = await asUser('otto');
    await openPlan(page, 'plant-dashboard@1.2.0');
    await applyFromPlan(page, 'Apply plant-dashboard 1.1.0 → 1.2.0?');
    await waitForPhase(page, ['rolling_back', 'rollback_gating'], 100_000);
    expect(await text(page, 'upgrade-progress')).toMatch(/Rolling back plant-dashboard: 1\.1\.0 → 1\.2\.0 1\.2\.0 did not take: restoring 1\.1\.0\./);
    await screenshot(page, 'upgrades-rolling-back');
    const outcome = page.locator('[data-testid="upgrade-outcome"][data-outcome="rolled_back"]');
    await outcome.waitFor({ timeout: 90_000 });
    const said = ((await outcome.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(said).toContain('Rolled back: plant-dashboard 1.1.0 → 1.2.0');
    expect(said).toContain('1.2.0 was NOT installed: plant-dashboard runs 1.1.0 again.');
    expect(said).toContain('upgrade.gate_failed');
    // Not dressed as a success: the warning tone, not the committed one.
    expect(await outcome.getAttribute('class')).toMatch(/\bwarn\b/);
    expect(await outcome.getAttribute('class')).not.toMatch(/\bok\b/);
    const first = outcome.getByTestId('failure-reasons').locator(':scope > li').first();
    expect(await first.textContent()).toMatch(/dashboard\/deployment\/plant-dashboard[\s\S]*pod plant-dashboard-[\s\S]*(CrashLoopBackOff|Error)[\s\S]*exit code 1/);
    expect(await first.getByTestId('failure-logs').textContent()).toContain('unrecoverable error');
    const release = page.locator('[data-release="plant-dashboard"]');
    expect(await release.getByTestId('release-version').textContent()).toContain('1.1.0');
    expect(await release.getByTestId('release-last').textContent()).toMatch(/rolled back[\s\S]*upgrade\.gate_failed/);
    await screenshot(page, 'upgrades-rolled-back');

    await screen.locator('[data-testid="kiosk-upgrade"][data-outcome="rolled_back"]').waitFor({ timeout: 10_000 });
    expect(await text(screen, 'kiosk-upgrade')).toContain('Rolled back: plant-dashboard 1.1.0 → 1.2.0 1.2.0 was NOT installed; 1.1.0 runs again.');
    await screenshot(screen, 'upgrades-kiosk-rolled-back');
    // The device verdict names it (Overview banner: every reason).
    await page.goto(url('/'));
    // While the rollback settles the reason reads "is rolling back"; then it names the outcome.
    const reason = page.locator('[data-testid="status-reason"][data-source="upgrade"]', { hasText: 'the upgrade of plant-dashboard was rolled back (running 1.1.0)' });
    await reason.waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
  }, 240_000);

  it('an admin rolls the release back to the previous version by clicking, after reading its plan', async () => {
    const { page, problems } = await asUser('ada');
    await page.goto(url('/upgrades'));
    const link = page.locator('[data-release="plant-dashboard"]').getByTestId('rollback-plan');
    expect(await link.textContent()).toContain('Roll back to 1.0.0…');
    await link.click();
    await page.waitForURL((u) => u.pathname === '/upgrades/releases/plant-dashboard/rollback');
    await page.getByTestId('plan').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Roll back: plant-dashboard 1.1.0 → 1.0.0');
    expect(await page.getByTestId('plan').getAttribute('data-kind')).toBe('rollback');
    expect(await page.locator('[data-object="Deployment dashboard/plant-dashboard"]').textContent()).toMatch(/spec\.replicas\s*2 → 1/);
    await screenshot(page, 'upgrades-rollback-plan');
    expect(await page.getByTestId('apply').textContent()).toContain('Roll back to 1.0.0…');
    await applyFromPlan(page, 'Roll back plant-dashboard 1.1.0 → 1.0.0?');
    const outcome = page.locator('[data-testid="upgrade-outcome"][data-outcome="committed"]');
    await outcome.waitFor({ timeout: 60_000 });
    expect(await text(page, 'upgrade-outcome')).toContain('Rollback committed: plant-dashboard 1.1.0 → 1.0.0');
    expect(await page.locator('[data-release="plant-dashboard"]').getByTestId('release-version').textContent()).toContain('1.0.0');
    await screenshot(page, 'upgrades-rollback-committed');
    expect(problems).toEqual([]);
  }, 120_000);

  it('shows the image import in bytes while it runs', async () => {
    await offerBundle(demo, await kit.small({ name: 'big-image', version: '1.0.0', sequence: 1, imageMiB: 24 }));
    const { page, problems } = await asUser('otto');
    await openPlan(page, 'big-image@1.0.0');
    expect(await text(page, 'plan-images')).toMatch(/registry\.local\/e2e\/big-image:1\.0\.0\s*\d+ MiB\s*linux\/amd64\s*to import/);
    // Every text the byte bar shows, as the page renders it (a mutation observer misses no render).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { bytesSeen: string[] }).bytesSeen = seen;
      new MutationObserver(() => {
        const t = document.querySelector('[data-testid="upgrade-bytes"]')?.textContent?.trim();
        if (t && seen.at(-1) !== t) seen.push(t);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await applyFromPlan(page, 'Install big-image (nothing installed) → 1.0.0?');
    await page.locator('[data-testid="upgrade-outcome"][data-outcome="committed"]').waitFor({ timeout: 90_000 });
    const seen = await page.evaluate(() => (window as unknown as { bytesSeen: string[] }).bytesSeen);
    expect(seen.length, 'the byte bar showed while the image imported').toBeGreaterThan(0);
    for (const line of seen) expect(line).toMatch(/^\d+(\.\d)? (B|KiB|MiB) of \d+ MiB imported$/);
    expect(problems).toEqual([]);
  }, 150_000);

  it('a viewer reads everything and can apply, delete and roll back nothing; an operator cannot roll back', async () => {
    await offerBundle(demo, await kit.small({ name: 'line-settings', version: '1.0.0', sequence: 1 }));
    const { page, problems } = await asUser('vera');
    await page.goto(url('/upgrades'));
    await page.locator('[data-bundle="line-settings@1.0.0"]').waitFor();
    expect(await page.getByTestId('bundle-delete').count()).toBe(0);
    expect(await page.getByTestId('rollback-plan').count()).toBe(0);
    expect(await text(page, 'bundles-role')).toContain('needs the operator role; you are logged in as viewer');
    await page.locator('[data-testid="history-details"]').first().click();
    await page.locator('[data-testid="history"] [data-testid="upgrade-outcome"]').waitFor();
    await openPlan(page, 'line-settings@1.0.0');
    expect(await page.getByTestId('plan').getAttribute('data-blocking')).toBe('0');
    expect(await page.getByTestId('apply').count()).toBe(0);
    expect(await text(page, 'apply-role')).toBe('Applying needs the operator role; you are logged in as viewer.');
    await screenshot(page, 'upgrades-viewer-plan');
    expect(problems).toEqual([]);

    const operator = await asUser('otto');
    await operator.page.goto(url('/upgrades/releases/plant-dashboard/rollback'));
    await operator.page.getByTestId('plan').waitFor({ timeout: 20_000 });
    expect(await operator.page.getByTestId('apply').count()).toBe(0);
    expect(await text(operator.page, 'apply-role')).toBe('Rolling back needs the admin role; you are logged in as operator.');
  }, 90_000);

  it('shows hostile release notes as text and loads nothing; a blocked plan says why it cannot be applied; an operator deletes the offer', async () => {
    const hostile = [
      '# Notes <script>window.pwned = 1</script>',
      '',
      '<img src="http://203.0.113.9/track.png" onerror="window.pwned = 2">',
      '',
      '![logo](http://203.0.113.9/logo.png) and [click me](javascript:window.pwned=3) and <a href="http://203.0.113.9/">raw</a>',
      '',
      '<iframe src="http://203.0.113.9/"></iframe><style>body { background: url(http://203.0.113.9/bg.png) }</style>',
      '',
      '**still Markdown** and `code`',
      '',
      'x'.repeat(120_000),
    ].join('\n');
    await offerBundle(demo, await kit.small({ name: 'notes-test', version: '1.0.0', sequence: 1, notes: hostile, architecture: 'arm64' }));
    const { page, problems } = await asUser('otto');
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).host !== new URL(demo.daemon.url).host) foreign.push(r.url());
    });
    await openPlan(page, 'notes-test@1.0.0');
    const notes = page.getByTestId('plan-notes');
    expect(await notes.locator('h4').textContent()).toBe('Notes <script>window.pwned = 1</script>');
    expect(await notes.textContent()).toContain('<img src="http://203.0.113.9/track.png" onerror="window.pwned = 2">');
    expect(await notes.textContent()).toContain('[image: logo]');
    expect(await notes.textContent()).toContain('click me (javascript:window.pwned=3)');
    expect(await notes.locator('strong').textContent()).toBe('still Markdown');
    expect(await notes.locator('script, img, a, iframe, style, object, embed, link').count()).toBe(0);
    expect(await notes.textContent()).toMatch(/more characters not shown/);
    await page.getByText('click me').click();
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(foreign).toEqual([]);

    // Blocked: the blockers come first, named and explained, and Apply says why it cannot be pressed.
    const blockers = page.getByTestId('plan-blockers');
    expect(await blockers.textContent()).toMatch(/1 blocking problem: this plan cannot be applied, nothing will change/);
    expect(await blockers.locator('[data-code="architecture_mismatch"]').textContent()).toMatch(/the bundle is for arm64, the node is amd64[\s\S]*another processor architecture/);
    const apply = page.getByTestId('apply');
    expect(await apply.isDisabled()).toBe(true);
    expect(await apply.getAttribute('title')).toMatch(/^1 blocking problem \(listed at the top\) must be fixed first/);
    expect(await text(page, 'apply-why')).toMatch(/^1 blocking problem/);
    await screenshot(page, 'upgrades-blocked-plan');

    await page.goto(url('/upgrades'));
    const row = page.locator('[data-bundle="notes-test@1.0.0"]');
    expect(await row.getByTestId('bundle-blockers').textContent()).toContain('1 blocking');
    await row.getByTestId('bundle-delete').click();
    const dialog = page.getByTestId('delete-dialog');
    await expect.poll(async () => (await dialog.isVisible()) && ((await dialog.textContent()) ?? '')).toContain('Delete the offered bundle notes-test 1.0.0?');
    await dialog.getByTestId('delete-dialog-confirm').click();
    await expect.poll(() => text(page, 'bundles-notice')).toBe('Deleted the offered bundle notes-test 1.0.0.');
    await expect.poll(() => row.count()).toBe(0);
    expect(problems).toEqual([]);
  }, 90_000);
});
