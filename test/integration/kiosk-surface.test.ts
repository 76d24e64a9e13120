// The kiosk listener (loopback, no login) serves only what the kiosk page shows. Walks the daemon's
// own route table and topic list (with a cluster, so `logs:` topics exist): every route and topic not
// marked `kiosk` is refused there, and the marked ones work.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../daemon/src/http/index.ts';
import { servedOnKiosk } from '../../daemon/src/auth/index.ts';
import type { HelloMessage } from '../../daemon/src/protocol/index.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import { eventually, startTestCluster, testWorkloads, type TestCluster } from '../helpers/cluster.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';

const UI = fileURLToPath(new URL('../../ui/src/', import.meta.url));

/**
 * What the kiosk page uses, read from its source: `ui/src/pages/Kiosk.svelte` and everything it
 * imports (the topics it asks the feed for, the API paths it GETs), plus the session check the app
 * makes before it shows the kiosk (`lib/session.svelte.ts`). So a page that starts using a topic
 * (the device verdict's `status`) fails this test until that topic is marked `kiosk: true`.
 */
function kioskPageUses(): { routes: string[]; topics: string[] } {
  const seen = new Set<string>();
  const routes = new Set<string>();
  const topics = new Set<string>();
  // The one API client defines a typed method per route (`status() { return this.get('/api/v1/status') }`):
  // a page uses the route when it calls the method, not because the client defines it.
  const client = path.join(UI, 'lib/api.ts');
  const methods = new Map<string, string>();
  for (const m of readFileSync(client, 'utf8').matchAll(/^\s+(\w+)\([^)]*\)[^{\n]*\{\s*\n\s*return this\.get(?:<[^>]*>)?\(\s*['"`](\/api\/v1\/[^'"`?$]*)/gm)) {
    methods.set(m[1]!, m[2]!);
  }
  const visit = (file: string): void => {
    if (seen.has(file) || file === client) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/feed\.topic\(\s*['"`]([a-z:]+)['"`]\s*\)/g)) topics.add(m[1]!);
    for (const m of text.matchAll(/\.get(?:<[^>]*>)?\(\s*['"`](\/api\/v1\/[^'"`?$]*)/g)) routes.add(`GET ${m[1]!}`);
    for (const m of text.matchAll(/api\.(\w+)\(/g)) if (methods.has(m[1]!)) routes.add(`GET ${methods.get(m[1]!)!}`);
    for (const m of text.matchAll(/from\s+['"](\.{1,2}\/[^'"]+\.(?:svelte|ts))['"]/g)) visit(path.resolve(path.dirname(file), m[1]!));
  };
  visit(path.join(UI, 'pages/Kiosk.svelte'));
  visit(path.join(UI, 'lib/session.svelte.ts'));
  return { routes: [...routes].sort(), topics: [...topics].sort() };
}

let cluster: TestCluster;
let daemon: TestDaemon;
let viewer: TestSession;
let pod: string;
const NS = `outpost-kiosk-${process.pid}`;

beforeAll(async () => {
  cluster = await startTestCluster();
  const applied = await cluster.kubectl(['apply', '-f', '-'], testWorkloads(NS));
  expect(applied.code, applied.stderr).toBe(0);
  daemon = await startTestDaemon({ cluster: { kubeconfig: cluster.kubeconfig } });
  viewer = await userSession(daemon.home, daemon.url, 'vera', 'viewer');
  pod = await eventually(() => daemon.cluster.view?.caches.pods.get(NS, 'lonely')?.metadata?.name, 'the lonely pod', 60_000);
}, 90_000);

afterAll(async () => {
  await cluster?.kubectl(['delete', 'namespace', NS, '--wait=false']);
  await daemon?.stop();
  await cluster?.close();
});

const concrete = (path: string) => path.replace(/:[a-z]+/gi, 'x');

function call(route: Pick<RouteSpec, 'method' | 'path'>, base: string): Promise<{ status: number; code: string | undefined }> {
  const body = route.method === 'GET' || route.method === 'HEAD' ? undefined : '{}'; // a HEAD answer has no body: status only
  const headers = { origin: new URL(base).origin, 'content-type': 'application/json', ...(body ? { 'content-length': String(body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(concrete(route.path), base), { method: route.method, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const code = res.headers['content-type']?.includes('json') && text !== '' ? (JSON.parse(text) as { code?: string }).code : undefined;
        resolve({ status: res.statusCode ?? 0, code });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the kiosk listener', () => {
  it('marks exactly the routes and topics the kiosk page uses, none of them mutating', () => {
    const uses = kioskPageUses();
    expect(uses.routes).toEqual(expect.arrayContaining(['GET /api/v1/session', 'GET /api/v1/kiosk']));
    expect(uses.topics.length).toBeGreaterThanOrEqual(3);
    expect(daemon.routes.filter(servedOnKiosk).map((r) => `${r.method} ${r.path}`).sort()).toEqual(uses.routes);
    expect(daemon.routes.filter((r) => r.kiosk === true && r.method !== 'GET')).toEqual([]);
    expect(daemon.hub.topicNames().filter((t) => daemon.hub.accessOf(t)?.kiosk).sort()).toEqual(uses.topics);
  });

  it('refuses every other route in the table (404), and serves the marked ones', async () => {
    const refused = daemon.routes.filter((r) => !servedOnKiosk(r));
    expect(refused.length).toBeGreaterThan(15);
    for (const route of refused) {
      const answer = await call(route, daemon.kioskUrl!);
      // A HEAD answer (tus) carries its status only.
      expect(route.method === 'HEAD' ? answer.status : answer, `${route.method} ${route.path}`).toEqual(route.method === 'HEAD' ? 404 : { status: 404, code: 'not_found' });
    }
    for (const route of daemon.routes.filter(servedOnKiosk)) expect((await call(route, daemon.kioskUrl!)).status, `${route.method} ${route.path}`).toBe(200);
    // The page itself and its assets are still there.
    const page = await fetch(new URL('/kiosk', daemon.kioskUrl!));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('lists only the marked topics in its hello and refuses every other topic, logs: included', async () => {
    const kiosk = await TestFeedClient.open(daemon.kioskUrl!);
    const marked = daemon.hub.topicNames().filter((t) => daemon.hub.accessOf(t)?.kiosk);
    expect((kiosk.messages[0] as HelloMessage).topics.sort()).toEqual(marked.sort());
    // Every topic the daemon has: the static ones and one of each dynamic family, for a pod that exists.
    const dynamic = daemon.hub.dynamicPrefixes().map((prefix) => (prefix === 'logs:' ? `logs:${NS}/${pod}/tick` : `${prefix}x`));
    const everyTopic = [...daemon.hub.topicNames(), ...dynamic];
    expect(everyTopic).toContain(`logs:${NS}/${pod}/tick`);
    for (const topic of everyTopic.filter((t) => !marked.includes(t))) {
      kiosk.send({ type: 'subscribe', topic });
      expect(await kiosk.waitFor((m) => m.type === 'error' && m.topic === topic), topic).toMatchObject({ code: 'feed_unknown_topic' });
    }
    for (const topic of marked) {
      kiosk.send({ type: 'subscribe', topic });
      await kiosk.waitFor((m) => m.type === 'snapshot' && (m.topic as string) === topic);
    }
    expect(daemon.hub.dynamicTopicCount).toBe(0);
    kiosk.close();
    // The same log topic works for a logged-in viewer on the main listener: the kiosk refusal is the listener's.
    const main = await TestFeedClient.open(daemon.url, viewer.feed());
    main.send({ type: 'subscribe', topic: `logs:${NS}/${pod}/tick` });
    await main.waitFor((m) => m.type === 'snapshot', { timeoutMs: 10_000 });
    main.close();
  }, 30_000);
});
