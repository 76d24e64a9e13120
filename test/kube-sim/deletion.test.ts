// Deletion as a real API server does it: a Namespace goes Terminating, refuses new content, has
// its contents removed and then goes; Foreground deletion keeps the owner until its dependents
// are gone; finalizers hold an object until removed; owner references collect dependents.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, until, type SimHarness } from './test-kit.ts';
import type { Obj } from './types.ts';

const DEPLOY = (ns: string): string => `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: registry.local/web:1.0}]
`;

describe('deletion', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function call(method: string, path: string, body?: unknown, type = 'application/json'): Promise<{ status: number; json: Obj }> {
    const res = await fetch(h.sim.url + path, {
      method,
      headers: { 'content-type': type },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, json: (await res.json()) as Obj };
  }
  const pods = (ns: string): Obj[] => h.sim.cluster.list('v1', 'Pod', ns);

  it('a Namespace goes Terminating, refuses new content, empties, waits for finalizers and then goes', async () => {
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: DEPLOY('line') });
    await call('POST', '/api/v1/namespaces/line/configmaps', { metadata: { name: 'held', finalizers: ['example.com/keep'] } });
    await until('pods running', () => pods('line').filter((p) => p.status?.phase === 'Running').length === 2);
    const del = await call('DELETE', '/api/v1/namespaces/line');
    expect(del).toMatchObject({
      status: 200,
      json: { kind: 'Namespace', status: { phase: 'Terminating' }, metadata: { deletionTimestamp: expect.any(String) } },
    });
    const refused = await call('POST', '/api/v1/namespaces/line/configmaps', { metadata: { name: 'late' } });
    expect(refused).toMatchObject({
      status: 403,
      json: { reason: 'Forbidden', message: 'configmaps "late" is forbidden: unable to create new content in namespace line because it is being terminated' },
    });
    await until('only the held ConfigMap is left', () => pods('line').length === 0 && h.sim.cluster.list('apps/v1', 'ReplicaSet', 'line').length === 0);
    expect((await h.kubectl(['get', 'ns', 'line'])).stdout).toMatch(/line\s+Terminating/);
    const ns = (await call('GET', '/api/v1/namespaces/line')).json;
    expect(ns.status.conditions.find((c: Obj) => c.type === 'NamespaceContentRemaining')).toMatchObject({
      status: 'True',
      message: 'Some resources are remaining: configmaps has 1 resource instances',
    });
    expect(ns.status.conditions.find((c: Obj) => c.type === 'NamespaceFinalizersRemaining')).toMatchObject({ status: 'True', reason: 'SomeFinalizersRemain' });
    await call('PATCH', '/api/v1/namespaces/line/configmaps/held', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    const waited = await h.kubectl(['wait', '--for=delete', 'namespace/line', '--timeout=15s'], { timeoutMs: 20_000 });
    expect(waited.code, waited.stderr).toBe(0);
    expect(h.sim.cluster.list('v1', 'Event', 'line')).toEqual([]);
  });

  it('kubectl delete namespace waits until it is gone', async () => {
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: DEPLOY('line') });
    await until('pods exist', () => pods('line').length === 2);
    const deleted = await h.kubectl(['delete', 'namespace', 'line', '--timeout=15s'], { timeoutMs: 20_000 });
    expect(deleted).toMatchObject({ code: 0, stdout: 'namespace "line" deleted\n' });
    expect((await call('GET', '/api/v1/namespaces/line')).status).toBe(404);
  });

  it('Foreground keeps the Deployment, with its finalizer, until its ReplicaSet and pods are gone', async () => {
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: DEPLOY('line') });
    await until('pods running', () => pods('line').filter((p) => p.status?.phase === 'Running').length === 2);
    const del = await call('DELETE', '/apis/apps/v1/namespaces/line/deployments/web', { propagationPolicy: 'Foreground' });
    expect(del).toMatchObject({
      status: 200,
      json: { kind: 'Deployment', metadata: { finalizers: ['foregroundDeletion'], deletionTimestamp: expect.any(String) } },
    });
    const rs = h.sim.cluster.list('apps/v1', 'ReplicaSet', 'line');
    expect(rs[0]?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(pods('line').every((p) => p.metadata.deletionTimestamp)).toBe(true);
    await until('deployment gone', () => !h.sim.cluster.get('apps/v1', 'Deployment', 'line', 'web'), 10_000);
    expect(h.sim.cluster.list('apps/v1', 'ReplicaSet', 'line')).toEqual([]);
    expect(pods('line')).toEqual([]);
    await h.kubectl(['apply', '--server-side', '-f', '-'], { input: DEPLOY('line') });
    await until('pods again', () => pods('line').length === 2);
    const cascade = await h.kubectl(['delete', 'deployment', 'web', '-n', 'line', '--cascade=foreground', '--timeout=15s'], { timeoutMs: 20_000 });
    expect(cascade.code, cascade.stderr).toBe(0);
    expect(pods('line')).toEqual([]);
  });

  it('a finalizer holds an object until it is removed; dryRun=All never deletes', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'held', finalizers: ['example.com/keep'] } });
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/held');
    expect(del).toMatchObject({ status: 200, json: { metadata: { deletionTimestamp: expect.any(String), finalizers: ['example.com/keep'] } } });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(200);
    const released = await call('PATCH', '/api/v1/namespaces/default/configmaps/held', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    expect(released.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/held')).status).toBe(404);
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'kept' } });
    expect((await call('DELETE', '/api/v1/namespaces/default/configmaps/kept?dryRun=All')).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/kept')).status).toBe(200);
  });

  it('collects what a custom resource owns when it goes', async () => {
    await h.kubectl(['apply', '--server-side', '-f', new URL('./fixtures/kinds/10-crd.yaml', import.meta.url).pathname]);
    await h.kubectl(['wait', '--for=condition=Established', 'crd/lines.plant.example.com', '--timeout=10s']);
    const line = (
      await call('POST', '/apis/plant.example.com/v1/namespaces/default/lines', { apiVersion: 'plant.example.com/v1', kind: 'Line', metadata: { name: 'l1' } })
    ).json;
    const owner = { apiVersion: 'plant.example.com/v1', kind: 'Line', name: 'l1', uid: line.metadata.uid };
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'owned', ownerReferences: [owner] } });
    await call('DELETE', '/apis/plant.example.com/v1/namespaces/default/lines/l1');
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/owned')).status).toBe(404);
  });
});
