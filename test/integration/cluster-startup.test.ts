// The daemon without a cluster, with a kubeconfig naming a missing file, and with an API server that
// is down when it starts (k3s restarting at boot): it serves, says so, and recovers by itself.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from '../kube-sim/index.ts';
import { userSession } from '../helpers/auth.ts';
import { eventually } from '../helpers/cluster.ts';
import { startTestDaemon, tempDir, type TestDaemon } from '../helpers/daemon.ts';

let daemon: TestDaemon | undefined;
let sim: KubeSim | undefined;

afterEach(async () => {
  await daemon?.stop();
  await sim?.stop();
  daemon = undefined;
  sim = undefined;
});

describe('cluster at startup', () => {
  it('runs without any cluster: the topic says none and restarts answer cluster_not_configured', async () => {
    daemon = await startTestDaemon();
    expect(daemon.cluster.topic.state.status.state).toBe('none');
    const operator = await userSession(daemon.home, daemon.url, 'otto', 'operator');
    const list = await fetch(new URL('/api/v1/workloads', daemon.url), { headers: operator.auth() });
    expect(await list.json()).toEqual({ workloads: [] });
    const res = await fetch(new URL('/api/v1/workloads/a/deployment/b/restart', daemon.url), { method: 'POST', headers: operator.headers(), body: '{}' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { code: string }).code).toBe('cluster_not_configured');
  });

  it('reports a configured kubeconfig that does not exist instead of using another cluster', async () => {
    const missing = path.join(tempDir(), 'missing.kubeconfig');
    daemon = await startTestDaemon({ cluster: { kubeconfig: missing } });
    const status = daemon.cluster.topic.state.status;
    expect(status).toMatchObject({ state: 'none', source: 'config' });
    expect(status.lastError).toContain('does not exist');
  });

  it('starts while the API server is down, serves health, and connects once it comes up', async () => {
    sim = await startKubeSim({ port: 0, tickMs: 50, timing: { readyAfterMs: 100 } });
    const file = await sim.writeKubeconfig(path.join(tempDir(), 'kubeconfig'));
    await sim.stopServer();
    daemon = await startTestDaemon({ cluster: { kubeconfig: file } });
    const d = daemon;
    await eventually(() => d.cluster.topic.state.status.state === 'unreachable', 'unreachable');
    expect(d.cluster.topic.state.status.lastError).toBeTruthy();
    expect((await fetch(new URL('/healthz', d.url))).status).toBe(200);
    sim.cluster.load(`apiVersion: v1
kind: Pod
metadata: {name: early, namespace: default}
spec: {containers: [{name: c, image: registry.local/x:1}]}
`);
    await sim.startServer();
    await eventually(() => d.cluster.topic.state.status.state === 'connected', 'connected', 30_000);
    await eventually(() => d.cluster.topic.state.workloads.some((w) => w.key === 'default/pod/early'), 'the pod listed');
  }, 60_000);
});
