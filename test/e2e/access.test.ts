// Access in a real browser: first-start setup with the code from the kiosk screen, login, logout,
// a throttled login's message, and the kiosk on loopback showing how to connect.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, stopDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { AuditLog, FileAuditSigner } from '../../daemon/src/audit/index.ts';
import { agentStateDir } from '../../daemon/src/access.ts';
import { launchBrowser, loginViaForm, screenshot, watchConsole, type BrowserSession } from './harness.ts';

let session: BrowserSession;
const daemons: SpawnedDaemon[] = [];
const homes: string[] = [];

async function freshDaemon(args: string[] = []): Promise<SpawnedDaemon> {
  const home = tempDir();
  homes.push(home);
  const d = await spawnDaemon({ home, args });
  daemons.push(d);
  return d;
}

beforeAll(async () => {
  session = await launchBrowser();
});
afterAll(async () => {
  await session?.close();
  await Promise.all(daemons.map((d) => stopDaemon(d)));
  homes.forEach((h) => rmSync(h, { recursive: true, force: true }));
});

describe('access in the browser', () => {
  it('sets up the first admin with the code from the kiosk screen, then logs out and in', async () => {
    const d = await freshDaemon();
    const kiosk = await session.newPage({ width: 1024, height: 600 });
    await kiosk.goto(new URL('/kiosk', d.kioskUrl!).toString());
    const code = (await kiosk.getByTestId('kiosk-setup-code').locator('.code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    await screenshot(kiosk, 'kiosk-setup-code');

    const page = await session.newPage();
    const problems = watchConsole(page);
    await page.goto(d.url);
    await page.getByTestId('setup-code').fill(code);
    await page.getByTestId('setup-username').fill('chief');
    await page.getByTestId('setup-password').fill('a long admin password');
    await page.getByTestId('setup-confirm').fill('a long admin password');
    await screenshot(page, 'setup');
    await page.getByTestId('setup-submit').click();
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('who').textContent()).toContain('chief');
    await page.locator('[data-testid="connection"][data-status="live"]').waitFor();

    // The code is gone from the kiosk once used.
    await kiosk.reload();
    await kiosk.getByTestId('kiosk-connect').waitFor();
    expect(await kiosk.getByTestId('kiosk-setup-code').count()).toBe(0);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByTestId('audit-table').waitFor();
    expect(await page.getByTestId('audit-chain').textContent()).toContain('chain intact');
    expect(await page.getByTestId('audit-table').textContent()).toContain('setup.first_admin');
    await screenshot(page, 'audit');

    await page.getByTestId('logout').click();
    await page.getByTestId('session-ended').waitFor();
    expect(await page.getByTestId('session-ended').textContent()).toContain('logged out');
    await page.getByTestId('login-username').fill('chief');
    await page.getByTestId('login-password').fill('a long admin password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('who').waitFor();
    expect(problems.filter((p) => !/401|status of 4\d\d/.test(p))).toEqual([]);
  });

  it('keeps a logged-in user working across a reload and in a new tab, and logs both out together', async () => {
    const d = await freshDaemon();
    const { createUser } = await import('../helpers/auth.ts');
    await createUser(homes.at(-1)!, 'root', 'admin');
    const page = await session.newPage();
    const problems = watchConsole(page);
    await loginViaForm(page, d.url, 'root', 'correct horse battery');

    // A reload keeps the session: the cookie, and the token the page keeps in its own storage.
    await page.reload();
    await page.getByTestId('who').waitFor();
    await page.locator('[data-testid="connection"][data-status="live"]').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.getByTestId('audit-table').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^outpost-audit-.*\.jsonl$/);

    // A new tab of the same browser finds both too, and can change things (the token rides along).
    const tab = await page.context().newPage();
    await tab.goto(new URL('/settings', d.url).toString());
    await tab.getByTestId('who').waitFor();
    await tab.locator('[data-testid="connection"][data-status="live"]').waitFor();
    expect(await tab.getByTestId('who').textContent()).toContain('root');

    // What another service on this address would get from the browser, the cookie, is worth nothing alone.
    const [cookie] = await page.context().cookies(d.url);
    const stolen = await fetch(new URL('/api/v1/session', d.url), { headers: { cookie: `${cookie!.name}=${cookie!.value}` } });
    expect(await stolen.json()).toMatchObject({ authenticated: false, csrfToken: null });

    // Logging out in the tab ends the session in the first page as well.
    await tab.getByTestId('logout').click();
    await tab.getByTestId('login-username').waitFor();
    await page.getByTestId('login-username').waitFor();
    await screenshot(page, 'logged-out-in-other-tab');
    expect(problems.filter((p) => !/401|status of 4\d\d/.test(p))).toEqual([]);
  });

  it('pages through a long audit log with "Older records" until the first record', async () => {
    const home = tempDir();
    homes.push(home);
    // 250 records written before the daemon starts, by the same log and key it will use.
    const db = openDatabase(home);
    const log = new AuditLog(db, { signer: FileAuditSigner.open(agentStateDir(home), { create: true }) });
    log.appendAll(Array.from({ length: 250 }, (_, i) => ({ actor: 'tech', role: 'operator', address: '10.0.0.9', action: 'workload.restart', target: `plant/line-${i}`, outcome: 'success' as const })));
    db.close();
    const { createUser } = await import('../helpers/auth.ts');
    await createUser(home, 'root', 'admin');
    const d = await spawnDaemon({ home });
    daemons.push(d);

    const page = await session.newPage();
    await loginViaForm(page, d.url, 'root', 'correct horse battery');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    const rows = page.getByTestId('audit-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(100);
    expect(await page.getByTestId('audit-chain').textContent()).toMatch(/chain intact.*checked through record 25\d/s);
    await page.getByTestId('audit-older').click();
    await expect.poll(() => rows.count()).toBe(200);
    await page.getByTestId('audit-older').click();
    await expect.poll(() => rows.count()).toBe(251);
    expect(await page.getByTestId('audit-older').count()).toBe(0);
    const targets = await rows.locator('td:nth-child(5)').allTextContents();
    expect(new Set(targets).size).toBe(targets.length);
    expect(targets.at(-1)).toBe('plant/line-0');
    await screenshot(page, 'audit-paged');
  });

  it('shows the throttle message after repeated wrong passwords', async () => {
    const d = await freshDaemon();
    const page = await session.newPage();
    await page.goto(d.url);
    await page.getByTestId('setup-code').waitFor();
    // Setup is open on a fresh device; make a user from the CLI-equivalent helper instead.
    const { createUser } = await import('../helpers/auth.ts');
    await createUser(homes.at(-1)!, 'admin1', 'admin');
    await page.reload();
    for (let i = 0; i < 4; i += 1) {
      await page.getByTestId('login-username').fill('admin1');
      await page.getByTestId('login-password').fill(`wrong password ${i}`);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor();
    }
    await page.getByTestId('login-username').fill('admin1');
    await page.getByTestId('login-password').fill('wrong password again');
    await page.getByTestId('login-submit').click();
    await page.getByText(/too many failed logins/).waitFor();
    expect(await page.getByTestId('login-submit').isDisabled()).toBe(true);
    await screenshot(page, 'login-throttled');
  });

  it('shows on the kiosk, without a login, every address to connect to and the certificate fingerprint', async () => {
    const d = await freshDaemon(['--listen', '0.0.0.0']);
    const page = await session.newPage({ width: 1024, height: 600 });
    await page.goto(new URL('/kiosk', d.kioskUrl!).toString());
    await page.getByTestId('kiosk-fingerprint').waitFor();
    const fingerprint = (await page.getByTestId('kiosk-fingerprint').locator('.hex').textContent()) ?? '';
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const connect = (await page.getByTestId('kiosk-connect').textContent()) ?? '';
    expect(connect).toMatch(new RegExp(`https://[^\\s]+:${d.port}/`));
    expect(await page.getByTestId('login-username').count()).toBe(0);
    await screenshot(page, 'kiosk-connect');
  });

  it('fits status, numbers, setup code, addresses and fingerprint on an 800×480 kiosk without scrolling', async () => {
    const d = await freshDaemon(['--listen', '0.0.0.0']);
    const page = await session.newPage({ width: 800, height: 480 });
    await page.goto(new URL('/kiosk', d.kioskUrl!).toString());
    await page.getByTestId('kiosk-fingerprint').waitFor();
    await page.getByTestId('kiosk-setup-code').waitFor();
    await page.locator('[data-testid="kiosk-status"]:not([data-status="waiting"])').waitFor();
    const fits = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth <= window.innerWidth,
      height: document.documentElement.scrollHeight <= window.innerHeight,
    }));
    expect(fits).toEqual({ width: true, height: true });
    for (const id of ['kiosk-setup-code', 'kiosk-fingerprint', 'kiosk-status', 'kiosk-cpu']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.y + box!.height, `${id} is inside the screen`).toBeLessThanOrEqual(480);
    }
    await screenshot(page, 'kiosk-800x480-first-start');
  });
});
