// Unit tests of the sim's pure parts: selectors, patches, server-side apply, rollout arithmetic,
// table cells, log lines, behaviours and the store's history.
import { describe, expect, it } from 'vitest';
import { fromFieldsV1, leafPaths, serverSideApply, toFieldsV1, recordUpdate } from './apply.ts';
import { crashBackoff, parseBehavior, planContainer } from './behavior.ts';
import { normalizeImage, ImageStore } from './images.ts';
import { instanceLines, selectLines } from './logs.ts';
import { jsonPatch, mergePatch, strategicMerge } from './patch.ts';
import { fenceposts, newReplicas, oldReplicas, templateHash } from './rollout.ts';
import { fieldsOf, fromLabelSelector, matches, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { Store } from './store.ts';
import { humanDuration, podStatusCells } from './tables.ts';
import { ApiError, type KObject } from './types.ts';

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
    const sel = fromLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }, { key: 'gone', operator: 'DoesNotExist' }] });
    expect(matches(sel, labels)).toBe(true);
    expect(matches(sel, { ...labels, gone: '1' })).toBe(false);
  });

  it('field selectors read the fields the API server exposes per kind', () => {
    const event = { metadata: { name: 'e', namespace: 'ns' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u1' }, reason: 'Started', type: 'Normal' };
    expect(matches(parseFieldSelector('involvedObject.name=p,involvedObject.uid=u1'), fieldsOf('Event', event))).toBe(true);
    expect(matches(parseFieldSelector('involvedObject.kind!=Pod'), fieldsOf('Event', event))).toBe(false);
    const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
    expect(matches(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed,metadata.namespace=ns'), fieldsOf('Pod', pod))).toBe(true);
    expect(() => parseFieldSelector('a in (b)')).toThrow(ApiError);
  });
});

describe('patches', () => {
  it('JSON merge patch sets, replaces lists and deletes with null', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] })).toEqual({ a: 1, b: { d: 3, e: 4 }, l: [3] });
  });

  it('JSON patch applies add, replace, remove, move, copy and test', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/c', value: 'y' },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/a/b/0' },
      { op: 'test', path: '/e', value: 'y' },
      { op: 'add', path: '/k~1v', value: true },
    ]);
    expect(out).toEqual({ a: { b: [2, 3] }, c: 'y', e: 'y', 'k/v': true });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: 'x' });
  });

  it('JSON patch fails with 422 on a failed test or a missing path', () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/testing value/);
    expect(() => jsonPatch({ a: 1 }, [{ op: 'replace', path: '/b/c', value: 2 }])).toThrow(/missing path/);
    expect(() => jsonPatch({}, { op: 'add' })).toThrow(ApiError);
  });

  it('strategic merge merges containers by name and env by name, and honours $patch directives', () => {
    const pod = { spec: { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b:1' }], tolerations: [{ key: 't' }] } };
    const out = strategicMerge(pod, {
      $setElementOrder: undefined,
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
        containers: [{ name: 'a', image: 'a:2', env: [{ name: 'Y', value: '2' }] }, { name: 'b', $patch: 'delete' }],
        tolerations: [{ key: 'u' }],
      },
    });
    expect(out).toEqual({ $setElementOrder: undefined, spec: { containers: [{ name: 'a', image: 'a:2', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }], tolerations: [{ key: 'u' }] } });
    expect(strategicMerge({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } })).toEqual({ m: { c: 3 } });
    expect(strategicMerge({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } })).toEqual({ metadata: { finalizers: ['b'] } });
    expect(strategicMerge({ s: { a: 1, b: 2 } }, { s: { $retainKeys: ['b'], b: 3 } })).toEqual({ s: { b: 3 } });
  });

  it('rollout restart patch adds the restartedAt annotation and keeps the rest', () => {
    const d = { spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a' }] } } } };
    const out = strategicMerge(d, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } } } } }) as typeof d & { spec: { template: { metadata: { annotations: object } } } };
    expect(out.spec.template.metadata).toEqual({ labels: { app: 'x' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } });
  });
});

describe('server-side apply', () => {
  const cfg = (replicas: number, image = 'a:1'): KObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { app: 'd' } }, spec: { replicas, template: { spec: { containers: [{ name: 'c', image }] } } } });

  it('fieldsV1 round-trips the owned paths, keyed list items included', () => {
    const paths = new Set(leafPaths(cfg(1)).keys());
    const tree = toFieldsV1(paths);
    expect(tree['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"c"}']).toEqual({ '.': {}, 'f:name': {}, 'f:image': {} });
    expect(fromFieldsV1(tree)).toEqual(paths);
  });

  it('creates, updates, conflicts with another manager, and forces', () => {
    const created = serverSideApply(undefined, cfg(1), 'alice', false, 't');
    expect(created.spec.replicas).toBe(1);
    const updated = serverSideApply(created, cfg(2, 'a:2'), 'alice', false, 't');
    expect(updated.spec.replicas).toBe(2);
    expect(() => serverSideApply(updated, cfg(3, 'a:2'), 'bob', false, 't')).toThrow(/^Apply failed with 1 conflict: conflict with "alice": \.spec\.replicas$/);
    const two = ((): unknown => {
      try {
        return serverSideApply(updated, cfg(3, 'a:3'), 'bob', false, 't');
      } catch (error) {
        return error;
      }
    })();
    expect(two).toMatchObject({ code: 409, reason: 'Conflict', details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }, { field: '.spec.template.spec.containers[name="c"].image' }] } });
    expect((two as Error).message).toBe('Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="c"].image');
    const same = serverSideApply(updated, cfg(2, 'a:2'), 'bob', false, 't');
    expect(same.metadata.managedFields.map((m: { manager: string }) => m.manager)).toEqual(['alice', 'bob']);
    const forced = serverSideApply(updated, cfg(3, 'a:2'), 'bob', true, 't');
    expect(forced.spec.replicas).toBe(3);
    const alice = forced.metadata.managedFields.find((m: { manager: string }) => m.manager === 'alice');
    expect(alice.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
  });

  it('removes fields a manager stops applying, unless someone else owns them', () => {
    const first = serverSideApply(undefined, cfg(1), 'alice', false, 't');
    const without = cfg(1);
    delete without.metadata.labels;
    expect(serverSideApply(first, without, 'alice', false, 't').metadata.labels).toBeUndefined();
    const shared = serverSideApply(first, cfg(1), 'bob', false, 't');
    expect(serverSideApply(shared, without, 'alice', false, 't').metadata.labels).toEqual({ app: 'd' });
  });

  it('an update takes the fields it changed away from the appliers', () => {
    const applied = serverSideApply(undefined, cfg(1), 'alice', false, 't');
    const edited = recordUpdate(applied, { ...applied, spec: { ...applied.spec, replicas: 4 } }, 'kubectl-edit', 't');
    expect(() => serverSideApply(edited, cfg(1), 'alice', false, 't')).toThrow(/^Apply failed with 1 conflict: conflict with "kubectl-edit" using apps\/v1: \.spec\.replicas$/);
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
          { name: 'b', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { finishedAt: '2026-01-01T00:00:50Z' } } },
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
    expect(podStatusCells({ ...base, status: { phase: 'Pending', initContainerStatuses: [done, running], containerStatuses: main } }, 0).status).toBe('Init:1/2');
    const looping = { name: 'b', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } };
    expect(podStatusCells({ ...base, status: { phase: 'Pending', initContainerStatuses: [done, looping], containerStatuses: main } }, 0)).toMatchObject({ status: 'Init:CrashLoopBackOff', restarts: '2' });
  });
});

describe('container behaviour and logs', () => {
  it('parses behaviours and defaults by restart policy', () => {
    expect(parseBehavior('exit:3', { kind: 'ready' })).toEqual({ kind: 'exit', code: 3, reason: 'Error' });
    expect(parseBehavior('oomkill', { kind: 'ready' })).toEqual({ kind: 'exit', code: 137, reason: 'OOMKilled' });
    expect(parseBehavior('bogus', { kind: 'ready' })).toEqual({ kind: 'ready' });
    const pod = { metadata: { annotations: { 'sim.outpost.dev/behavior': 'crashloop', 'sim.outpost.dev/behavior.side': 'ready', 'sim.outpost.dev/ready-after-ms': '5' } }, spec: { restartPolicy: 'Never' } };
    expect(planContainer(pod, 'main', { readyAfterMs: 100, runMs: 200 })).toEqual({ behavior: { kind: 'exit', code: 1, reason: 'Error' }, readyAfterMs: 5, runMs: 200 });
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
