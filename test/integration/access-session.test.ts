// Sessions end for real: setup works once, logins are throttled and audited, and logout, expiry,
// password change and user disable close the session's live sockets with a reason.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { createUser, login, TEST_PASSWORD } from '../helpers/auth.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';

const run = promisify(execFile);
const daemons: TestDaemon[] = [];
async function daemonWith(overrides: Record<string, unknown> = {}): Promise<TestDaemon> {
  const d = await startTestDaemon(overrides);
  daemons.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json', origin: new URL(url).origin, ...headers }, body: JSON.stringify(body) });
}

describe('first start', () => {
  it('shows a setup code on the kiosk that creates the first admin once, then dies', async () => {
    const d = await daemonWith();
    expect(await (await fetch(new URL('/api/v1/setup', d.url))).json()).toEqual({ required: true });
    const kiosk = (await (await fetch(new URL('/api/v1/kiosk', d.kioskUrl!))).json()) as { setupCode: string };
    expect(kiosk.setupCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    const wrong = await post(d.url, '/api/v1/setup', { code: 'AAAA-BBBB-CCCC', username: 'root', password: TEST_PASSWORD });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: 'setup_code_invalid' });

    const right = await post(d.url, '/api/v1/setup', { code: kiosk.setupCode.toLowerCase(), username: 'root', password: TEST_PASSWORD });
    expect(right.status).toBe(201);
    expect(await right.json()).toMatchObject({ authenticated: true, user: 'root', role: 'admin' });
    expect(right.headers.get('set-cookie')).toMatch(/^outpost_session=/);

    const again = await post(d.url, '/api/v1/setup', { code: kiosk.setupCode, username: 'mallory', password: TEST_PASSWORD });
    expect(again.status).toBe(409);
    expect(((await (await fetch(new URL('/api/v1/kiosk', d.kioskUrl!))).json()) as { setupCode: unknown }).setupCode).toBeNull();
    expect(await (await fetch(new URL('/api/v1/setup', d.url))).json()).toEqual({ required: false });
  });
});

describe('login', () => {
  it('gives the same answer for a wrong user and a wrong password, then throttles, all audited', async () => {
    const d = await daemonWith({ audit: { aggregateSeconds: 3 } });
    await createUser(d.home, 'olga', 'operator');
    const unknown = await post(d.url, '/api/v1/session', { username: 'nobody', password: 'whatever-long' });
    const wrong = await post(d.url, '/api/v1/session', { username: 'olga', password: 'whatever-long' });
    const a = (await unknown.json()) as { code: string; detail: string };
    const b = (await wrong.json()) as { code: string; detail: string };
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(a).toMatchObject({ code: 'login_failed' });
    expect(b.detail).toBe(a.detail);

    await post(d.url, '/api/v1/session', { username: 'olga', password: 'whatever-long' });
    await post(d.url, '/api/v1/session', { username: 'olga', password: 'whatever-long' });
    const throttled = await post(d.url, '/api/v1/session', { username: 'olga', password: TEST_PASSWORD });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await throttled.json()).toMatchObject({ code: 'login_throttled', detail: expect.stringMatching(/wait \d+ seconds?/) });

    // The address is throttled too (all of this comes from 127.0.0.1): wait out its delay.
    await createUser(d.home, 'root', 'admin');
    await new Promise((r) => setTimeout(r, Number(throttled.headers.get('retry-after')) * 1000 + 100));
    const admin = await login(d.url, 'root');
    // Anonymous failures are counted per address into one record per window (docs/security.md).
    type Page = { records: { actor: string; outcome: string; detail: { count?: number; reasons?: Record<string, number>; accounts?: string[] } }[] };
    const read = async () => (await (await fetch(new URL('/api/v1/audit?action=session.login', d.url), { headers: admin.auth() })).json()) as Page;
    await expect.poll(async () => (await read()).records.filter((r) => r.outcome === 'failure').length, { timeout: 10_000 }).toBeGreaterThan(0);
    const audit = await read();
    expect(audit.records.find((r) => r.outcome === 'success')).toMatchObject({ actor: 'root' });
    const failures = audit.records.filter((r) => r.outcome === 'failure');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ actor: 'anonymous', detail: { count: 5, reasons: { 'unknown user': 1, 'wrong password': 3, throttled: 1 } } });
    expect(failures[0]!.detail.accounts?.sort()).toEqual(['nobody', 'olga']);
  });
});

describe('session end closes live sockets', () => {
  async function feedFor(d: TestDaemon, username: string) {
    const session = await login(d.url, username);
    const client = await TestFeedClient.open(d.url, session.feed());
    return { session, client };
  }

  it('on idle expiry', async () => {
    // 3 s idle: long enough for a login and a handshake on a loaded machine, short enough to wait for.
    const d = await daemonWith({ session: { idleMinutes: 0.05, checkIntervalMs: 100 } });
    await createUser(d.home, 'ivan', 'viewer');
    const { client, session } = await feedFor(d, 'ivan');
    expect(await client.waitClosed(15_000)).toEqual({ code: 4001, reason: 'session expired' });
    const after = (await (await fetch(new URL('/api/v1/session', d.url), { headers: session.auth() })).json()) as { authenticated: boolean };
    expect(after.authenticated).toBe(false);
  });

  it('on logout', async () => {
    const d = await daemonWith();
    await createUser(d.home, 'lena', 'viewer');
    const { client, session } = await feedFor(d, 'lena');
    const res = await fetch(new URL('/api/v1/session', d.url), { method: 'DELETE', headers: session.headers() });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(await client.waitClosed()).toEqual({ code: 4001, reason: 'logged out' });
  });

  it('on a password change made with the CLI while the daemon runs', async () => {
    const d = await daemonWith({ session: { checkIntervalMs: 100 } });
    await createUser(d.home, 'paul', 'viewer');
    const { client } = await feedFor(d, 'paul');
    const child = execFile(process.execPath, [CLI, 'user', 'passwd', 'paul', '--password-stdin', '--home', d.home, '--config', 'none'], { cwd: ROOT });
    child.stdin?.end('a brand new password\n');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await client.waitClosed()).toEqual({ code: 4001, reason: 'password changed' });
    await expect(login(d.url, 'paul')).rejects.toThrow(/401/);
    await expect(login(d.url, 'paul', 'a brand new password')).resolves.toBeTruthy();
  });

  it('on user disable by an admin', async () => {
    const d = await daemonWith();
    await createUser(d.home, 'dora', 'operator');
    await createUser(d.home, 'root', 'admin');
    const { client } = await feedFor(d, 'dora');
    const admin = await login(d.url, 'root');
    const res = await fetch(new URL('/api/v1/users/dora', d.url), { method: 'PATCH', headers: admin.headers(), body: JSON.stringify({ disabled: true }) });
    expect(res.status).toBe(200);
    expect(await client.waitClosed()).toEqual({ code: 4001, reason: 'user disabled' });
  });
});

describe('users API', () => {
  it('lets an admin create users with validation, refuses duplicates and keeps the last admin', async () => {
    const d = await daemonWith();
    await createUser(d.home, 'root', 'admin');
    const admin = await login(d.url, 'root');
    const h = admin.headers();
    const created = await fetch(new URL('/api/v1/users', d.url), { method: 'POST', headers: h, body: JSON.stringify({ username: 'tech1', password: TEST_PASSWORD, role: 'operator' }) });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ username: 'tech1', role: 'operator', disabled: false });
    const dup = await fetch(new URL('/api/v1/users', d.url), { method: 'POST', headers: h, body: JSON.stringify({ username: 'tech1', password: TEST_PASSWORD, role: 'viewer' }) });
    expect(await dup.json()).toMatchObject({ code: 'user_exists' });
    const bad = await fetch(new URL('/api/v1/users', d.url), { method: 'POST', headers: h, body: JSON.stringify({ username: 'Bad Name!', password: 'short', role: 'viewer' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual(['password', 'username']);
    const lastAdmin = await fetch(new URL('/api/v1/users/root', d.url), { method: 'PATCH', headers: h, body: JSON.stringify({ role: 'viewer' }) });
    expect(lastAdmin.status).toBe(400);
    const list = (await (await fetch(new URL('/api/v1/users', d.url), { headers: admin.auth() })).json()) as { users: { username: string }[] };
    expect(list.users.map((u) => u.username)).toEqual(['root', 'tech1']);
    expect(JSON.stringify(list)).not.toMatch(/scrypt|password_hash/);
  });
});

describe('outpost user CLI', () => {
  it('adds, lists and disables users non-interactively', async () => {
    const d = await daemonWith();
    const add = execFile(process.execPath, [CLI, 'user', 'add', 'carl', '--role', 'admin', '--password-stdin', '--home', d.home, '--config', 'none'], { cwd: ROOT });
    add.stdin?.end(`${TEST_PASSWORD}\n`);
    const code = await new Promise((resolve) => add.once('exit', resolve));
    expect(code).toBe(0);
    const { stdout } = await run(process.execPath, [CLI, 'user', 'list', '--home', d.home, '--config', 'none'], { cwd: ROOT });
    expect(stdout).toMatch(/^carl\s+admin\s+enabled$/m);
    await expect(login(d.url, 'carl')).resolves.toBeTruthy();
  });
});
