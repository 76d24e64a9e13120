import { describe, expect, it } from 'vitest';
import { buildWorkloads, CRASH_MEMORY_MS, ownerChain, workloadModel, type ClusterObjects } from '../../../daemon/src/cluster/workload-model.ts';
import { rolloutProgress } from '../../../daemon/src/cluster/rollout.ts';
import type { KObject } from '../../../daemon/src/cluster/kube-types.ts';
import { reduceCluster, initialClusterState, type WorkloadSummary } from '../../../daemon/src/protocol/cluster.ts';

const T = '2026-11-26T10:00:00Z';
const ready = [{ type: 'Ready', status: 'True' }];

function deployment(ns: string, name: string, replicas = 1, status: object = { observedGeneration: 1, replicas, updatedReplicas: replicas, availableReplicas: replicas, readyReplicas: replicas }): KObject {
  return { metadata: { namespace: ns, name, generation: 1, creationTimestamp: T }, spec: { replicas, template: { spec: { containers: [{ name: 'c', image: `img/${name}:1` }] } } }, status };
}
function rs(ns: string, name: string, owner: string): KObject {
  return { metadata: { namespace: ns, name, ownerReferences: [{ kind: 'Deployment', name: owner, controller: true }] } };
}
function pod(ns: string, name: string, owner: { kind: string; name: string } | null, status: object, spec: object = { containers: [{ name: 'c', image: 'img:1' }] }): KObject {
  return { metadata: { namespace: ns, name, uid: `uid-${name}`, creationTimestamp: T, ownerReferences: owner ? [{ ...owner, controller: true }] : undefined }, spec, status };
}
function objects(partial: Partial<ClusterObjects>): ClusterObjects {
  return { namespaces: [], pods: [], deployments: [], replicasets: [], statefulsets: [], daemonsets: [], jobs: [], ...partial };
}

const running = { phase: 'Running', conditions: ready, containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }] };
const crashing = { phase: 'Running', conditions: [], containerStatuses: [{ name: 'c', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 3, reason: 'Error' } } }] };

describe('workload model', () => {
  it('attaches pods to their deployment through the ReplicaSet and counts ready pods', () => {
    const list = buildWorkloads(objects({ deployments: [deployment('a', 'web', 2)], replicasets: [rs('a', 'web-1', 'web')], pods: [pod('a', 'web-1-x', { kind: 'ReplicaSet', name: 'web-1' }, running), pod('a', 'web-1-y', { kind: 'ReplicaSet', name: 'web-1' }, running)] }));
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ key: 'a/deployment/web', ready: 2, desired: 2, status: 'Running', severity: 'ok', images: ['img/web:1'] });
  });

  it('names a crash loop with the last exit code and sorts it before healthy workloads', () => {
    const list = buildWorkloads(objects({ deployments: [deployment('a', 'aaa-ok'), deployment('z', 'zzz-bad', 1, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 })], replicasets: [rs('a', 'ok-1', 'aaa-ok'), rs('z', 'bad-1', 'zzz-bad')], pods: [pod('a', 'ok-1-x', { kind: 'ReplicaSet', name: 'ok-1' }, running), pod('z', 'bad-1-x', { kind: 'ReplicaSet', name: 'bad-1' }, crashing)] }));
    expect(list.map((w) => w.name)).toEqual(['zzz-bad', 'aaa-ok']);
    expect(list[0]).toMatchObject({ status: 'CrashLoopBackOff', severity: 'trouble', restarts: 4 });
    expect(list[0]?.reason).toContain('last exit code 3 (Error)');
  });

  it('reports a missing image, an OOM kill and an unschedulable pod with their reasons', () => {
    const never = pod('a', 'never', null, { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImageNeverPull', message: 'image not present with pull policy of Never' } } }] });
    const oom = pod('a', 'oom', null, { phase: 'Running', containerStatuses: [{ name: 'c', ready: false, restartCount: 1, state: { running: {} }, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }] });
    const pending = pod('a', 'pending', null, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.' }] });
    const byName = new Map(buildWorkloads(objects({ pods: [never, oom, pending] })).map((w) => [w.name, w]));
    expect(byName.get('never')).toMatchObject({ kind: 'pod', status: 'ErrImageNeverPull', severity: 'trouble', recreated: false });
    expect(byName.get('never')?.reason).toContain('pull policy of Never');
    expect(byName.get('oom')).toMatchObject({ status: 'OOMKilled', severity: 'trouble' });
    expect(byName.get('pending')?.reason).toContain('Insufficient memory');
  });

  it('shows a rollout in progress until the new pods are available', () => {
    const rolling = deployment('a', 'web', 2, { observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2 });
    rolling.metadata!.generation = 2;
    const [w] = buildWorkloads(objects({ deployments: [rolling] }));
    expect(w).toMatchObject({ status: 'Progressing', severity: 'progressing' });
    expect(w?.reason).toBe('1 of 2 new pods created');
  });

  it('gives StatefulSet, DaemonSet and Job pods to their owners and finishes a job as done', () => {
    const sts: KObject = { metadata: { namespace: 'h', name: 'db', generation: 1 }, spec: { replicas: 1, template: { spec: { containers: [{ image: 'db:1' }] } } }, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'r1', updateRevision: 'r1' } };
    const ds: KObject = { metadata: { namespace: 'e', name: 'agent', generation: 1 }, spec: { template: { spec: { containers: [{ image: 'agent:1' }] } } }, status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 } };
    const job: KObject = { metadata: { namespace: 'h', name: 'compact' }, spec: { completions: 1, template: { spec: { containers: [{ image: 'db:1' }] } } }, status: { succeeded: 1 } };
    const list = buildWorkloads(objects({ statefulsets: [sts], daemonsets: [ds], jobs: [job], pods: [pod('h', 'db-0', { kind: 'StatefulSet', name: 'db' }, running), pod('e', 'agent-x', { kind: 'DaemonSet', name: 'agent' }, running), pod('h', 'compact-x', { kind: 'Job', name: 'compact' }, { phase: 'Succeeded' })] }));
    expect(list.map((w) => `${w.kind}:${w.status}:${w.ready}/${w.desired}`)).toEqual(['daemonset:Running:1/1', 'statefulset:Running:1/1', 'job:Completed:1/1']);
  });

  it('follows the owner chain of a pod up to its deployment', () => {
    const p = pod('a', 'web-1-x', { kind: 'ReplicaSet', name: 'web-1' }, running);
    expect(ownerChain(p, [rs('a', 'web-1', 'web')])).toEqual(['Pod/web-1-x', 'ReplicaSet/web-1', 'Deployment/web']);
  });
});

describe('workload status judged by the settled predicate', () => {
  const NOW = Date.parse(T) + 3600_000;
  const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();
  const readySince = (msAgo: number) => [{ type: 'Ready', status: 'True', lastTransitionTime: at(msAgo) }];
  /** Between two crashes: running and even ready, but it exited with code 1 a moment ago. */
  const betweenCrashes = (restarts: number, crashedMsAgo: number) => ({
    phase: 'Running',
    conditions: readySince(crashedMsAgo - 500),
    containerStatuses: [{ name: 'c', ready: true, restartCount: restarts, state: { running: { startedAt: at(crashedMsAgo - 200) } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: at(crashedMsAgo) } } }],
  });
  const web = (status: object) => objects({ deployments: [deployment('a', 'web')], replicasets: [rs('a', 'web-1', 'web')], pods: [pod('a', 'web-1-x', { kind: 'ReplicaSet', name: 'web-1' }, status)] });

  it('keeps a crash loop in trouble while the container briefly runs and is ready between crashes', () => {
    const { workloads, nextChangeAt } = workloadModel(web(betweenCrashes(4, 2_000)), { now: NOW, stabilityMs: 30_000 });
    expect(workloads[0]).toMatchObject({ status: 'CrashLoopBackOff', severity: 'trouble', ready: 1 });
    expect(workloads[0]?.reason).toBe('c: last exit code 1 (Error), restarted 4 times');
    // It is judged again when the crash leaves the memory, even if no watch event arrives.
    expect(nextChangeAt).toBe(NOW - 2_000 + 999 + CRASH_MEMORY_MS);
  });

  it('calls a single recent crash "Crashed", and lets it go once it is older than the crash memory', () => {
    expect(buildWorkloads(web(betweenCrashes(1, 60_000)), { now: NOW })[0]).toMatchObject({ status: 'Crashed', severity: 'trouble' });
    expect(buildWorkloads(web(betweenCrashes(1, CRASH_MEMORY_MS + 60_000)), { now: NOW })[0]).toMatchObject({ status: 'Running', severity: 'ok' });
  });

  it('says a freshly started workload is settling until it has been stable for the window, then ok', () => {
    const fresh = { phase: 'Running', conditions: readySince(5_000), containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: { startedAt: at(6_000) } } }] };
    const model = workloadModel(web(fresh), { now: NOW, stabilityMs: 30_000 });
    expect(model.workloads[0]).toMatchObject({ status: 'Running', severity: 'progressing' });
    expect(model.workloads[0]?.reason).toMatch(/settling/);
    expect(model.nextChangeAt).toBe(NOW - 5_000 + 999 + 30_000);
    expect(workloadModel(web(fresh), { now: NOW + 30_000, stabilityMs: 30_000 }).workloads[0]).toMatchObject({ status: 'Running', severity: 'ok', reason: null });
  });

  it('judges nothing by time without a clock', () => {
    expect(workloadModel(web(betweenCrashes(4, 2_000))).workloads[0]).toMatchObject({ status: 'Running', severity: 'ok' });
    expect(workloadModel(web(betweenCrashes(4, 2_000))).nextChangeAt).toBeNull();
  });
});

describe('rollout status', () => {
  it('waits for the controller to observe the restart generation, then for available pods', () => {
    const d = deployment('a', 'web', 1, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 });
    expect(rolloutProgress('deployment', d, 2)).toMatchObject({ done: false, message: 'waiting for the controller to see the change' });
    expect(rolloutProgress('deployment', { ...d, status: { ...d.status, observedGeneration: 2 } }, 2)).toMatchObject({ done: true });
  });

  it('fails when the deployment exceeded its progress deadline', () => {
    const d = deployment('a', 'web', 1, { observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-2" has timed out progressing.' }] });
    expect(rolloutProgress('deployment', d)).toMatchObject({ failed: true, message: 'ReplicaSet "web-2" has timed out progressing.' });
  });
});

describe('cluster reducer', () => {
  const w = (name: string, severity: WorkloadSummary['severity']): WorkloadSummary => ({ key: `n/deployment/${name}`, namespace: 'n', kind: 'deployment', name, ready: 1, desired: 1, restarts: 0, createdAt: null, images: [], status: 'Running', reason: null, severity, recreated: true });

  it('keeps trouble first as upserts and removals arrive', () => {
    let state = initialClusterState({ state: 'connected', since: 0, lastError: null, source: null, server: null });
    state = reduceCluster(state, { kind: 'cluster.upsert.v1', workloads: [w('a', 'ok'), w('b', 'ok')] });
    state = reduceCluster(state, { kind: 'cluster.upsert.v1', workloads: [w('b', 'trouble')] });
    expect(state.workloads.map((x) => x.name)).toEqual(['b', 'a']);
    state = reduceCluster(state, { kind: 'cluster.remove.v1', keys: ['n/deployment/b'] });
    expect(state.workloads.map((x) => x.name)).toEqual(['a']);
  });
});
