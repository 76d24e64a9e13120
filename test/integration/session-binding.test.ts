// A session cookie alone is worth nothing. Browsers send cookies to every port of a host, so any
// other service on the device's address that an admin opens receives it. The session is bound to
// the client address it logged in from and to a token the login handed to the page (kept in the
// page's origin-scoped storage, sent as a header and in the feed handshake); the cookie never
// yields that token again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { feedProtocols, userSession, type TestSession } from '../helpers/auth.ts';
import { rawRequest } from '../helpers/http.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';

let daemon: TestDaemon;
let admin: TestSession;

beforeAll(async () => {
  daemon = await startTestDaemon();
  admin = await userSession(daemon.home, daemon.url, 'ada', 'admin');
});
afterAll(() => daemon.stop());

const url = (path: string) => new URL(path, daemon.url);
async function usernames(): Promise<string[]> {
  const res = await rawRequest(url('/api/v1/users'), { headers: admin.auth() });
  return (res.json as { users: { username: string }[] }).users.map((u) => u.username);
}
function handshake(options: { headers: Record<string, string>; protocols?: string[] }, from?: string): Promise<number> {
  const client = new TestFeedClient(`${daemon.url.replace(/^http/, 'ws')}api/v1/feed`, { ...options, localAddress: from });
  return new Promise((resolve) => {
    client.socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    client.socket.on('open', () => {
      client.close();
      resolve(101);
    });
    client.socket.on('error', () => resolve(0));
  });
}

describe('a stolen session cookie', () => {
  it('replayed from the same address without the token: no token from GET /session, no takeover', async () => {
    // The pen test's path: read the CSRF token with the cookie, then create an admin with both.
    const who = await rawRequest(url('/api/v1/session'), { headers: { cookie: admin.cookie } });
    expect(who.json).toMatchObject({ authenticated: false, user: null, role: null, csrfToken: null });
    const token = (who.json?.csrfToken as string | null) ?? 'none';
    const create = await rawRequest(url('/api/v1/users'), {
      method: 'POST',
      headers: { cookie: admin.cookie, origin: admin.origin, 'x-csrf-token': token },
      body: { username: 'intruder', password: 'intruder password', role: 'admin' },
    });
    expect(create.status).toBe(403);
    expect(create.json).toMatchObject({ code: 'csrf_failed' });
    expect((await rawRequest(url('/api/v1/users'), { headers: { cookie: admin.cookie } })).status).toBe(401);
    expect((await rawRequest(url('/api/v1/audit'), { headers: { cookie: admin.cookie } })).status).toBe(401);
    expect(await usernames()).toEqual(['ada']);
  });

  it('replayed from another address is refused even with the token', async () => {
    const from = '127.0.0.2';
    const read = await rawRequest(url('/api/v1/users'), { headers: admin.auth(), from });
    expect(read.status).toBe(401);
    const who = await rawRequest(url('/api/v1/session'), { headers: admin.auth(), from });
    expect(who.json).toMatchObject({ authenticated: false, csrfToken: null });
    const create = await rawRequest(url('/api/v1/users'), { method: 'POST', headers: admin.headers(), body: { username: 'intruder', password: 'intruder password', role: 'admin' }, from });
    expect(create.status).toBe(401);
    expect(await usernames()).toEqual(['ada']);
  });

  it('opens no feed without the token, or from another address', async () => {
    const feed = admin.feed();
    expect(await handshake({ headers: feed.headers })).toBe(401);
    expect(await handshake({ headers: feed.headers, protocols: feedProtocols('not-the-token') })).toBe(401);
    expect(await handshake(feed, '127.0.0.2')).toBe(401);
    expect(await handshake(feed)).toBe(101);
  });

  it('leaves the browser that logged in working: cookie, token, same address', async () => {
    const who = await rawRequest(url('/api/v1/session'), { headers: admin.auth() });
    // Who you are, but never the token again: the page already holds it.
    expect(who.json).toMatchObject({ authenticated: true, user: 'ada', role: 'admin', csrfToken: null });
    expect(await usernames()).toEqual(['ada']);
  });
});
