// Unit tests of the sim's patch algorithms and server-side apply (managed fields, conflicts,
// force, fields a manager stops applying, updates taking fields over).
import { describe, expect, it } from 'vitest';
import { fromFieldsV1, leafPaths, recordUpdate, serverSideApply, toFieldsV1 } from './apply.ts';
import { jsonPatch, mergePatch, strategicMerge } from './patch.ts';
import { ApiError, type KObject } from './types.ts';

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
    const pod = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] },
          { name: 'b', image: 'b:1' },
        ],
        tolerations: [{ key: 't' }],
      },
    };
    const out = strategicMerge(pod, {
      $setElementOrder: undefined,
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
        containers: [
          { name: 'a', image: 'a:2', env: [{ name: 'Y', value: '2' }] },
          { name: 'b', $patch: 'delete' },
        ],
        tolerations: [{ key: 'u' }],
      },
    });
    expect(out).toEqual({
      $setElementOrder: undefined,
      spec: {
        containers: [
          {
            name: 'a',
            image: 'a:2',
            env: [
              { name: 'X', value: '1' },
              { name: 'Y', value: '2' },
            ],
          },
        ],
        tolerations: [{ key: 'u' }],
      },
    });
    expect(strategicMerge({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } })).toEqual({ m: { c: 3 } });
    expect(strategicMerge({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } })).toEqual({
      metadata: { finalizers: ['b'] },
    });
    expect(strategicMerge({ s: { a: 1, b: 2 } }, { s: { $retainKeys: ['b'], b: 3 } })).toEqual({ s: { b: 3 } });
  });

  it('rollout restart patch adds the restartedAt annotation and keeps the rest', () => {
    const d = { spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a' }] } } } };
    const out = strategicMerge(d, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } } } } }) as typeof d & {
      spec: { template: { metadata: { annotations: object } } };
    };
    expect(out.spec.template.metadata).toEqual({ labels: { app: 'x' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } });
  });
});

describe('server-side apply', () => {
  const cfg = (replicas: number, image = 'a:1'): KObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', labels: { app: 'd' } },
    spec: { replicas, template: { spec: { containers: [{ name: 'c', image }] } } },
  });

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
    expect(two).toMatchObject({
      code: 409,
      reason: 'Conflict',
      details: {
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' },
          { field: '.spec.template.spec.containers[name="c"].image' },
        ],
      },
    });
    expect((two as Error).message).toBe(
      'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="c"].image',
    );
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
    expect(() => serverSideApply(edited, cfg(1), 'alice', false, 't')).toThrow(
      /^Apply failed with 1 conflict: conflict with "kubectl-edit" using apps\/v1: \.spec\.replicas$/,
    );
  });
});
