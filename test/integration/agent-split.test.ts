// The privilege split against the kube-sim's RBAC (scripts/k8s applied as on a device): the web
// process (`outpost serve --with-agent`) holds only the read-only `outpost-web` token, watches and
// shows the workloads, and the API server refuses that identity every write; a restart asked over
// the API goes through the agent, which holds the `outpost-agent` token, is done, and is audited by
// the agent with the request's id; killing the idle agent is critical on the device verdict until
// the web has started it again, after which restarts work again.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../daemon/src/audit/index.ts';
import type { DeviceVerdict, EventMessage, RestartAccepted, WorkloadSummary } from '../../daemon/src/protocol/index.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { startHarness, type SimHarness } from '../kube-sim/test-kit.ts';
import { createUser, login, type TestSession } from '../helpers/auth.ts';
import { eventually } from '../helpers/cluster.ts';
import { CLI, spawnDaemon, stopDaemon, tempDir, type SpawnedDaemon } from '../helpers/daemon.ts';
import { TestFeedClient } from '../helpers/feed-client.ts';

const SCRIPTS = fileURLToPath(new URL('../../scripts/k8s/', import.meta.url));
const NS = 'plant';
let sim: SimHarness;
let daemon: SpawnedDaemon;
let operator: TestSession;
let home: string;
const kubeconfigs = { web: '', agent: '' };

const WORKLOADS = `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ticker, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ticker}}
  template:
    metadata: {labels: {app: ticker}}
    spec:
      containers: [{name: tick, image: docker.io/library/busybox:1.36, command: [sh, -c, 'while true; do echo tick; sleep 1; done']}]
`;

/** kubectl with one of Outpost's identities (ServiceAccount tokens need HTTPS, which the sim serves). */
function kubectlAs(kubeconfig: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(sim.dir, `cache-${path.basename(kubeconfig)}`), ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? 1 : 0, out: `${stdout}${stderr}` }),
    );
  });
}

async function getJson<T>(route: string): Promise<T> {
  const res = await fetch(new URL(route, daemon.url), { headers: operator.auth() });
  expect(res.status, route).toBe(200);
  return (await res.json()) as T;
}

function auditRecords(action: string) {
  const db = openDatabase(home);
  try {
    return new AuditLog(db).query({ action });
  } finally {
    db.close();
  }
}

async function restartAndWait(): Promise<{ accepted: RestartAccepted['action']; done: EventMessage<'cluster'> }> {
  const feed = await TestFeedClient.open(daemon.url, operator.feed());
  try {
    feed.send({ type: 'subscribe', topic: 'cluster' });
    await feed.waitFor((m) => m.type === 'snapshot');
    const res = await fetch(new URL(`/api/v1/workloads/${NS}/deployment/ticker/restart`, daemon.url), { method: 'POST', headers: operator.headers(), body: '{}' });
    expect(res.status, await res.clone().text()).toBe(202);
    const { action } = (await res.json()) as RestartAccepted;
    const isEnd = (m: unknown) => {
      const e = (m as EventMessage<'cluster'>).event as { kind?: string; action?: { id: string; phase: string } } | undefined;
      return e?.kind === 'cluster.action.v1' && e.action?.id === action.id && ['done', 'failed'].includes(e.action.phase);
    };
    const done = await feed.waitFor<EventMessage<'cluster'>>((m) => m.type === 'event' && isEnd(m), { timeoutMs: 90_000 });
    return { accepted: action, done };
  } finally {
    feed.close();
  }
}

beforeAll(async () => {
  sim = await startHarness({ bookmarkMs: 1000 });
  for (const manifest of [SCRIPTS, '-']) {
    const applied = manifest === '-' ? await sim.kubectl(['apply', '-f', '-'], { input: WORKLOADS }) : await sim.kubectl(['apply', '-f', manifest]);
    expect(applied.code, applied.stderr).toBe(0);
  }
  kubeconfigs.web = await sim.sim.writeKubeconfig(path.join(sim.dir, 'web.kubeconfig'), { serviceAccount: 'outpost-system/outpost-web' });
  kubeconfigs.agent = await sim.sim.writeKubeconfig(path.join(sim.dir, 'agent.kubeconfig'), { serviceAccount: 'outpost-system/outpost-agent' });
  home = tempDir('outpost-split-');
  const config = path.join(home, 'config.json');
  writeFileSync(config, JSON.stringify({ log: { level: 'info' }, cluster: { rolloutTimeoutSeconds: 120, stabilitySeconds: 3 } }));
  await createUser(home, 'otto', 'operator');
  daemon = await spawnDaemon({ home, config, args: ['--with-agent'], timeoutMs: 60_000, env: { OUTPOST_KUBECONFIG: kubeconfigs.web, OUTPOST_AGENT_KUBECONFIG: kubeconfigs.agent } });
  operator = await login(daemon.url, 'otto');
}, 180_000);

afterAll(async () => {
  if (daemon) await stopDaemon(daemon);
  await sim?.close();
});

describe('the web process with its read-only identity', () => {
  it('watches and shows the workloads', async () => {
    const shown = await eventually(async () => {
      const { workloads } = await getJson<{ workloads: WorkloadSummary[] }>('/api/v1/workloads');
      return workloads.find((w) => w.key === `${NS}/deployment/ticker` && w.ready === 1);
    }, 'ticker shown ready', 60_000);
    expect(shown.name).toBe('ticker');
  }, 90_000);

  it('is refused every write by the API server (403), where the agent identity may restart', async () => {
    const restart = await kubectlAs(kubeconfigs.web, ['-n', NS, 'rollout', 'restart', 'deployment/ticker', '--v=6']);
    expect(restart.code).toBe(1);
    expect(restart.out).toMatch(/PATCH https:.*deployments\/ticker.* 403 Forbidden/);
    expect(restart.out).toContain('system:serviceaccount:outpost-system:outpost-web');
    const remove = await kubectlAs(kubeconfigs.web, ['-n', NS, 'delete', 'pods', '--all', '--wait=false']);
    expect(remove.out).toMatch(/forbidden/);
    const canI = await kubectlAs(kubeconfigs.web, ['auth', 'can-i', 'patch', 'deployments', '-n', NS]);
    expect(canI.out.trim()).toBe('no');
    expect((await kubectlAs(kubeconfigs.agent, ['auth', 'can-i', 'patch', 'deployments', '-n', NS])).out.trim()).toBe('yes');
    // The web's own kubeconfig carries no other credentials than its token.
    expect(readFileSync(kubeconfigs.web, 'utf8')).not.toMatch(/client-key|kube-sim-admin/);
  }, 60_000);
});

describe('a restart through the agent', () => {
  it('is done, and the agent audits it with the request id', async () => {
    const { accepted, done } = await restartAndWait();
    expect(accepted).toMatchObject({ target: `${NS}/deployment/ticker`, actor: 'otto' });
    expect(done.event).toMatchObject({ action: { id: accepted.id, phase: 'done' } });
    const annotation = await sim.kubectl(['get', 'deployment', 'ticker', '-n', NS, '-o', "jsonpath={.spec.template.metadata.annotations['kubectl\\.kubernetes\\.io/restartedAt']}"]);
    expect(annotation.stdout).toMatch(/^\d{4}-\d\d-\d\dT/);
    const [asked] = await eventually(() => (auditRecords('workload.restart').length > 0 ? auditRecords('workload.restart') : null), 'the agent’s record');
    expect(asked).toMatchObject({ actor: 'otto', role: 'operator', target: `${NS}/deployment/ticker`, outcome: 'success' });
    const requestId = (JSON.parse(asked!.detail) as { requestId?: string }).requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [outcome] = await eventually(() => (auditRecords('workload.restart.outcome').length > 0 ? auditRecords('workload.restart.outcome') : null), 'the outcome record');
    expect(JSON.parse(outcome!.detail)).toMatchObject({ requestId, actionId: accepted.id });
    // Records the web handed over (the login) and the agent's own are one chain, under the agent's key.
    expect(auditRecords('session.login').length).toBeGreaterThan(0);
    const verify = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, [CLI, 'audit', 'verify', '--home', home, '--config', 'none'], (error, stdout, stderr) => resolve({ code: error ? 1 : 0, out: `${stdout}${stderr}` })),
    );
    expect(verify.code, verify.out).toBe(0);
  }, 120_000);
});

describe('when the agent dies', () => {
  it('the verdict says so at once (Outpost fault, critical), the web starts it again, and restarts work again', async () => {
    const pid = Number(readFileSync(path.join(home, 'agent.pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    const down = await eventually(async () => {
      const verdict = await getJson<DeviceVerdict>('/api/v1/status');
      return verdict.reasons.find((r) => r.source === 'outpost' && r.subject === 'agent') ? verdict : null;
    }, 'the verdict to name the agent', 10_000);
    expect(down.status).toBe('critical');
    expect(down.reasons.find((r) => r.subject === 'agent')?.message).toMatch(/privileged agent is not running.*being started again/);
    await eventually(async () => {
      const verdict = await getJson<DeviceVerdict>('/api/v1/status');
      return !verdict.reasons.some((r) => r.subject === 'agent');
    }, 'the agent to be back', 30_000);
    const again = Number(readFileSync(path.join(home, 'agent.pid'), 'utf8'));
    expect(again).not.toBe(pid);
    expect(daemon.stderr()).toMatch(/listening on .*agent\.sock[\s\S]*listening on .*agent\.sock/);
    const { done } = await restartAndWait();
    expect(done.event).toMatchObject({ action: { phase: 'done' } });
  }, 180_000);
});
