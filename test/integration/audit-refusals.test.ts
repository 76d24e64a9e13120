// Every refused mutation by a known caller leaves an audit record, on every route of the table:
// a role too small, a foreign Origin, a missing or wrong session token. Repeats of the same refusal
// within the aggregation window are counted into one record (a hostile page must not grow the log).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { login, userSession, type TestSession } from '../helpers/auth.ts';
import { rawRequest } from '../helpers/http.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import { eventually } from '../helpers/cluster.ts';
import type { RouteSpec } from '../../daemon/src/http/index.ts';

let daemon: TestDaemon;
let admin: TestSession;
let viewer: TestSession;

beforeAll(async () => {
  daemon = await startTestDaemon({ audit: { aggregateSeconds: 0.3 } });
  admin = await userSession(daemon.home, daemon.url, 'ada', 'admin');
  viewer = await userSession(daemon.home, daemon.url, 'vic', 'viewer');
});
afterAll(() => daemon.stop());

const mutating = () => daemon.routes.filter((r) => r.method !== 'GET');
const concrete = (path: string) => path.replace(/:username/g, 'nobody').replace(/:[a-z]+/gi, 'x');
const routeName = (r: RouteSpec) => `${r.method} ${r.path}`;

interface Row {
  actor: string;
  outcome: string;
  address: string;
  detail: { route?: string; code?: string; count?: number };
}
async function auditRows(): Promise<Row[]> {
  const own = await login(daemon.url, 'ada');
  const res = await rawRequest(new URL('/api/v1/audit/export', daemon.url), { headers: own.auth() });
  return res.text.trimEnd().split('\n').map((line) => {
    const record = JSON.parse(line) as Row & { detail: string | Row['detail'] };
    return { ...record, detail: typeof record.detail === 'string' ? (JSON.parse(record.detail) as Row['detail']) : record.detail };
  });
}

function send(route: RouteSpec, headers: Record<string, string>) {
  return rawRequest(new URL(concrete(route.path), daemon.url), { method: route.method, headers, ...(route.method === 'HEAD' ? {} : { body: {} }) });
}

/** Refused with `code`; a HEAD answer (tus) has no body, so its 403 stands in (the audit row below names the code). */
async function expectRefused(route: RouteSpec, headers: Record<string, string>, code: string): Promise<void> {
  const res = await send(route, headers);
  if (route.method === 'HEAD') expect(res.status, routeName(route)).toBe(403);
  else expect(res.json, routeName(route)).toMatchObject({ code });
}

describe('refused mutations', () => {
  it('are audited for a known caller on every route: wrong role, foreign Origin, bad token', async () => {
    const expected: { actor: string; route: string; code: string }[] = [];
    for (const route of mutating()) {
      if (route.policy === 'operator' || route.policy === 'admin') {
        await expectRefused(route, viewer.headers(), 'forbidden');
        expected.push({ actor: 'vic', route: routeName(route), code: 'forbidden' });
      }
      await expectRefused(route, admin.headers({ origin: 'http://evil.example' }), 'origin_mismatch');
      expected.push({ actor: 'ada', route: routeName(route), code: 'origin_mismatch' });
      if (route.policy !== 'public') {
        // Twice: the second is counted into the first one's record.
        for (let i = 0; i < 2; i += 1) await expectRefused(route, admin.headers({ 'x-csrf-token': 'forged' }), 'csrf_failed');
        expected.push({ actor: 'ada', route: routeName(route), code: 'csrf_failed' });
      }
    }
    expect(expected.length).toBeGreaterThan(10);
    await new Promise((r) => setTimeout(r, 800));
    const rows = await auditRows();
    for (const want of expected) {
      const found = rows.filter((r) => r.outcome === 'denied' && r.actor === want.actor && r.detail.route === want.route && r.detail.code === want.code);
      expect(found, `${want.actor} ${want.route} ${want.code}`).toHaveLength(1);
      expect(found[0]!.address).toBe('127.0.0.1');
      expect(found[0]!.detail.count).toBe(want.code === 'csrf_failed' ? 2 : 1);
    }
  });

  it('records a session cookie replayed from another address against the session’s user', async () => {
    await rawRequest(new URL('/api/v1/users', daemon.url), { headers: viewer.auth(), from: '127.0.0.2' });
    await rawRequest(new URL('/api/v1/users', daemon.url), { method: 'POST', headers: viewer.headers(), body: {}, from: '127.0.0.2' });
    await new Promise((r) => setTimeout(r, 800));
    const replays = (await auditRows()).filter((r) => r.actor === 'vic' && r.address === '127.0.0.2');
    expect(replays).toHaveLength(1);
    expect(replays[0]).toMatchObject({ outcome: 'denied', detail: { count: 2 } });
  });

  it('records a cookie and token replayed from another address in the feed handshake too', async () => {
    // The handshake is refused before the upgrade (a plain 401), so the socket never opens.
    await expect(TestFeedClient.open(daemon.url, { ...viewer.feed(), localAddress: '127.0.0.3' })).rejects.toThrow();
    const replays = await eventually(async () => {
      const rows = (await auditRows()).filter((r) => r.actor === 'vic' && r.address === '127.0.0.3');
      return rows.length > 0 ? rows : null;
    }, 'the counted replay', 5000);
    expect(replays[0]).toMatchObject({ action: 'session.replayed', outcome: 'denied', detail: { count: 1 } });
  });
});
