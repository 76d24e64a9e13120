// Restarts and logs through the daemon against the kube-sim (or a real cluster with
// OUTPOST_TEST_KUBECONFIG): a rollout restart is done only once settled healthy and is audited, a
// crash-looping one ends failed with its exit code and last log line (audited as a failure), a
// second restart while one runs is refused, a bare pod needs a confirmation, viewers cannot
// restart, log follow delivers new lines and ends when the pod goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage, LogsState, RestartAccepted, SnapshotMessage } from '../../daemon/src/protocol/index.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { AuditLog } from '../../daemon/src/audit/index.ts';
import { userSession, type TestSession } from '../helpers/auth.ts';
import { eventually, startTestCluster, testWorkloads, type TestCluster } from '../helpers/cluster.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';

let cluster: TestCluster;
let daemon: TestDaemon;
let operator: TestSession;
let viewer: TestSession;
const NS = `outpost-act-${process.pid}`;

beforeAll(async () => {
  cluster = await startTestCluster();
  const applied = await cluster.kubectl(['apply', '-f', '-'], testWorkloads(NS));
  expect(applied.code, applied.stderr).toBe(0);
  const crasher = await cluster.kubectl(['apply', '-f', '-'], crashingWorkload(NS));
  expect(crasher.code, crasher.stderr).toBe(0);
  daemon = await startTestDaemon({ cluster: { kubeconfig: cluster.kubeconfig, rolloutTimeoutSeconds: 120, stabilitySeconds: 3 } });
  operator = await userSession(daemon.home, daemon.url, 'otto', 'operator');
  viewer = await userSession(daemon.home, daemon.url, 'vera', 'viewer');
  await eventually(() => daemon.cluster.topic.state.workloads.find((w) => w.key === `${NS}/deployment/ticker` && w.ready === 1), 'ticker ready', 90_000);
}, 120_000);

afterAll(async () => {
  await cluster?.kubectl(['delete', 'namespace', NS, '--wait=false']);
  await daemon?.stop();
  await cluster?.close();
});

/** A deployment whose container writes one line and exits 1 after 1 s, on the sim and on a real node. */
function crashingWorkload(namespace: string): string {
  const image = process.env.OUTPOST_TEST_IMAGE ?? 'docker.io/library/busybox:1.36';
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: crasher, namespace: ${namespace}}
spec:
  replicas: 1
  selector: {matchLabels: {app: crasher}}
  template:
    metadata:
      labels: {app: crasher}
      annotations: {sim.outpost.dev/behavior: crashloop, sim.outpost.dev/run-ms: "1000"}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - {name: work, image: ${image}, command: [sh, -c, 'sleep 1; echo "level=fatal msg=\\"unrecoverable error, exiting\\" code=1"; exit 1']}
`;
}

function restart(session: TestSession, kind: string, name: string, body: object = {}): Promise<Response> {
  return fetch(new URL(`/api/v1/workloads/${NS}/${kind}/${name}/restart`, daemon.url), { method: 'POST', headers: session.headers(), body: JSON.stringify(body) });
}

function auditRecords(action: string) {
  const db = openDatabase(daemon.home);
  try {
    return new AuditLog(db).query({ action });
  } finally {
    db.close();
  }
}

describe('restart', () => {
  it('rolls a deployment out from the API, shows progress on the feed to done, and audits it', async () => {
    const client = await TestFeedClient.open(daemon.url, operator.feed());
    client.send({ type: 'subscribe', topic: 'cluster' });
    await client.waitFor((m) => m.type === 'snapshot');
    const res = await restart(operator, 'deployment', 'ticker');
    expect(res.status).toBe(202);
    const { action } = (await res.json()) as RestartAccepted;
    expect(action).toMatchObject({ target: `${NS}/deployment/ticker`, phase: 'accepted', actor: 'otto' });
    const done = await client.waitFor<EventMessage<'cluster'>>((m) => m.type === 'event' && (m as EventMessage<'cluster'>).event.kind === 'cluster.action.v1' && ['done', 'failed'].includes((m as EventMessage<'cluster'> & { event: { action: { id: string; phase: string } } }).event.action.phase), { timeoutMs: 90_000 });
    expect(done.event).toMatchObject({ action: { id: action.id, phase: 'done', message: 'ready and stable for 3 s' } });
    const rs = await cluster.kubectl(['get', 'deployment', 'ticker', '-n', NS, '-o', "jsonpath={.spec.template.metadata.annotations['kubectl\\.kubernetes\\.io/restartedAt']}"]);
    expect(rs.stdout).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(auditRecords('workload.restart')[0]).toMatchObject({ actor: 'otto', role: 'operator', target: `${NS}/deployment/ticker`, outcome: 'success' });
    expect(auditRecords('workload.restart.outcome')[0]).toMatchObject({ target: `${NS}/deployment/ticker`, outcome: 'success' });
    client.close();
  }, 120_000);

  it('keeps the crash loop in trouble between crashes', async () => {
    await eventually(() => daemon.cluster.topic.state.workloads.find((w) => w.key === `${NS}/deployment/crasher` && w.restarts > 0), 'crasher crashing', 60_000);
    const seen = new Set<string>();
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      const w = daemon.cluster.topic.state.workloads.find((x) => x.key === `${NS}/deployment/crasher`);
      if (w) seen.add(w.severity);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([...seen]).toEqual(['trouble']);
  }, 20_000);

  it('ends a crash-looping restart "failed" with the exit code and the last log line, and audits the failure', async () => {
    await eventually(() => daemon.cluster.topic.state.workloads.find((w) => w.key === `${NS}/deployment/crasher` && w.restarts > 0), 'crasher crashing', 60_000);
    const res = await restart(operator, 'deployment', 'crasher');
    expect(res.status).toBe(202);
    const { action } = (await res.json()) as RestartAccepted;
    const second = await restart(operator, 'deployment', 'crasher');
    expect(second.status).toBe(409);
    expect(((await second.json()) as { code: string }).code).toBe('restart_in_progress');
    const end = await eventually(() => daemon.cluster.topic.state.actions.find((a) => a.id === action.id && (a.phase === 'done' || a.phase === 'failed')), 'the outcome', 90_000);
    expect(end.phase).toBe('failed');
    expect(end.message).toMatch(/exit code 1/);
    expect(end.message).toMatch(/last log line: .*unrecoverable error, exiting/);
    const outcome = auditRecords('workload.restart.outcome').find((r) => r.target === `${NS}/deployment/crasher`);
    expect(outcome).toMatchObject({ actor: 'otto', outcome: 'failure' });
    expect(JSON.stringify(outcome?.detail)).toMatch(/exit code 1/);
    // Once the outcome is known, the workload may be restarted again.
    expect((await restart(operator, 'deployment', 'crasher')).status).toBe(202);
  }, 120_000);

  it('refuses a restart at once while the API server does not answer', async (ctx) => {
    if (!cluster.sim) return ctx.skip('needs the kube-sim: a real API server cannot be stopped by the test');
    await cluster.sim.stopServer();
    try {
      await eventually(() => daemon.cluster.topic.state.status.state === 'unreachable', 'unreachable', 30_000);
      const res = await restart(operator, 'deployment', 'ticker');
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('cluster_unreachable');
    } finally {
      await cluster.sim.startServer();
    }
    await eventually(() => daemon.cluster.topic.state.status.state === 'connected', 'connected again', 30_000);
  }, 60_000);

  it('refuses a viewer', async () => {
    const res = await restart(viewer, 'deployment', 'ticker');
    expect(res.status).toBe(403);
  });

  it('answers 404 with a clear code for a workload that does not exist, and audits the failure', async () => {
    const res = await restart(operator, 'deployment', 'no-such-thing');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('workload_not_found');
    expect(auditRecords('workload.restart').some((r) => r.target === `${NS}/deployment/no-such-thing` && r.outcome === 'failure')).toBe(true);
  });

  it('asks for confirmation before deleting a pod nothing recreates', async () => {
    const res = await restart(operator, 'pod', 'lonely');
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('pod_not_recreated');
    expect(daemon.cluster.view?.caches.pods.get(NS, 'lonely')).toBeDefined();
  });
});

describe('logs', () => {
  it('follows a container on a logs: topic, delivers new lines, and ends when the pod is deleted', async () => {
    const client = await TestFeedClient.open(daemon.url, viewer.feed());
    const topic = `logs:${NS}/lonely/tick`;
    client.send({ type: 'subscribe', topic });
    const snapshot = await client.waitFor<SnapshotMessage>((m) => m.type === 'snapshot' && m.topic === (topic as never));
    expect((snapshot.state as unknown as LogsState).ended).toBe(false);
    const from = client.messages.length;
    const isLines = (m: { type: string; topic?: unknown; event?: unknown }) => m.type === 'event' && m.topic === topic && (m.event as { kind: string }).kind === 'logs.lines.v1';
    const first = await client.waitFor(isLines, { from, timeoutMs: 15_000 });
    // A later batch: lines written after the follow began, not just the initial tail.
    await client.waitFor(isLines, { from: client.messages.indexOf(first) + 1, timeoutMs: 15_000 });
    const download = await fetch(new URL(`/api/v1/pods/${NS}/lonely/logs?container=tick&tailLines=5`, daemon.url), { headers: viewer.auth() });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/attachment; filename=".*lonely_tick/);
    expect((await download.text()).trim().split('\n').length).toBeLessThanOrEqual(5);

    const res = await restart(operator, 'pod', 'lonely', { confirm: true });
    expect(res.status).toBe(202);
    const ended = await client.waitFor((m) => m.type === 'event' && (m.topic as string) === topic && (m.event as { kind: string }).kind === 'logs.ended.v1', { timeoutMs: 30_000 });
    expect((ended as unknown as { event: { reason: string } }).event.reason).toMatch(/gone/);
    expect(auditRecords('pod.delete')[0]).toMatchObject({ target: `${NS}/pod/lonely`, outcome: 'success' });
    client.close();
  }, 60_000);
});
