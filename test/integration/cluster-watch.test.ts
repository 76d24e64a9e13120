// The daemon's view of the cluster against the kube-sim: listing, trouble first, recovery after the
// API server goes away, and a relist after 410 Gone. Against a real cluster (OUTPOST_TEST_KUBECONFIG)
// only the listing runs: the others must stop the API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState, EventMessage, SnapshotMessage, WorkloadSummary } from '../../daemon/src/protocol/index.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import { eventually, REAL_KUBECONFIG, startTestCluster, testWorkloads, type TestCluster } from '../helpers/cluster.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';

let cluster: TestCluster;
let daemon: TestDaemon;
let viewer: TestSession;
const NS = `outpost-test-${process.pid}`;

if (REAL_KUBECONFIG) console.log(`cluster tests: against the real cluster in ${REAL_KUBECONFIG}`);
else console.log('cluster tests: against the kube-sim (set OUTPOST_TEST_KUBECONFIG to use a real cluster)');

beforeAll(async () => {
  cluster = await startTestCluster();
  const applied = await cluster.kubectl(['apply', '-f', '-'], testWorkloads(NS));
  expect(applied.code, applied.stderr).toBe(0);
  if (cluster.sim) {
    cluster.sim.cluster.load(`apiVersion: apps/v1
kind: Deployment
metadata: {name: crasher, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: crasher}}
  template:
    metadata: {labels: {app: crasher}, annotations: {sim.outpost.dev/behavior: crashloop}}
    spec:
      containers: [{name: main, image: registry.local/crasher:1}]
`);
  }
  daemon = await startTestDaemon({ cluster: { kubeconfig: cluster.kubeconfig, stabilitySeconds: 2 }, feed: { replayEvents: 4096 } });
  viewer = await userSession(daemon.home, daemon.url, 'vera', 'viewer');
}, 60_000);

afterAll(async () => {
  await cluster?.kubectl(['delete', 'namespace', NS, '--wait=false']);
  await daemon?.stop();
  await cluster?.close();
});

function isStatus(m: { type: string }, state: string): boolean {
  if (m.type !== 'event') return false;
  const event = (m as EventMessage<'cluster'>).event;
  return event.kind === 'cluster.status.v1' && event.status.state === state;
}

async function workloads(): Promise<WorkloadSummary[]> {
  const res = await fetch(new URL('/api/v1/workloads', daemon.url), { headers: viewer.auth() });
  expect(res.status).toBe(200);
  return ((await res.json()) as { workloads: WorkloadSummary[] }).workloads;
}

describe('cluster view', () => {
  it('lists the workloads with ready counts and puts the crash-looping one first with its exit code', async () => {
    const ready = await eventually(async () => (await workloads()).find((w) => w.key === `${NS}/deployment/ticker` && w.ready === 1), 'ticker ready', 60_000);
    expect(ready).toMatchObject({ desired: 1, status: 'Running' });
    // Healthy once it has been stable for the window (2 s here), with no watch event needed.
    const ticker = await eventually(async () => (await workloads()).find((w) => w.key === `${NS}/deployment/ticker` && w.severity === 'ok'), 'ticker settled', 30_000);
    expect(ticker).toMatchObject({ desired: 1, ready: 1, severity: 'ok', status: 'Running', reason: null });
    const lonely = (await workloads()).find((w) => w.key === `${NS}/pod/lonely`);
    expect(lonely?.recreated).toBe(false);
    if (!cluster.sim) return;
    const list = await eventually(async () => {
      const all = await workloads();
      return all[0]?.status === 'CrashLoopBackOff' ? all : null;
    }, 'a crash loop at the top', 30_000);
    expect(list[0]).toMatchObject({ key: `${NS}/deployment/crasher`, severity: 'trouble' });
    expect(list[0]?.reason).toMatch(/last exit code 1/);
  }, 90_000);

  it('shows the connection state on the feed and recovers by itself after the API server was down', async (ctx) => {
    if (!cluster.sim) return ctx.skip('needs the kube-sim: a real API server cannot be stopped by the test');
    const sim = cluster.sim;
    const client = await TestFeedClient.open(daemon.url, viewer.feed());
    client.send({ type: 'subscribe', topic: 'cluster' });
    const snapshot = await client.waitFor<SnapshotMessage<'cluster'>>((m) => m.type === 'snapshot' && m.topic === 'cluster');
    expect(snapshot.state.status.state).toBe('connected');
    const from = client.messages.length;
    await sim.stopServer();
    await client.waitFor((m) => isStatus(m, 'unreachable'), { from, timeoutMs: 20_000 });
    const health = await fetch(new URL('/healthz', daemon.url));
    expect(health.status).toBe(200);
    sim.cluster.load(`apiVersion: v1
kind: Pod
metadata: {name: made-while-down, namespace: ${NS}}
spec: {containers: [{name: c, image: registry.local/x:1}]}
`);
    await sim.startServer();
    await client.waitFor((m) => isStatus(m, 'connected'), { from, timeoutMs: 30_000 });
    await eventually(async () => (await workloads()).some((w) => w.key === `${NS}/pod/made-while-down`), 'the pod made while the server was down');
    client.close();
  }, 60_000);

  it('relists when the watch history is gone (410) and sees changes made meanwhile', async (ctx) => {
    if (!cluster.sim) return ctx.skip('needs the kube-sim to drop its watch history');
    const sim = cluster.sim;
    const before = daemon.cluster.view?.relists ?? 0;
    await sim.stopServer();
    sim.cluster.load(`apiVersion: v1
kind: Pod
metadata: {name: made-before-410, namespace: ${NS}}
spec: {containers: [{name: c, image: registry.local/x:1}]}
`);
    sim.cluster.store.dropHistory();
    await sim.startServer();
    await eventually(() => (daemon.cluster.view?.relists ?? 0) > before, 'a relist after 410');
    await eventually(async () => (await workloads()).some((w) => w.key === `${NS}/pod/made-before-410`), 'the pod after the relist');
    const state = daemon.cluster.topic.state as ClusterState;
    expect(state.status.state).toBe('connected');
  }, 60_000);

  it('follows a crash-looping container across its restarts and serves the previous container as a file', async (ctx) => {
    if (!cluster.sim) return ctx.skip('needs the kube-sim crash loop');
    const pod = await eventually(() => daemon.cluster.view?.caches.pods.values().find((p) => p.metadata?.namespace === NS && p.metadata.name?.startsWith('crasher-')), 'the crasher pod');
    const name = pod.metadata?.name ?? '';
    const client = await TestFeedClient.open(daemon.url, viewer.feed());
    client.send({ type: 'subscribe', topic: `logs:${NS}/${name}/main` });
    const instances = (): Set<string> => {
      const text = client.messages.map((m) => JSON.stringify(m)).join('\n');
      return new Set([...text.matchAll(/instance=(\d+) msg=\\"unrecoverable error/g)].map((m) => m[1] ?? ''));
    };
    // Fatal lines of three instances: the stream was re-opened after each restart (the previous
    // container's lines at subscribe time can account for one of them at most).
    await eventually(() => instances().size >= 3, 'fatal lines of three container instances', 40_000);
    const previous = await eventually(async () => {
      const res = await fetch(new URL(`/api/v1/pods/${NS}/${name}/logs?container=main&previous=true`, daemon.url), { headers: viewer.auth() });
      return res.status === 200 ? res.text() : null;
    }, 'the previous container log');
    expect(previous).toMatch(/unrecoverable error/);
    client.close();
  }, 60_000);

  it('lists recent warnings for the whole node', async () => {
    if (!cluster.sim) return;
    const events = await eventually(async () => {
      const res = await fetch(new URL('/api/v1/events?type=Warning', daemon.url), { headers: viewer.auth() });
      const body = (await res.json()) as { events: { type: string; reason: string }[] };
      return body.events.some((e) => e.reason === 'BackOff') ? body.events : null;
    }, 'a BackOff warning');
    expect(events.every((e) => e.type === 'Warning')).toBe(true);
  }, 30_000);
});
