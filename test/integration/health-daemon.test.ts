// The composition root wires health in: the real daemon samples this machine, behind the real
// access layer (sessions, the scrape token, operator-only identify, audit).
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import type { HealthState } from '../../daemon/src/protocol/health.ts';
import type { EventMessage } from '../../daemon/src/protocol/feed.ts';

const SCRAPE_TOKEN = 'a-scrape-token-for-tests-0123456789';
let daemon: TestDaemon;
let viewer: TestSession;
let operator: TestSession;

beforeAll(async () => {
  daemon = await startTestDaemon({ metrics: { scrapeToken: SCRAPE_TOKEN }, audit: { aggregateSeconds: 0.2 } });
  viewer = await userSession(daemon.home, daemon.url, 'val', 'viewer');
  operator = await userSession(daemon.home, daemon.url, 'otto', 'operator');
});
afterAll(() => daemon.stop());

describe('daemon with health', () => {
  it('samples this machine once a second on the health topic', async () => {
    const client = await TestFeedClient.open(daemon.url, viewer.feed());
    client.send({ type: 'subscribe', topic: 'health' });
    await client.waitFor((m) => m.type === 'snapshot' && m.topic === 'health');
    const first = await client.waitFor<EventMessage>((m) => m.type === 'event' && m.topic === 'health', { timeoutMs: 5000 });
    await client.waitFor((m) => m.type === 'event' && m.topic === 'health' && m.seq > first.seq, { timeoutMs: 5000 });
    client.close();
    const state = daemon.hub.get('health')!.state as HealthState;
    expect(state.sample!.memory.totalBytes).toBe(os.totalmem());
    expect(state.sample!.cpu.perCorePct).toHaveLength(os.cpus().length);
    expect(state.sample!.filesystems.some((f) => f.mount === '/')).toBe(true);
  });

  it('serves /api/v1/health to a viewer session only', async () => {
    expect((await fetch(new URL('/api/v1/health', daemon.url))).status).toBe(401);
    const res = await fetch(new URL('/api/v1/health', daemon.url), { headers: viewer.auth() });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ evaluation: { status: expect.stringMatching(/ok|warning|critical/) } });
  });

  it('lets a Prometheus scrape /metrics with the configured token, and nobody without one', async () => {
    expect((await fetch(new URL('/metrics', daemon.url))).status).toBe(401);
    expect((await fetch(new URL('/metrics', daemon.url), { headers: { authorization: 'Bearer wrong-token-wrong-token-wrong' } })).status).toBe(401);
    const res = await fetch(new URL('/metrics', daemon.url), { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^node_load1 /m);
    expect(text).toMatch(/^outpost_feed_clients /m);
  });

  it('lets an operator make the kiosk flash, audited, and refuses a viewer', async () => {
    const denied = await fetch(new URL('/api/v1/identify', daemon.url), { method: 'POST', headers: viewer.headers(), body: '{}' });
    expect(denied.status).toBe(403);
    const ok = await fetch(new URL('/api/v1/identify', daemon.url), { method: 'POST', headers: operator.headers(), body: JSON.stringify({ seconds: 5 }) });
    expect(ok.status).toBe(200);
    expect((daemon.hub.get('health')!.state as HealthState).identifyUntil).toBeGreaterThan(Date.now());
    const admin = await userSession(daemon.home, daemon.url, 'ada', 'admin');
    // Refusals are counted into one record per caller, route and window: it arrives when the window ends.
    const actors = async () => {
      const audit = (await (await fetch(new URL('/api/v1/audit?action=device.identify', daemon.url), { headers: admin.auth() })).json()) as { records: { actor: string; outcome: string }[] };
      return audit.records.map((r) => `${r.actor}:${r.outcome}`).sort();
    };
    await expect.poll(actors, { timeout: 5000 }).toEqual(['otto:success', 'val:denied']);
  });
});
