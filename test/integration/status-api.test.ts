// GET /api/v1/status and the `status` topic on the real daemon: the demo's crash loop and missing
// image make the device critical and are named; a lost API server is a warning at once and critical
// after the grace period; an unusable kubeconfig and a stalled sampler are Outpost's own faults;
// a box with nothing wrong is ok.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../scripts/demo-setup.ts';
import type { DeviceVerdict, SnapshotMessage } from '../../daemon/src/protocol/index.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import { eventually } from '../helpers/cluster.ts';
import { startTestDaemon, tempDir, type TestDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';
import { copyFixture, startHealthServer } from '../health-support/server.ts';

async function status(baseUrl: string, session?: TestSession): Promise<DeviceVerdict> {
  const res = await fetch(new URL('/api/v1/status', baseUrl), { headers: session ? session.auth() : {} });
  expect(res.status).toBe(200);
  return (await res.json()) as DeviceVerdict;
}

describe('the device verdict on the demo box', () => {
  let demo: Demo;
  let home: string;
  let viewer: TestSession;

  beforeAll(async () => {
    home = tempDir('outpost-status-demo-');
    demo = await startDemo({
      home,
      settings: { listen: { address: '127.0.0.1', port: 0 }, kiosk: { port: 0 }, log: { level: 'silent' }, cluster: { stabilitySeconds: 1 }, status: { clusterGraceSeconds: 2, clusterBootGraceSeconds: 4 } },
      timing: { readyAfterMs: 200, backoffBaseMs: 500, backoffMaxMs: 2000, terminationMs: 100 },
    });
    viewer = await userSession(home, demo.daemon.url, 'vera', 'viewer');
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('is critical and names the crash-looping and the image-less workload, for a viewer', async () => {
    const verdict = await eventually(async () => {
      const v = await status(demo.daemon.url, viewer);
      return v.reasons.some((r) => r.subject === 'ingest/deployment/opcua-bridge') && v.reasons.some((r) => r.subject === 'historian/deployment/report-exporter') ? v : null;
    }, 'both workloads named', 30_000);
    expect(verdict.status).toBe('critical');
    const bridge = verdict.reasons.find((r) => r.subject === 'ingest/deployment/opcua-bridge');
    expect(bridge).toMatchObject({ source: 'workloads', severity: 'critical' });
    expect(bridge?.message).toMatch(/^ingest\/opcua-bridge: (CrashLoopBackOff|Crashed) — bridge: last exit code 1/);
    expect(verdict.reasons.find((r) => r.subject === 'historian/deployment/report-exporter')?.message).toMatch(/^historian\/report-exporter: ErrImageNeverPull/);
    expect(verdict.reasons.every((r) => typeof r.since === 'number' && r.since <= Date.now())).toBe(true);
  }, 40_000);

  it('refuses the main listener without a login; the kiosk listener has the verdict only on its topic', async () => {
    expect((await fetch(new URL('/api/v1/status', demo.daemon.url))).status).toBe(401);
    // The kiosk listener serves only what the kiosk page uses (docs/security.md): the `status` topic.
    expect((await fetch(new URL('/api/v1/status', demo.daemon.kioskUrl!))).status).toBe(404);
  });

  it('carries the same verdict on the `status` topic, for the kiosk', async () => {
    const kiosk = demo.daemon.kioskUrl!;
    const client = await TestFeedClient.open(kiosk, { headers: { origin: new URL(kiosk).origin } });
    client.send({ type: 'subscribe', topic: 'status' });
    const snapshot = await client.waitFor<SnapshotMessage<'status'>>((m) => m.type === 'snapshot' && m.topic === 'status');
    expect(snapshot.state.status).toBe('critical');
    expect(snapshot.state.reasons.map((r) => r.subject)).toContain('ingest/deployment/opcua-bridge');
    client.close();
  });

  it('says the API server is not answering at once, critical after the grace period, and drops it when it is back', async () => {
    await demo.sim.stopServer();
    try {
      const lost = await eventually(async () => (await status(demo.daemon.url, viewer)).reasons.find((r) => r.source === 'cluster'), 'the cluster reason', 30_000);
      expect(lost.message).toMatch(/The Kubernetes API is not answering/);
      await eventually(async () => (await status(demo.daemon.url, viewer)).reasons.find((r) => r.source === 'cluster' && r.severity === 'critical'), 'critical after the grace', 15_000);
      const stale = await status(demo.daemon.url, viewer);
      expect(stale.reasons.find((r) => r.subject === 'ingest/deployment/opcua-bridge')?.message).toMatch(/\(last known\)$/);
    } finally {
      await demo.sim.startServer();
    }
    await eventually(async () => !(await status(demo.daemon.url, viewer)).reasons.some((r) => r.source === 'cluster'), 'the cluster reason gone', 30_000);
  }, 90_000);
});

describe('Outpost’s own faults', () => {
  let daemon: TestDaemon | undefined;
  afterAll(async () => daemon?.stop());

  it('is critical when the configured kubeconfig cannot be used, and says so', async () => {
    daemon = await startTestDaemon({ cluster: { kubeconfig: '/nonexistent/outpost-test.kubeconfig' } });
    const session = await userSession(daemon.home, daemon.url, 'vera', 'viewer');
    const verdict = await status(daemon.url, session);
    expect(verdict.status).toBe('critical');
    expect(verdict.reasons[0]).toMatchObject({ source: 'outpost', subject: 'cluster-capability' });
    expect(verdict.reasons[0]?.message).toMatch(/Outpost cannot watch the cluster: kubeconfig \/nonexistent\/outpost-test\.kubeconfig .*does not exist/);
  });

  it('is critical when the health sampler has stalled', async () => {
    const stalled = await startTestDaemon({ health: { fastMs: 100, mediumMs: 1000, slowMs: 5000 } });
    try {
      const session = await userSession(stalled.home, stalled.url, 'vera', 'viewer');
      await eventually(() => stalled.health.sampler.latest !== null, 'a first sample', 5000);
      expect((await status(stalled.url, session)).reasons.some((r) => r.subject === 'sampler')).toBe(false);
      stalled.health.sampler.stop();
      // Stalled means no sample for 5 fast intervals, and at least 10 s (a busy machine skips a tick now and then).
      const reason = await eventually(async () => (await status(stalled.url, session)).reasons.find((r) => r.subject === 'sampler'), 'the stalled-sampler reason', 20_000);
      expect(reason).toMatchObject({ source: 'outpost', severity: 'critical' });
      expect(reason.message).toMatch(/stopped measuring the node/);
    } finally {
      await stalled.stop();
    }
  }, 40_000);
});

describe('a box with nothing wrong', () => {
  it('is ok, with no reasons', async () => {
    const fixture = copyFixture('vm-no-sensors');
    const server = await startHealthServer({ root: fixture.root, tiers: { fastMs: 200, mediumMs: 1000, slowMs: 10_000 } });
    try {
      await eventually(() => server.health.sampler.fastTicks >= 2, 'samples', 5000);
      const verdict = (await (await server.fetch('/api/v1/status')).json()) as DeviceVerdict;
      expect(server.health.snapshot().evaluation.status).toBe('ok');
      expect(verdict).toMatchObject({ status: 'ok', reasons: [] });
    } finally {
      await server.close();
      fixture.remove();
    }
  }, 20_000);
});
