// The controller loop and kubelet: images, crash loops, OOM kills, ordered StatefulSets, Jobs,
// DaemonSet updates, logs of previous instances, and the bench's churn helper.
import { afterEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim, type KubeSimOptions } from './index.ts';
import { FAST, until } from './test-kit.ts';
import type { KObject, Obj } from './types.ts';

let sim: KubeSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: KubeSimOptions = {}): Promise<KubeSim> {
  sim = await startKubeSim({ port: 0, tickMs: 30, timing: FAST, logIntervalMs: 50, ...options });
  return sim;
}

const status = (pod: KObject | undefined): Obj => pod?.status?.containerStatuses?.[0] ?? {};

describe('kubelet', () => {
  it('keeps a pod waiting while its image is missing and starts it when the image appears', async () => {
    const s = await start({ images: [] });
    const info = s.cluster.api.info('v1', 'Pod');
    s.cluster.api.create(info, 'default', {
      metadata: { name: 'never' },
      spec: { containers: [{ name: 'main', image: 'registry.local/app:2', imagePullPolicy: 'Never' }] },
    });
    s.cluster.api.create(info, 'default', { metadata: { name: 'pull' }, spec: { containers: [{ name: 'main', image: 'registry.local/app:2' }] } });
    await until('ErrImageNeverPull', () => status(s.cluster.get('v1', 'Pod', 'default', 'never')).state?.waiting?.reason === 'ErrImageNeverPull');
    await until('ImagePullBackOff', () => status(s.cluster.get('v1', 'Pod', 'default', 'pull')).state?.waiting?.reason === 'ImagePullBackOff');
    expect(s.cluster.get('v1', 'Pod', 'default', 'never')?.status?.phase).toBe('Pending');
    const reasons = s.cluster.list('v1', 'Event', 'default').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ErrImageNeverPull', 'Failed', 'Pulling', 'BackOff']));
    s.cluster.images.add('registry.local/app:2');
    await until('both running', () => ['never', 'pull'].every((n) => s.cluster.get('v1', 'Pod', 'default', n)?.status?.phase === 'Running'));
  });

  it('gives every event its own name, even many recorded in one millisecond', async () => {
    const s = await start({ images: [] });
    const pod = s.cluster.api.create(s.cluster.api.info('v1', 'Pod'), 'default', { metadata: { name: 'burst' }, spec: { containers: [{ name: 'main', image: 'x:1' }] } });
    for (let i = 0; i < 200; i++) s.cluster.events.record(pod, 'Normal', 'Burst', `event ${i}`, { component: 'test' });
    const burst = s.cluster.list('v1', 'Event', 'default').filter((e) => e.reason === 'Burst');
    expect(burst).toHaveLength(200);
  });

  it('crash-loops with a growing restart count and back-off; OOMKilled shows in lastState', async () => {
    const s = await start();
    const info = s.cluster.api.info('v1', 'Pod');
    s.cluster.api.create(info, 'default', {
      metadata: { name: 'crash', annotations: { 'sim.outpost.dev/behavior': 'crashloop', 'sim.outpost.dev/run-ms': '50' } },
      spec: { containers: [{ name: 'main', image: 'a' }] },
    });
    s.cluster.api.create(info, 'default', {
      metadata: { name: 'oom', annotations: { 'sim.outpost.dev/behavior': 'oomkill', 'sim.outpost.dev/run-ms': '50' } },
      spec: { containers: [{ name: 'main', image: 'a' }] },
    });
    const backoff = await until('CrashLoopBackOff after restarts', () => {
      const st = status(s.cluster.get('v1', 'Pod', 'default', 'crash'));
      return st.restartCount >= 2 && st.state?.waiting?.reason === 'CrashLoopBackOff' ? st : undefined;
    });
    expect(backoff.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    const oom = await until('OOMKilled', () => {
      const st = status(s.cluster.get('v1', 'Pod', 'default', 'oom'));
      return st.lastState?.terminated?.reason === 'OOMKilled' ? st : undefined;
    });
    expect(oom.lastState.terminated.exitCode).toBe(137);
    const backoffs = s.cluster.list('v1', 'Event', 'default').filter((e) => e.reason === 'BackOff' && e.involvedObject.name === 'crash');
    expect(backoffs[0]?.message).toContain('Back-off restarting failed container main');
  });

  it('runs init containers in order before the main containers, and crash-loops a failing one', async () => {
    const s = await start();
    const info = s.cluster.api.info('v1', 'Pod');
    const started: string[] = [];
    const unsubscribe = s.cluster.store.subscribe((e) => {
      if (e.object.kind === 'Event' && e.type === 'ADDED' && e.object.reason === 'Started' && e.object.involvedObject.name === 'init')
        started.push(e.object.involvedObject.fieldPath);
    });
    s.cluster.api.create(info, 'default', {
      metadata: { name: 'init' },
      spec: {
        initContainers: [
          { name: 'migrate', image: 'a' },
          { name: 'warm', image: 'a' },
        ],
        containers: [{ name: 'main', image: 'a' }],
      },
    });
    s.cluster.api.create(info, 'default', {
      metadata: { name: 'bad-init', annotations: { 'sim.outpost.dev/behavior.setup': 'exit:2', 'sim.outpost.dev/run-ms.setup': '20' } },
      spec: { initContainers: [{ name: 'setup', image: 'a' }], containers: [{ name: 'main', image: 'a' }] },
    });
    const seen = new Set<string>();
    await until('init pod running', () => {
      const pod = s.cluster.get('v1', 'Pod', 'default', 'init');
      const phase = pod?.status?.phase;
      if (pod?.status?.initContainerStatuses) seen.add(`${phase}:${pod.status.conditions.find((c: Obj) => c.type === 'Initialized')?.status}`);
      return phase === 'Running';
    });
    unsubscribe();
    expect(started).toEqual(['spec.initContainers{migrate}', 'spec.initContainers{warm}', 'spec.containers{main}']);
    expect(seen.has('Pending:False')).toBe(true);
    const bad = await until('init crash loop', () => {
      const st = s.cluster.get('v1', 'Pod', 'default', 'bad-init')?.status;
      return st?.initContainerStatuses?.[0]?.restartCount >= 1 && st.initContainerStatuses[0].state.waiting?.reason === 'CrashLoopBackOff' ? st : undefined;
    });
    expect(bad.phase).toBe('Pending');
    expect(bad.containerStatuses[0].state.waiting.reason).toBe('PodInitializing');
  });

  it('serves previous logs after a crash and 400 for a container that never started', async () => {
    const s = await start({ images: [] });
    const info = s.cluster.api.info('v1', 'Pod');
    s.cluster.api.create(info, 'default', {
      metadata: { name: 'crash', annotations: { 'sim.outpost.dev/behavior': 'exit:3', 'sim.outpost.dev/run-ms': '120' } },
      spec: { containers: [{ name: 'main', image: 'a' }] },
    });
    s.cluster.api.create(info, 'default', { metadata: { name: 'waiting' }, spec: { containers: [{ name: 'main', image: 'missing' }] } });
    s.cluster.images.add('a');
    await until('restarted once', () => status(s.cluster.get('v1', 'Pod', 'default', 'crash')).restartCount >= 1);
    const prev = await fetch(`${s.url}/api/v1/namespaces/default/pods/crash/log?previous=true`);
    const text = await prev.text();
    expect(prev.status).toBe(200);
    expect(text).toMatch(/instance=0 seq=0/);
    expect(text.trim().split('\n').at(-1)).toContain('code=3');
    const waiting = await fetch(`${s.url}/api/v1/namespaces/default/pods/waiting/log`);
    expect(waiting.status).toBe(400);
    expect(((await waiting.json()) as Obj).message).toBe('container "main" in pod "waiting" is waiting to start: trying and failing to pull image');
  });
});

describe('workload controllers', () => {
  it('creates StatefulSet pods in order, each after the previous is ready', async () => {
    const s = await start({ timing: { ...FAST, readyAfterMs: 300 } });
    s.cluster.load(`apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: default}
spec:
  replicas: 3
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "pg:16"}]}
  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]
`);
    const created: string[] = [];
    const previousReady: boolean[] = [];
    const unsubscribe = s.cluster.store.subscribe((e) => {
      if (e.type === 'ADDED' && e.object.kind === 'Pod') {
        const previous = created.at(-1);
        if (previous)
          previousReady.push(s.cluster.get('v1', 'Pod', 'default', previous)?.status?.conditions?.find((c: Obj) => c.type === 'Ready')?.status === 'True');
        created.push(e.object.metadata.name);
      }
    });
    await until('sts ready', () => s.cluster.get('apps/v1', 'StatefulSet', 'default', 'db')?.status?.readyReplicas === 3, 10_000);
    unsubscribe();
    expect(created).toEqual(['db-0', 'db-1', 'db-2']);
    expect(previousReady).toEqual([true, true]);
    expect(s.cluster.list('v1', 'PersistentVolumeClaim', 'default').map((p) => p.metadata.name)).toEqual(['data-db-0', 'data-db-1', 'data-db-2']);
  });

  it('runs a Job to completion', async () => {
    const s = await start();
    s.cluster.load(`apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: default}
spec:
  completions: 2
  template:
    metadata: {annotations: {sim.outpost.dev/run-ms: "50"}}
    spec: {restartPolicy: Never, containers: [{name: c, image: "busybox"}]}
`);
    const job = await until('job complete', () => {
      const j = s.cluster.get('batch/v1', 'Job', 'default', 'once');
      return j?.status?.conditions?.some((c: Obj) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    });
    expect(job.status).toMatchObject({ succeeded: 2, failed: 0 });
    expect(s.cluster.list('v1', 'Pod', 'default').every((p) => p.status.phase === 'Succeeded')).toBe(true);
  });

  it('replaces the DaemonSet pod when its template changes', async () => {
    const s = await start();
    s.cluster.load(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: a, image: "agent:1"}]}
`);
    const first = await until('ds ready', () => s.cluster.list('v1', 'Pod', 'default').find((p) => p.status?.phase === 'Running')?.metadata.name);
    const info = s.cluster.api.info('apps/v1', 'DaemonSet');
    s.cluster.api.patch(
      info,
      'default',
      'agent',
      'application/strategic-merge-patch+json',
      JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'a', image: 'agent:2' }] } } } }),
    );
    await until('updated and ready', () => {
      const ds = s.cluster.get('apps/v1', 'DaemonSet', 'default', 'agent');
      return ds?.status?.updatedNumberScheduled === 1 && ds.status.numberReady === 1 && ds.status.observedGeneration === 2;
    });
    const pods = s.cluster.list('v1', 'Pod', 'default');
    expect(pods.map((p) => p.metadata.name)).not.toContain(first);
    expect(pods[0]?.spec.containers[0].image).toBe('agent:2');
  });
});

describe('deployment progress', () => {
  it('marks a rollout whose pods never become ready as ProgressDeadlineExceeded', async () => {
    const s = await start();
    s.cluster.load(`apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck, namespace: default}
spec:
  replicas: 1
  progressDeadlineSeconds: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}, annotations: {sim.outpost.dev/behavior: never-ready}}
    spec: {containers: [{name: c, image: "x:1"}]}
`);
    const cond = await until(
      'deadline exceeded',
      () =>
        s.cluster
          .get('apps/v1', 'Deployment', 'default', 'stuck')
          ?.status?.conditions?.find((c: Obj) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded'),
      6000,
    );
    expect(cond.status).toBe('False');
  });
});

describe('churn helper', () => {
  it('creates N pods and records events at the asked rate, keeping events bounded', async () => {
    const s = await start({ maxEvents: 100, run: true });
    const stop = s.cluster.churn({ pods: 50, eventsPerSecond: 200 });
    expect(s.cluster.list('v1', 'Pod', 'churn')).toHaveLength(50);
    await until('churn events', () => s.cluster.list('v1', 'Event', 'churn').filter((e) => e.reason === 'Heartbeat').length >= 40);
    stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(s.cluster.store.count('/events')).toBeLessThanOrEqual(100);
    const after = s.cluster.list('v1', 'Event', 'churn').filter((e) => e.source?.component === 'kube-sim-churn').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(s.cluster.list('v1', 'Event', 'churn').filter((e) => e.source?.component === 'kube-sim-churn').length).toBeLessThanOrEqual(after);
  });
});
