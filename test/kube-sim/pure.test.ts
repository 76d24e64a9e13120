// Unit tests of the sim's pure parts: selectors, rollout arithmetic, table cells, log lines,
// behaviours and the store's history (patches and server-side apply: patch-pure.test.ts).
import { describe, expect, it } from 'vitest';
import { crashBackoff, parseBehavior, planContainer } from './behavior.ts';
import { normalizeImage, ImageStore } from './images.ts';
import { instanceLines, selectLines } from './logs.ts';
import { fenceposts, newReplicas, oldReplicas, templateHash } from './rollout.ts';
import { fieldsOf, fromLabelSelector, matches, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { Store } from './store.ts';
import { humanDuration, podStatusCells } from './tables.ts';
import { ApiError } from './types.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['tier in (front,back)', true],
    ['tier notin (front)', false],
    ['env', true],
    ['!env', false],
    ['!missing', true],
    ['app=web,tier in (back)', false],
    ['app=web, env in (prod, staging)', true],
  ])('%s matches: %s', (text, expected) => {
    expect(matches(parseLabelSelector(text), labels)).toBe(expected);
  });

  it('rejects malformed selectors with a 400', () => {
    expect(() => parseLabelSelector('app=we b')).toThrow(ApiError);
    expect(() => parseLabelSelector('=x')).toThrow(/unable to parse/);
  });

  it('turns a LabelSelector object into the same requirements', () => {
    const sel = fromLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod'] },
        { key: 'gone', operator: 'DoesNotExist' },
      ],
    });
    expect(matches(sel, labels)).toBe(true);
    expect(matches(sel, { ...labels, gone: '1' })).toBe(false);
  });

  it('field selectors read the fields the API server exposes per kind', () => {
    const event = {
      metadata: { name: 'e', namespace: 'ns' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u1' },
      reason: 'Started',
      type: 'Normal',
    };
    expect(matches(parseFieldSelector('involvedObject.name=p,involvedObject.uid=u1'), fieldsOf('Event', event))).toBe(true);
    expect(matches(parseFieldSelector('involvedObject.kind!=Pod'), fieldsOf('Event', event))).toBe(false);
    const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
    expect(matches(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed,metadata.namespace=ns'), fieldsOf('Pod', pod))).toBe(true);
    expect(() => parseFieldSelector('a in (b)')).toThrow(ApiError);
  });
});

describe('rollout arithmetic', () => {
  it('resolves 25% surge up and 25% unavailable down', () => {
    expect(fenceposts(3, '25%', '25%')).toEqual({ surge: 1, unavailable: 0 });
    expect(fenceposts(10, '25%', '25%')).toEqual({ surge: 3, unavailable: 2 });
    expect(fenceposts(1, 0, 0)).toEqual({ surge: 0, unavailable: 1 });
  });

  it('a rolling update converges with availability never below the floor', () => {
    const desired = 4;
    const { surge, unavailable } = fenceposts(desired, '25%', '25%');
    let next = { name: 'new', replicas: 0, available: 0 };
    let old = { name: 'old', replicas: 4, available: 4 };
    for (let step = 0; step < 20 && !(next.available === desired && old.replicas === 0); step++) {
      next.replicas = newReplicas(desired, surge, next, [old, next]);
      old.replicas = oldReplicas(desired, unavailable, next, [old]).get('old') ?? old.replicas;
      old.available = Math.min(old.available, old.replicas);
      expect(old.replicas + next.replicas).toBeLessThanOrEqual(desired + surge);
      expect(old.available + next.available).toBeGreaterThanOrEqual(desired - unavailable);
      next = { ...next, available: next.replicas };
      old = { ...old };
    }
    expect(next).toEqual({ name: 'new', replicas: 4, available: 4 });
    expect(old.replicas).toBe(0);
  });

  it('hashes templates independently of key order', () => {
    expect(templateHash({ a: 1, b: { c: 2, d: 3 } })).toBe(templateHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(templateHash({ a: 1 })).not.toBe(templateHash({ a: 2 }));
  });
});

describe('table cells', () => {
  it('formats ages like the API server', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(119_000)).toBe('119s');
    expect(humanDuration(150_000)).toBe('2m30s');
    expect(humanDuration(3 * 3600_000 + 5 * 60_000)).toBe('3h5m');
    expect(humanDuration(50 * 3600_000)).toBe('2d2h');
  });

  it('shows the waiting reason, restarts with their age, and Terminating', () => {
    const now = Date.parse('2026-01-01T00:01:00Z');
    const pod = {
      metadata: {},
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
          {
            name: 'b',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { finishedAt: '2026-01-01T00:00:50Z' } },
          },
        ],
      },
    };
    expect(podStatusCells(pod, now)).toEqual({ ready: '1/2', status: 'CrashLoopBackOff', restarts: '3 (10s ago)' });
    expect(podStatusCells({ ...pod, metadata: { deletionTimestamp: 'x' } }, now).status).toBe('Terminating');
  });

  it('shows init progress and init failures like kubectl', () => {
    const base = { metadata: {}, spec: { initContainers: [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'm' }] } };
    const done = { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } };
    const running = { name: 'b', restartCount: 0, state: { running: {} } };
    const main = [{ name: 'm', restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }];
    expect(podStatusCells({ ...base, status: { phase: 'Pending', initContainerStatuses: [done, running], containerStatuses: main } }, 0).status).toBe(
      'Init:1/2',
    );
    const looping = { name: 'b', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } };
    expect(podStatusCells({ ...base, status: { phase: 'Pending', initContainerStatuses: [done, looping], containerStatuses: main } }, 0)).toMatchObject({
      status: 'Init:CrashLoopBackOff',
      restarts: '2',
    });
  });
});

describe('container behaviour and logs', () => {
  it('parses behaviours and defaults by restart policy', () => {
    expect(parseBehavior('exit:3', { kind: 'ready' })).toEqual({ kind: 'exit', code: 3, reason: 'Error' });
    expect(parseBehavior('oomkill', { kind: 'ready' })).toEqual({ kind: 'exit', code: 137, reason: 'OOMKilled' });
    expect(parseBehavior('bogus', { kind: 'ready' })).toEqual({ kind: 'ready' });
    const pod = {
      metadata: { annotations: { 'sim.outpost.dev/behavior': 'crashloop', 'sim.outpost.dev/behavior.side': 'ready', 'sim.outpost.dev/ready-after-ms': '5' } },
      spec: { restartPolicy: 'Never' },
    };
    expect(planContainer(pod, 'main', { readyAfterMs: 100, runMs: 200 })).toEqual({
      behavior: { kind: 'exit', code: 1, reason: 'Error' },
      readyAfterMs: 5,
      runMs: 200,
    });
    expect(planContainer(pod, 'side', { readyAfterMs: 100, runMs: 200 }).behavior).toEqual({ kind: 'ready' });
    expect(planContainer({ spec: { restartPolicy: 'OnFailure' } }, 'x', { readyAfterMs: 0, runMs: 0 }).behavior.kind).toBe('exit');
    expect([0, 1, 2, 3, 10].map((n) => crashBackoff(n, 10, 50))).toEqual([0, 10, 20, 40, 50]);
  });

  it('generates the same lines for the same instance, bounded, with tail and since', () => {
    const inst = { index: 0, start: 0 };
    const a = instanceLines('p', 'c', 'img', inst, 10_000, 1000, 100);
    expect(a).toHaveLength(11);
    expect(instanceLines('p', 'c', 'img', inst, 10_000, 1000, 100)).toEqual(a);
    expect(instanceLines('p', 'c', 'img', inst, 1_000_000, 1000, 50)).toHaveLength(50);
    expect(selectLines(a, { tailLines: 2, sinceSeconds: null, now: 10_000 }).map((l) => l.time)).toEqual([9000, 10_000]);
    expect(selectLines(a, { tailLines: null, sinceSeconds: 3, now: 10_000 })).toHaveLength(4);
    const crashed = instanceLines('p', 'c', 'img', { index: 1, start: 0, end: 2500, exitCode: 1, reason: 'Error' }, 10_000, 1000, 100);
    expect(crashed.at(-1)?.text).toContain('level=fatal');
  });
});

describe('images and store', () => {
  it('normalizes image references like containerd', () => {
    expect(normalizeImage('nginx')).toBe('docker.io/library/nginx:latest');
    expect(normalizeImage('timescale/timescaledb:2')).toBe('docker.io/timescale/timescaledb:2');
    expect(normalizeImage('registry.local:5000/a/b')).toBe('registry.local:5000/a/b:latest');
    const open = new ImageStore(true);
    open.add('nginx:1.27');
    expect(open.has('anything')).toBe(true);
    const store = new ImageStore(false);
    expect(store.has('nginx:1.27')).toBe(false);
    store.setSource('file', ['# comment', 'nginx:1.27', '']);
    expect(store.has('docker.io/library/nginx:1.27')).toBe(true);
    expect(store.has('nginx:1.26')).toBe(false);
  });

  it('keeps a bounded history and says when a version is too old', () => {
    const store = new Store({ historySize: 10 });
    const start = store.resourceVersion;
    for (let i = 0; i < 25; i++) store.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'd' } });
    expect(store.resourceVersion).toBe(start + 25);
    expect(store.since('/configmaps', start)).toBeUndefined();
    expect(store.since('/configmaps', store.resourceVersion - 5)?.map((e) => e.object.metadata.name)).toEqual(['c20', 'c21', 'c22', 'c23', 'c24']);
    expect(store.since('/configmaps', store.oldestResumable)).toHaveLength(10);
  });
});
