// The sim's HTTP API as a client sees it: discovery, Status errors, selectors, paging, watch
// semantics (410, bookmarks, timeout, selector transitions), patches, propagation and CRDs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeSim, type KubeSim } from './index.ts';
import { FAST, until } from './test-kit.ts';
import type { Obj } from './types.ts';

let sim: KubeSim;
beforeEach(async () => {
  sim = await startKubeSim({ port: 0, tickMs: 50, timing: FAST, historySize: 50, bookmarkMs: 200 });
});
afterEach(async () => {
  await sim.stop();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: Obj }> {
  const res = await fetch(sim.url + path, {
    method,
    headers: { 'content-type': contentType, accept: 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, json: (await res.json()) as Obj };
}

/** Reads a watch stream's JSON lines until `stop` says enough or the stream ends. */
async function watchLines(path: string, stop: (events: Obj[]) => boolean, timeoutMs = 5000): Promise<Obj[]> {
  const res = await fetch(sim.url + path, { signal: AbortSignal.timeout(timeoutMs) });
  const events: Obj[] = [];
  const reader = res.body!.getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += Buffer.from(value).toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, nl)) as Obj);
        buffer = buffer.slice(nl + 1);
      }
      if (stop(events)) break;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}

const cm = (name: string, labels: Obj = {}): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: 'v' } });

describe('discovery and errors', () => {
  it('serves version, legacy discovery and group lists', async () => {
    expect((await call('GET', '/version')).json.gitVersion).toMatch(/^v1\.32\./);
    expect((await call('GET', '/api')).json.versions).toEqual(['v1']);
    const groups = (await call('GET', '/apis')).json.groups.map((g: Obj) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['apps', 'batch', 'apiextensions.k8s.io', 'helm.cattle.io']));
    const core = (await call('GET', '/api/v1')).json.resources.map((r: Obj) => r.name);
    expect(core).toEqual(expect.arrayContaining(['pods', 'pods/log', 'namespaces', 'nodes', 'events', 'services', 'configmaps', 'secrets', 'serviceaccounts']));
  });

  it('answers every failure with a Status object and the right code and reason', async () => {
    const missing = await call('GET', '/api/v1/namespaces/default/pods/nope');
    expect(missing).toMatchObject({
      status: 404,
      json: { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "nope" not found' },
    });
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('a'));
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', cm('a'))).json).toMatchObject({ reason: 'AlreadyExists', code: 409 });
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', cm('Bad_Name'))).json).toMatchObject({ reason: 'Invalid', code: 422 });
    expect((await call('POST', '/api/v1/namespaces/nowhere/configmaps', cm('b'))).json).toMatchObject({
      reason: 'NotFound',
      message: 'namespaces "nowhere" not found',
    });
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', 'k8s\0\xff\xff', 'application/vnd.kubernetes.protobuf')).json).toMatchObject({
      code: 400,
      reason: 'BadRequest',
    });
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', 'x', 'application/cbor')).json).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
    });
    expect((await call('GET', '/apis/apps/v1/namespaces/default/widgets')).status).toBe(404);
  });

  it('rejects an update with a stale resourceVersion with 409 Conflict', async () => {
    const created = (await call('POST', '/api/v1/namespaces/default/configmaps', cm('a'))).json;
    const first = await call('PUT', '/api/v1/namespaces/default/configmaps/a', { ...created, data: { k: 'v2' } });
    expect(first.status).toBe(200);
    expect(Number(first.json.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/a', { ...created, data: { k: 'v3' } });
    expect(stale.json).toMatchObject({ code: 409, reason: 'Conflict' });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/a')).json.data).toEqual({ k: 'v2' });
  });
});

describe('list', () => {
  it('filters by label and field selectors and pages with limit and continue', async () => {
    for (const [name, tier] of [
      ['a', 'front'],
      ['b', 'back'],
      ['c', 'front'],
      ['d', ''],
    ] as const) {
      await call('POST', '/api/v1/namespaces/default/configmaps', cm(name, tier ? { tier } : {}));
    }
    const names = async (q: string): Promise<string[]> =>
      (await call('GET', `/api/v1/namespaces/default/configmaps?${q}`)).json.items.map((i: Obj) => i.metadata.name);
    expect(await names('labelSelector=' + encodeURIComponent('tier in (front)'))).toEqual(['a', 'c']);
    expect(await names('labelSelector=' + encodeURIComponent('tier notin (front)'))).toEqual(['b', 'd']);
    expect(await names('labelSelector=' + encodeURIComponent('!tier'))).toEqual(['d']);
    expect(await names('labelSelector=tier,tier!=back')).toEqual(['a', 'c']);
    expect(await names('fieldSelector=metadata.name%3Db')).toEqual(['b']);
    const page1 = (await call('GET', '/api/v1/namespaces/default/configmaps?limit=3')).json;
    expect(page1.items).toHaveLength(3);
    expect(page1.metadata.remainingItemCount).toBe(1);
    const page2 = (await call('GET', `/api/v1/namespaces/default/configmaps?limit=3&continue=${encodeURIComponent(page1.metadata.continue)}`)).json;
    expect(page2.items.map((i: Obj) => i.metadata.name)).toEqual(['d']);
    expect(page2.metadata.continue).toBeUndefined();
    expect((await call('GET', '/api/v1/pods?fieldSelector=spec.bogus%3Dx')).json).toMatchObject({ code: 400 });
  });

  it('answers 410 for a continue token older than the history', async () => {
    for (const n of ['a', 'b']) await call('POST', '/api/v1/namespaces/default/configmaps', cm(n));
    const page1 = (await call('GET', '/api/v1/namespaces/default/configmaps?limit=1')).json;
    for (let i = 0; i < 60; i++) await call('POST', '/api/v1/namespaces/default/configmaps', cm(`x${i}`));
    expect((await call('GET', `/api/v1/namespaces/default/configmaps?limit=1&continue=${encodeURIComponent(page1.metadata.continue)}`)).json).toMatchObject({
      code: 410,
      reason: 'Expired',
    });
  });
});

describe('watch', () => {
  it('resumes from a resourceVersion, sends bookmarks, and ends at timeoutSeconds', async () => {
    const rv = (await call('GET', '/api/v1/namespaces/default/configmaps')).json.metadata.resourceVersion;
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('a'));
    const started = Date.now();
    const events = await watchLines(
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=1`,
      () => false,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'a' } } });
    expect(events.some((e) => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) > Number(rv))).toBe(true);
  });

  it('sends a 410 Expired ERROR for a resourceVersion older than the history', async () => {
    const rv = (await call('GET', '/api/v1/namespaces/default/configmaps')).json.metadata.resourceVersion;
    for (let i = 0; i < 60; i++) await call('POST', '/api/v1/namespaces/default/configmaps', cm(`x${i}`));
    const events = await watchLines(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, () => false);
    expect(events).toEqual([{ type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) }]);
  });

  it('refuses unsupported field selectors and malformed versions before streaming', async () => {
    expect((await call('GET', '/api/v1/pods?watch=true&fieldSelector=spec.bogus%3Dx')).json).toMatchObject({
      code: 400,
      message: 'field label not supported: spec.bogus',
    });
    expect((await call('GET', '/api/v1/pods?watch=true&resourceVersion=abc')).json).toMatchObject({ code: 400 });
  });

  it('reports an object leaving the label selector as DELETED', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('a', { keep: 'yes' }));
    const seen = watchLines('/api/v1/namespaces/default/configmaps?watch=true&labelSelector=keep%3Dyes', (ev) => ev.length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    await call('PATCH', '/api/v1/namespaces/default/configmaps/a', { metadata: { labels: { keep: 'no' } } }, 'application/merge-patch+json');
    const events = await seen;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'DELETED a']);
  });
});

describe('patch, delete and CRDs', () => {
  it('applies JSON patch and merge patch, and refuses strategic merge on custom resources', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('a'));
    const jp = await call('PATCH', '/api/v1/namespaces/default/configmaps/a', [{ op: 'add', path: '/data/x', value: '1' }], 'application/json-patch+json');
    expect(jp.json.data).toEqual({ k: 'v', x: '1' });
    const mp = await call('PATCH', '/api/v1/namespaces/default/configmaps/a', { data: { k: null } }, 'application/merge-patch+json');
    expect(mp.json.data).toEqual({ x: '1' });
    await call('POST', '/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts', {
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChart',
      metadata: { name: 'h' },
      spec: { chart: 'c' },
    });
    expect(
      (await call('PATCH', '/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/h', { spec: { version: '1' } }, 'application/strategic-merge-patch+json'))
        .status,
    ).toBe(415);
    expect(
      (await call('PATCH', '/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/h', { spec: { version: '1' } }, 'application/merge-patch+json')).json
        .spec,
    ).toEqual({ chart: 'c', version: '1' });
  });

  it('serves a new CRD generically once Established, and drops its objects when deleted', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      },
    };
    const created = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(created.json.status.conditions.find((c: Obj) => c.type === 'Established')).toMatchObject({ status: 'False', reason: 'Installing' });
    expect((await call('GET', '/apis/example.com/v1/namespaces/default/widgets')).status).toBe(404);
    await until('Established', async () =>
      (await call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com')).json.status.conditions.some(
        (c: Obj) => c.type === 'Established' && c.status === 'True',
      ),
    );
    expect((await call('GET', '/apis/example.com/v1')).json.resources[0]).toMatchObject({ name: 'widgets', kind: 'Widget', namespaced: true });
    expect(
      (
        await call('POST', '/apis/example.com/v1/namespaces/default/widgets', {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'w' },
          spec: { size: 3 },
        })
      ).status,
    ).toBe(201);
    expect((await call('GET', '/apis/example.com/v1/namespaces/default/widgets')).json.items).toHaveLength(1);
    await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com');
    expect((await call('GET', '/apis/example.com/v1/namespaces/default/widgets')).status).toBe(404);
  });

  it('deleting a Deployment removes its ReplicaSets and pods; Orphan keeps them', async () => {
    const deploy = (name: string): Obj => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
      },
    });
    await call('POST', '/apis/apps/v1/namespaces/default/deployments', deploy('gone'));
    await call('POST', '/apis/apps/v1/namespaces/default/deployments', deploy('kept'));
    const pods = (app: string): Obj[] => sim.cluster.list('v1', 'Pod', 'default').filter((p) => p.metadata.labels?.app === app);
    await until('pods created', () => pods('gone').length === 2 && pods('kept').length === 2);
    const del = await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/gone', { propagationPolicy: 'Background' });
    expect(del.json).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(sim.cluster.list('apps/v1', 'ReplicaSet', 'default').filter((r) => r.metadata.labels?.app === 'gone')).toEqual([]);
    await until('pods gone', () => pods('gone').length === 0);
    await call('DELETE', '/apis/apps/v1/namespaces/default/deployments/kept', { propagationPolicy: 'Orphan' });
    const rs = sim.cluster.list('apps/v1', 'ReplicaSet', 'default').filter((r) => r.metadata.labels?.app === 'kept');
    expect(rs).toHaveLength(1);
    expect(rs[0]?.metadata.ownerReferences).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(pods('kept')).toHaveLength(2);
  });
});
