// Every control on every LocalUI page (not the kiosk), pressed in Chromium as a viewer, an operator
// and an admin would, on the demo edge box; each press is read back from the screen. See sweep-kit.ts
// for how a control with no described effect, or disabled without a reason, fails the sweep.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import { createUser, login, TEST_PASSWORD } from '../helpers/auth.ts';
import { useContainerd, type TestContainerd } from '../helpers/containerd.ts';
import { startTestDaemon, tempDir } from '../helpers/daemon.ts';
import { launchBrowser, screenshot, watchConsole, type BrowserSession } from './harness.ts';
import { pageExpectations, shellExpectations, type Role } from './sweep-expectations.ts';
import { expectCleanScreen, findControls, sweepPage, type SweepReport } from './sweep-kit.ts';
import { installBundle, offerBundle, prepareUpgradeKit, type UpgradeKit } from './upgrade-kit.ts';

let browser: BrowserSession;
let demo: Demo;
let home: string;
let ctrd: TestContainerd;
let kit: UpgradeKit;
/** The Upgrades pages with something on them: a plan that can be applied, a blocked one, a rollback. */
const upgradePages: { path: string; ready: (page: Page) => Promise<unknown> }[] = [];
const IMAGES = 'registry.local/demo/plant-dashboard:';

beforeAll(async () => {
  home = tempDir('outpost-e2e-sweep-');
  ctrd = await useContainerd();
  await ctrd.removeImages(IMAGES);
  kit = await prepareUpgradeKit(home);
  demo = await startDemo({
    home,
    containerd: { socket: ctrd.socket, root: ctrd.root },
    settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, upgrade: { pollMs: 200, failingGraceSeconds: 1 } },
    timing: { readyAfterMs: 300, backoffBaseMs: 1000, backoffMaxMs: 4000, terminationMs: 200 },
    logIntervalMs: 300,
  });
  await demo.daemon.upgradesReady;
  // Two releases with history, a version to roll back to, an offer that can be applied and one that cannot.
  await installBundle(demo, kit.dashboard['1.0.0']);
  await installBundle(demo, kit.dashboard['1.1.0']);
  await installBundle(demo, await kit.small({ name: 'line-settings', version: '1.0.0', sequence: 1 }));
  const next = await offerBundle(demo, kit.dashboard['1.2.0']);
  const blocked = await offerBundle(demo, await kit.small({ name: 'blocked-notes', version: '1.0.0', sequence: 1, architecture: 'arm64' }));
  const plan = (p: Page) => p.getByTestId('plan-actions').waitFor({ timeout: 20_000 });
  upgradePages.push({ path: `/upgrades/bundles/${next.id}`, ready: plan }, { path: `/upgrades/bundles/${blocked.id}`, ready: plan }, { path: '/upgrades/releases/plant-dashboard/rollback', ready: plan });
  await createUser(home, 'ada', 'admin');
  await createUser(home, 'otto', 'operator');
  await createUser(home, 'vera', 'viewer');
  await createUser(home, 'sam', 'viewer');
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

async function logIn(page: Page, username: string, password = TEST_PASSWORD): Promise<void> {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('logout').waitFor();
}

/** Opens `path` logged in as `username` (logging in again when a press logged out), and waits for `ready`. */
function opener(page: Page, username: string, path: string, ready: () => Promise<unknown>): () => Promise<void> {
  return async () => {
    await page.goto(url(path));
    const first = await Promise.race([page.getByTestId('logout').waitFor().then(() => 'in'), page.getByTestId('login-username').waitFor().then(() => 'out')]);
    if (first === 'out') {
      await logIn(page, username);
      await page.goto(url(path));
    }
    await ready();
  };
}

const PAGES: { path: string; ready: (page: Page, role: Role) => Promise<unknown> }[] = [
  { path: '/', ready: (p) => p.getByTestId('health-cpu').waitFor() },
  { path: '/workloads', ready: (p) => p.getByTestId('workload-row').first().waitFor() },
  { path: '/workloads/ingest/deployment/opcua-bridge', ready: (p) => p.locator('[data-testid="log-lines"] .line').first().waitFor({ timeout: 20_000 }) },
  { path: '/workloads/historian/deployment/report-exporter', ready: (p) => p.getByTestId('log-error').waitFor({ timeout: 20_000 }) },
  { path: '/workloads/ingest/gadget/x', ready: (p) => p.getByTestId('no-such-workload').waitFor() },
  { path: '/upgrades', ready: (p) => p.getByTestId('history-details').first().waitFor({ timeout: 20_000 }) },
  { path: '/no-such-page', ready: (p) => p.getByRole('heading', { level: 1, name: 'Not found' }).waitFor() },
  { path: '/audit', ready: (p, role) => (role === 'admin' ? p.getByTestId('audit-table').waitFor() : p.getByText('The audit log is for admins').waitFor()) },
  { path: '/settings', ready: (p, role) => (role === 'admin' ? p.getByTestId('user-row').first().waitFor() : p.getByTestId('password-panel').waitFor()) },
];

const USERS: Record<Role, string> = { viewer: 'vera', operator: 'otto', admin: 'ada' };

describe('every control on every page, pressed as a user', () => {
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    it(`does what it says for ${role === 'viewer' ? 'a' : 'an'} ${role}`, async () => {
      const page = await browser.newPage();
      const problems = watchConsole(page);
      const username = USERS[role];
      const reports: Record<string, SweepReport> = {};
      const expectations = pageExpectations(role);
      for (const { path, ready } of [...PAGES, ...upgradePages]) {
        const open = opener(page, username, path, () => ready(page, role));
        reports[path] = await sweepPage({ page, open, scope: 'main', expectations, where: `${role} on ${path}` });
        await open();
        await screenshot(page, `sweep-${role}${path.replace(/\//g, '-').replace(/[0-9a-f]{16}/, (id) => id.slice(0, 6)) || '-overview'}`);
      }
      const shell = opener(page, username, '/upgrades', () => page.getByTestId('releases').waitFor());
      reports.shell = await sweepPage({ page, open: shell, scope: 'header', expectations: shellExpectations(role), where: `${role} in the top bar` });

      // What each role may do is on screen for that role only.
      const workloads = reports['/workloads']!.pressed.join(' ');
      const detail = reports['/workloads/ingest/deployment/opcua-bridge']!.pressed.join(' ');
      if (role === 'viewer') expect(`${workloads} ${detail}`).not.toMatch(/\brestart#/);
      else expect(workloads).toMatch(/\brestart#5/);
      expect(reports.shell!.pressed.some((p) => p.startsWith('a:Audit'))).toBe(role === 'admin');
      expect(reports['/settings']!.pressed.some((p) => p.startsWith('user-'))).toBe(role === 'admin');
      expect(reports['/workloads/ingest/deployment/opcua-bridge']!.pressed).toEqual(
        expect.arrayContaining(['log-download#0', 'log-download-previous#0', 'log-times#0', 'log-pause#0', 'container-log#0']),
      );
      expect(reports['/workloads/historian/deployment/report-exporter']!.pressed.join(' ')).not.toMatch(/log-download/);
      // Upgrades: apply and delete for operators, roll back for admins, none of it for a viewer.
      const upgrades = Object.entries(reports)
        .filter(([path]) => path.startsWith('/upgrades'))
        .flatMap(([path, r]) => r.pressed.map((p) => `${path} ${p}`))
        .join('\n');
      expect(upgrades).toMatch(/^\/upgrades show-plan#1/m);
      expect(upgrades).toMatch(/^\/upgrades history-details#2/m);
      expect(upgrades).toMatch(/^\/upgrades history-release#0/m);
      for (const control of ['a:← Upgrades#0', 'plan-recheck#0', 'plan-unchanged-toggle#0']) expect(upgrades).toMatch(new RegExp(`^/upgrades/bundles/\\S+ ${control}`, 'm'));
      expect(upgrades.includes('bundle-delete#')).toBe(role !== 'viewer');
      expect(upgrades.includes('rollback-plan#0')).toBe(role === 'admin');
      expect(/^\/upgrades\/bundles\/\S+ apply#0/m.test(upgrades), 'apply on a bundle’s plan').toBe(role !== 'viewer');
      expect(/^\/upgrades\/releases\/\S+ apply#0/m.test(upgrades), 'apply on a rollback plan').toBe(role === 'admin');
      expect(reports['/settings']!.pressed.includes('support-make#0')).toBe(role !== 'viewer');
      expect(problems.filter((p) => !/status of (400|401|404)/.test(p))).toEqual([]);
    }, 600_000);
  }

  it('pages back through older audit records', async () => {
    // More than a page (100) of records: role changes (cheap; a login costs a second by design).
    const admin = await login(demo.daemon.url, 'ada');
    for (let i = 0; i < 106; i += 1) {
      const body = JSON.stringify({ role: i % 2 === 0 ? 'operator' : 'viewer' });
      const res = await fetch(new URL('/api/v1/users/sam', demo.daemon.url), { method: 'PATCH', headers: admin.headers(), body });
      expect(res.status).toBe(200);
    }
    const page = await browser.newPage();
    const open = opener(page, 'ada', '/audit', () => page.getByTestId('audit-older').waitFor());
    const report = await sweepPage({ page, open, scope: 'main', expectations: pageExpectations('admin'), where: 'admin on /audit with many records' });
    expect(report.pressed).toContain('audit-older#0');
  }, 120_000);

  it('pages back through older upgrades', async () => {
    // More than a page (20) of upgrades: small releases whose gate has no workload to wait for.
    for (let v = 2; v <= 21; v += 1) await installBundle(demo, await kit.small({ name: 'line-settings', version: `1.0.${v}`, sequence: v }));
    const page = await browser.newPage();
    const open = opener(page, 'vera', '/upgrades', () => page.getByTestId('history-older').waitFor({ timeout: 20_000 }));
    const report = await sweepPage({ page, open, scope: '[data-testid="history-pager"]', expectations: pageExpectations('viewer'), where: 'viewer on /upgrades with many upgrades' });
    expect(report.pressed).toEqual(['history-older#0']);
  }, 180_000);

  it('opens the menu on a phone, says who is logged in, and reaches every page from it', async () => {
    const page = await browser.newPage({ width: 390, height: 844 });
    const load = opener(page, 'otto', '/upgrades', () => page.getByTestId('releases').waitFor());
    const open = async () => {
      await load();
      expect(await page.getByTestId('who').isVisible(), 'no room for the name in the bar').toBe(false);
      await page.getByTestId('menu').click();
    };
    const report = await sweepPage({ page, open, scope: 'header', expectations: shellExpectations('operator', { phone: true }), where: 'operator on a phone' });
    expect(report.pressed).toEqual(expect.arrayContaining(['menu#0', 'a:Workloads#0', 'a:Settings#0', 'logout#0']));
    await open();
    await screenshot(page, 'sweep-phone-menu');
  }, 120_000);
});

describe('pages before the shell', () => {
  it('log in: the button says why it waits, a wrong password is said once, the right one gets in', async () => {
    const page = await browser.newPage();
    await page.goto(url('/'));
    await page.getByTestId('login-username').waitFor();
    const controls = await findControls(page, 'body');
    expect(controls.map((c) => c.key)).toEqual(['login-submit']);
    expect(controls[0]).toMatchObject({ disabled: true, reason: 'Enter your username and password first' });
    await page.getByTestId('login-username').fill('vera');
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await expectCleanScreen(page, 'login after a wrong password');
    await logIn(page, 'vera');
    expect(await page.getByTestId('who').textContent()).toContain('vera');
  });

  it('a device that does not answer says so, and “try again” gets through once it does', async () => {
    const page = await browser.newPage();
    await page.route('**/api/v1/session', (route) => route.abort('connectionrefused'));
    await page.goto(url('/'));
    await page.getByText('The device does not answer').waitFor();
    const controls = await findControls(page, 'body');
    expect(controls.map((c) => c.key)).toEqual(['button:try again']);
    await expectCleanScreen(page, 'unreachable');
    await page.unroute('**/api/v1/session');
    await page.getByRole('button', { name: 'try again' }).click();
    await page.getByTestId('login-username').waitFor();
  });

  it('set up: each problem shows once at its field, then the first admin is made and logged in', async () => {
    const d = await startTestDaemon();
    try {
      const page = await browser.newPage();
      await page.goto(d.url);
      await page.getByTestId('setup-code').waitFor();
      const controls = await findControls(page, 'body');
      expect(controls.map((c) => c.key)).toEqual(['setup-submit']);
      expect(controls[0]?.reason).toMatch(/setup code/);
      await page.getByTestId('setup-code').fill('AAAA-BBBB-CCCC');
      await page.getByTestId('setup-username').fill('chief');
      await page.getByTestId('setup-password').fill('short');
      await page.getByTestId('setup-confirm').fill('short');
      await page.getByTestId('setup-submit').click();
      await page.getByText(/setup code is not right/).waitFor();
      await expectCleanScreen(page, 'setup with a wrong code');
      // The code as the device's log prints it.
      const code = d.setupCode;
      expect(code).not.toBeNull();
      await page.getByTestId('setup-code').fill(code!);
      await page.getByTestId('setup-submit').click();
      await page.getByText('a password needs at least 10 characters').waitFor();
      expect((await page.locator('body').innerText()).match(/a password needs at least 10 characters/g)).toHaveLength(1);
      await page.getByTestId('setup-password').fill('a long admin password');
      await page.getByTestId('setup-confirm').fill('a long admin password!');
      await page.getByTestId('setup-submit').click();
      await page.getByText('the two passwords differ').waitFor();
      await page.getByTestId('setup-confirm').fill('a long admin password');
      await page.getByTestId('setup-submit').click();
      await page.getByTestId('logout').waitFor();
      await screenshot(page, 'sweep-setup-done');
    } finally {
      await d.stop();
    }
  });
});
