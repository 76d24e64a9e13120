// The login throttle holds under parallel requests and cannot be reset or side-stepped: an attempt
// is reserved before its password is hashed, a success clears only what belongs to its own account,
// a password change counts as a login, and first-start setup has a counter of its own per address.
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { createUser, login, TEST_PASSWORD } from '../helpers/auth.ts';
import { rawRequest, type RawResponse } from '../helpers/http.ts';
import { delayAfter } from '../../daemon/src/auth/throttle.ts';
import { hashPassword, UserStore } from '../../daemon/src/auth/index.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';

const daemons: TestDaemon[] = [];
async function daemon(): Promise<TestDaemon> {
  const d = await startTestDaemon();
  daemons.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

function post(d: TestDaemon, path: string, body: unknown, from?: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(new URL(path, d.url), { method: path.endsWith('/password') ? 'PUT' : 'POST', body, from, headers: { origin: new URL(d.url).origin, ...headers } });
}
const wrongLogin = (d: TestDaemon, username: string, from?: string) => post(d, '/api/v1/session', { username, password: 'not the password' }, from);

/** How many attempts the schedule lets through within `ms` of the first one. */
function allowedWithin(ms: number): number {
  let failures = 0;
  let at = 0;
  for (;;) {
    const wait = delayAfter(failures);
    if (at + wait > ms) return failures;
    at += wait;
    failures += 1;
  }
}

describe('login throttle', () => {
  it('evaluates at most the allowed number of 40 parallel wrong logins', async () => {
    const d = await daemon();
    // The real scrypt cost (createUser's is cheap): the window a racing attempt used to slip through.
    const db = openDatabase(d.home);
    new UserStore(db).create('olga', 'operator', await hashPassword(TEST_PASSWORD));
    db.close();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 40 }, () => wrongLogin(d, 'olga')));
    const elapsed = Date.now() - started;
    const evaluated = answers.filter((a) => a.status === 401).length;
    const throttled = answers.filter((a) => a.status === 429);
    expect(evaluated + throttled.length).toBe(40);
    expect(throttled.every((a) => a.json?.code === 'login_throttled')).toBe(true);
    expect(evaluated, `${evaluated} evaluated in ${elapsed} ms`).toBeGreaterThanOrEqual(1);
    expect(evaluated, `${evaluated} evaluated in ${elapsed} ms`).toBeLessThanOrEqual(allowedWithin(elapsed));
  });

  it('does not reset the address counter for other accounts when someone logs in from there', async () => {
    const d = await daemon();
    await createUser(d.home, 'mallory', 'viewer');
    // Accounts with cheap hashes: each wrong attempt is answered at once, well inside the 1 s delay.
    for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) await createUser(d.home, name, 'viewer');
    for (const name of ['a1', 'a2', 'a3']) expect((await wrongLogin(d, name)).status).toBe(401);
    await login(d.url, 'mallory');
    expect((await wrongLogin(d, 'a4')).status).toBe(401);
    // Four failures from this address, none of them against a5: the address alone makes it wait.
    const fifth = await wrongLogin(d, 'a5');
    expect(fifth.status).toBe(429);
    expect(fifth.json).toMatchObject({ code: 'login_throttled' });
  });

  it('throttles changing your own password like a login, on the same counters', async () => {
    const d = await daemon();
    await createUser(d.home, 'paula', 'viewer');
    const session = await login(d.url, 'paula');
    // Wrong current passwords from her session and wrong logins for her account from elsewhere, all at once:
    // one counter for the account, so together no more are evaluated than the schedule allows.
    const started = Date.now();
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => post(d, '/api/v1/session/password', { currentPassword: 'a wrong guess', newPassword: 'a brand new password' }, undefined, session.headers())),
      ...Array.from({ length: 3 }, () => post(d, '/api/v1/session', { username: 'paula', password: 'a wrong guess' }, '127.0.0.2')),
    ]);
    const elapsed = Date.now() - started;
    const evaluated = answers.filter((a) => a.json?.code === 'validation_failed' || a.json?.code === 'login_failed').length;
    const throttled = answers.filter((a) => a.json?.code === 'login_throttled').length;
    expect(evaluated + throttled).toBe(9);
    expect(evaluated, `${evaluated} evaluated in ${elapsed} ms`).toBeLessThanOrEqual(allowedWithin(elapsed));
    expect(answers.slice(0, 6).some((a) => a.json?.code === 'login_throttled')).toBe(true);
  });

  it('throttles first-start setup per address, apart from an account called "setup"', async () => {
    const d = await daemon();
    const { setupCode } = (await (await fetch(new URL('/api/v1/kiosk', d.kioskUrl!))).json()) as { setupCode: string };
    // Someone locks the login name "setup" from 127.0.0.2.
    for (let i = 0; i < 6; i += 1) await wrongLogin(d, 'setup', '127.0.0.2');
    expect((await wrongLogin(d, 'setup', '127.0.0.2')).status).toBe(429);
    // Wrong codes from 127.0.0.3: counted for that address only.
    const wrongCode = () => post(d, '/api/v1/setup', { code: 'AAAA-BBBB-CCCC', username: 'root', password: TEST_PASSWORD }, '127.0.0.3');
    for (let i = 0; i < 4; i += 1) expect((await wrongCode()).json).toMatchObject({ code: 'setup_code_invalid' });
    expect((await wrongCode()).json).toMatchObject({ code: 'login_throttled' });
    // Neither touches the technician at 127.0.0.1 with the right code.
    const right = await post(d, '/api/v1/setup', { code: setupCode, username: 'root', password: TEST_PASSWORD });
    expect(right.status).toBe(201);
  });
});
