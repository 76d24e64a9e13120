// The route policy table: every route declares who may call it, and every mutating route refuses
// callers without a session, with too small a role, from another origin, without the CSRF token,
// or under a foreign Host name.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { login, userSession, type TestSession } from '../helpers/auth.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import type { RouteSpec } from '../../daemon/src/http/index.ts';

let daemon: TestDaemon;
let admin: TestSession;
let viewer: TestSession;

beforeAll(async () => {
  daemon = await startTestDaemon();
  admin = await userSession(daemon.home, daemon.url, 'ada', 'admin');
  viewer = await userSession(daemon.home, daemon.url, 'vic', 'viewer');
});
afterAll(() => daemon.stop());

const POLICIES = ['public', 'kiosk', 'viewer', 'operator', 'admin'];
// HEAD routes guarded as changes (tus) answer without a body: test/integration/uploads.test.ts checks them.
const isMutating = (r: RouteSpec) => r.method !== 'GET' && r.method !== 'HEAD';
const concrete = (path: string) => path.replace(/:username/g, 'nobody').replace(/:[a-z]+/gi, 'x');

/** A raw request, so tests can set any header (fetch will not send a forged Host). */
function call(route: RouteSpec, headers: Record<string, string>, base = daemon.url): Promise<{ status: number; code: string | undefined }> {
  const url = new URL(concrete(route.path), base);
  const body = route.method === 'GET' || route.method === 'HEAD' ? undefined : '{}'; // a HEAD answer has no body: status only
  const sized = body === undefined ? {} : { 'content-length': String(body.length) };
  const all = Object.fromEntries(Object.entries({ 'content-type': 'application/json', ...sized, ...headers }).filter(([, v]) => v !== ''));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: route.method, headers: all, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const json = res.headers['content-type']?.includes('json') && text !== '' ? (JSON.parse(text) as { code?: string }) : {};
        resolve({ status: res.statusCode ?? 0, code: json.code });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('route policy table', () => {
  it('declares a policy for every registered route', () => {
    expect(daemon.routes.length).toBeGreaterThan(5);
    for (const route of daemon.routes) expect(POLICIES, `${route.method} ${route.path}`).toContain(route.policy);
  });

  it('declares an audit action for every mutating route', () => {
    for (const route of daemon.routes.filter(isMutating)) expect(route.audit, `${route.method} ${route.path}`).toBeTruthy();
  });

  it('answers 401 to a mutation without a session', async () => {
    for (const route of daemon.routes.filter((r) => isMutating(r) && r.policy !== 'public')) {
      expect(await call(route, { origin: admin.origin }), `${route.method} ${route.path}`).toEqual({ status: 401, code: 'unauthenticated' });
    }
  });

  it('answers 403 to a viewer calling an operator or admin mutation', async () => {
    for (const route of daemon.routes.filter((r) => isMutating(r) && (r.policy === 'operator' || r.policy === 'admin'))) {
      expect(await call(route, viewer.headers()), `${route.method} ${route.path}`).toEqual({ status: 403, code: 'forbidden' });
    }
  });

  it('answers 403 to a mutation from a foreign origin, even with a good session and token', async () => {
    for (const route of daemon.routes.filter(isMutating)) {
      const foreign = await call(route, admin.headers({ origin: 'http://evil.example' }));
      expect(foreign, `${route.method} ${route.path}`).toEqual({ status: 403, code: 'origin_mismatch' });
      const otherPort = await call(route, admin.headers({ origin: `http://127.0.0.1:${daemon.port + 1}` }));
      expect(otherPort.status, `${route.method} ${route.path} from another port`).toBe(403);
      for (const spelling of [`${admin.origin}/`, admin.origin.toUpperCase(), admin.origin.replace('127.0.0.1', '127.0.0.01'), admin.origin.replace('//', '//x@')]) {
        const folded = await call(route, admin.headers({ origin: spelling }));
        expect(folded, `${route.method} ${route.path} from ${spelling}`).toEqual({ status: 403, code: 'origin_mismatch' });
      }
      const noOrigin = await call(route, admin.headers({ origin: '' }));
      expect(noOrigin.status, `${route.method} ${route.path} without Origin`).toBe(403);
    }
  });

  it('answers 403 to a mutation without the CSRF token', async () => {
    for (const route of daemon.routes.filter((r) => isMutating(r) && r.policy !== 'public')) {
      const { 'x-csrf-token': _dropped, ...headers } = admin.headers();
      expect(await call(route, headers), `${route.method} ${route.path}`).toEqual({ status: 403, code: 'csrf_failed' });
      expect(await call(route, admin.headers({ 'x-csrf-token': 'forged' })), `${route.method} ${route.path}`).toEqual({ status: 403, code: 'csrf_failed' });
    }
  });

  it('answers 415 to a mutation whose body is not JSON, even with a good session, origin and token', async () => {
    // Its own session: on code that ran the handler anyway, DELETE /api/v1/session would log `admin` out.
    const own = await login(daemon.url, 'ada');
    for (const route of daemon.routes.filter(isMutating)) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '']) {
        const headers = type === '' ? { ...own.headers(), 'content-type': '' } : own.headers({ 'content-type': type });
        expect(await call(route, headers), `${route.method} ${route.path} as ${type || 'no type'}`).toEqual({ status: 415, code: 'unsupported_media_type' });
      }
    }
  });

  it('refuses every route, and the pages, under a foreign Host name (DNS rebinding)', async () => {
    for (const route of [...daemon.routes, { method: 'GET', path: '/' } as RouteSpec, { method: 'GET', path: '/login' } as RouteSpec]) {
      const result = await call(route, admin.headers({ host: 'rebind.example:80' }));
      // A HEAD answer (tus) carries its status only.
      expect(route.method === 'HEAD' ? result.status : result, `${route.method} ${route.path}`).toEqual(route.method === 'HEAD' ? 421 : { status: 421, code: 'host_not_allowed' });
    }
  });

  it('registers no mutating route on the kiosk listener and lets it read without a login', async () => {
    const kiosk = daemon.kioskUrl!;
    for (const route of daemon.routes.filter(isMutating)) {
      const result = await call(route, { origin: new URL(kiosk).origin }, kiosk);
      expect(result.status, `${route.method} ${route.path} on the kiosk`).toBe(404);
    }
    const info = await fetch(new URL('/api/v1/kiosk', kiosk));
    expect(info.status).toBe(200);
    const session = (await (await fetch(new URL('/api/v1/session', kiosk))).json()) as { kiosk: boolean; role: string };
    expect(session).toMatchObject({ kiosk: true, role: 'viewer' });
    const users = await fetch(new URL('/api/v1/users', kiosk));
    expect(users.status).toBe(404);
  });

  it('never serves the kiosk route (and its setup code) on the main listener', async () => {
    const res = await fetch(new URL('/api/v1/kiosk', daemon.url), { headers: admin.auth() });
    expect(res.status).toBe(404);
  });

  it('sets the session cookie HttpOnly and SameSite=Strict', async () => {
    const res = await fetch(new URL('/api/v1/session', daemon.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: admin.origin },
      body: JSON.stringify({ username: 'vic', password: 'correct horse battery' }),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^outpost_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
  });
});

describe('feed handshake', () => {
  const wsUrl = () => `${daemon.url.replace(/^http/, 'ws')}api/v1/feed`;

  async function handshake(headers: Record<string, string>, protocols = viewer.feed().protocols): Promise<number> {
    const client = new TestFeedClient(wsUrl(), { headers, protocols });
    return new Promise((resolve) => {
      client.socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      client.socket.on('open', () => {
        client.close();
        resolve(101);
      });
    });
  }

  it('completes only with an allowed Host, our own Origin and a live session with its token', async () => {
    expect(await handshake({ cookie: viewer.cookie, origin: viewer.origin })).toBe(101);
    expect(await handshake({ origin: viewer.origin })).toBe(401);
    expect(await handshake({ cookie: viewer.cookie, origin: viewer.origin }, ['outpost.feed.v1'])).toBe(401);
    expect(await handshake({ cookie: viewer.cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await handshake({ cookie: viewer.cookie, origin: `http://127.0.0.1:${daemon.port + 1}` })).toBe(403);
    expect(await handshake({ cookie: viewer.cookie, origin: viewer.origin, host: 'rebind.example' })).toBe(403);
  });

  it('hides topics above the session’s role', async () => {
    daemon.hub.define({ name: 'secrets-for-test', initial: 1, reduce: (s: number) => s, policy: 'admin' });
    const asViewer = await TestFeedClient.open(daemon.url, viewer.feed());
    const asAdmin = await TestFeedClient.open(daemon.url, admin.feed());
    expect((asViewer.messages[0] as { topics: string[] }).topics).not.toContain('secrets-for-test');
    asViewer.send({ type: 'subscribe', topic: 'secrets-for-test' });
    asAdmin.send({ type: 'subscribe', topic: 'secrets-for-test' });
    expect(await asViewer.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'feed_unknown_topic' });
    expect(await asAdmin.waitFor((m) => m.type === 'snapshot')).toMatchObject({ state: 1 });
    asViewer.close();
    asAdmin.close();
  });
});

describe('docs/security.md', () => {
  it('lists every registered route with its policy', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    for (const route of daemon.routes) {
      const row = new RegExp(`^\\| ${route.method} \\| \`${route.path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\` \\| ${route.policy} \\|`, 'm');
      expect(doc, `${route.method} ${route.path} (${route.policy})`).toMatch(row);
    }
  });
});
