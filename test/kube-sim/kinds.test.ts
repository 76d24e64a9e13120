// Every kind a bundle typically carries (fixtures/kinds): applied with the real kubectl
// (`apply --server-side`) and with client-node's KubernetesObjectApi, read back with `kubectl get`,
// listed, watched and deleted; CRDs first, their custom resources once they are Established.
import { KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { header, startHarness, until, type SimHarness } from './test-kit.ts';
import type { KObject, Obj } from './types.ts';

const dir = fileURLToPath(new URL('./fixtures/kinds/', import.meta.url));
const CRDS = `${dir}10-crd.yaml`;
const BUNDLE = `${dir}20-bundle.yaml`;

async function docs(file: string): Promise<KObject[]> {
  return parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as KObject);
}

const ref = (o: KObject): string => {
  const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
  return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
};

describe('every kind a bundle carries', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('kubectl apply --server-side applies the CRDs, then the bundle, and kubectl get reads each kind back', async () => {
    const crds = await h.kubectl(['apply', '--server-side', '-f', CRDS]);
    expect(crds.stdout.match(/serverside-applied/g)).toHaveLength(2);
    const established = await h.kubectl(['wait', '--for=condition=Established', 'crd/lines.plant.example.com', 'crd/sites.plant.example.com', '--timeout=10s']);
    expect(established).toMatchObject({ code: 0 });
    const objects = await docs(BUNDLE);
    const applied = await h.kubectl(['apply', '--server-side', '-f', BUNDLE]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout.match(/serverside-applied/g)).toHaveLength(objects.length);
    // One `kubectl get` per namespace reads every object back (cluster-scoped ones ignore -n).
    for (const ns of ['plant', 'kube-system']) {
      const here = objects.filter((o) => (o.metadata.namespace ?? 'plant') === ns);
      const got = await h.kubectl(['get', ...here.map(ref), '-n', ns, '-o', 'json', '--show-managed-fields']);
      expect(got.code, got.stderr).toBe(0);
      const parsed = JSON.parse(got.stdout) as Obj;
      const items = (parsed.kind === 'List' ? parsed.items : [parsed]) as KObject[];
      expect(items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual(here.map((o) => `${o.kind}/${o.metadata.name}`));
      for (const live of items) expect(live.metadata.managedFields.find((m: Obj) => m.manager === 'kubectl')?.operation, live.kind).toBe('Apply');
      const table = await h.kubectl(['get', ...here.map(ref), '-n', ns]);
      const rows = table.stdout.split('\n').map((l) => l.split(/\s+/)[0]);
      for (const o of here) expect(rows, `table row of ${ref(o)}`).toContain(here.length === 1 ? o.metadata.name : ref(o));
    }
    expect((await h.kubectl(['get', 'secret', 'line-credentials', '-n', 'plant', '-o', 'jsonpath={.data.password}'])).stdout).toBe(
      Buffer.from('s3cret').toString('base64'),
    );
    expect((await h.kubectl(['get', 'lines', '-n', 'plant'])).stdout).toMatch(/NAME\s+SPEED\s+AGE\nline-1\s+12\s+/);
    expect((await h.kubectl(['get', 'pvc', 'line-data', '-n', 'plant', '-o', 'jsonpath={.spec.storageClassName}'])).stdout).toBe('local-path');
    const again = await h.kubectl(['apply', '--server-side', '-f', BUNDLE]);
    expect(again.stdout.match(/serverside-applied/g)).toHaveLength(objects.length);
    expect((await h.kubectl(['get', 'deploy', 'line-api', '-n', 'plant', '-o', 'jsonpath={.metadata.generation}'])).stdout).toBe('1');
  });

  it('client-node applies, reads, lists, watches and deletes every kind through KubernetesObjectApi', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(h.kubeconfig);
    const api = KubernetesObjectApi.makeApiClient(kc);
    const apply = <T extends KubernetesObject>(o: T): Promise<T> => api.patch(o, undefined, undefined, 'outpost', true, PatchStrategy.ServerSideApply);
    for (const crd of await docs(CRDS)) await apply(crd);
    await until('CRDs established', async () => {
      const all = await Promise.all((await docs(CRDS)).map((c) => api.read(header(c))));
      return all.every((c) => ((c as Obj).status?.conditions ?? []).some((x: Obj) => x.type === 'Established' && x.status === 'True'));
    });
    const events: string[] = [];
    const watch = await new Watch(kc).watch(
      '/apis/plant.example.com/v1/lines',
      {},
      (type, obj: Obj) => events.push(`${type} ${obj.metadata?.name}`),
      () => undefined,
    );
    const objects = await docs(BUNDLE);
    for (const o of objects) {
      const out = await apply(o);
      expect(out.metadata?.uid).toBeTruthy();
      const read = await api.read(header(o));
      expect(read.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`)).toContain('outpost/Apply');
      const listed = await api.list(o.apiVersion, o.kind, o.metadata.namespace);
      expect(listed.items.map((i) => i.metadata?.name)).toContain(o.metadata.name);
    }
    await until('watch saw the custom resource', () => events.includes('ADDED line-1'));
    for (const o of [...objects].reverse()) {
      await api.delete(o);
      if (o.kind === 'HelmChart') continue; // finalizer: gone once helm-delete ran (helm.test.ts)
      await until(`${ref(o)} gone`, async () =>
        api.read(header(o)).then(
          () => false,
          (e: { code?: number }) => e.code === 404,
        ),
      );
    }
    await until('watch saw the deletion', () => events.includes('DELETED line-1'));
    watch.abort();
  });
});

describe('server-side apply semantics', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const cm = (labels: Obj, data: Obj): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels }, data });
  const path = '/api/v1/namespaces/default/configmaps/c';
  async function send(method: string, url: string, body: string | undefined, type = 'application/apply-patch+yaml'): Promise<{ status: number; json: Obj }> {
    const res = await fetch(h.sim.url + url, { method, headers: { 'content-type': type }, body, signal: AbortSignal.timeout(5000) });
    return { status: res.status, json: (await res.json()) as Obj };
  }

  it('merges labels of two managers, answers a conflict with a 409 Status, and force takes the field over', async () => {
    expect((await send('PATCH', `${path}?fieldManager=outpost`, cm({ a: '1' }, { k: 'v', x: '1' }))).status).toBe(201);
    const both = await send('PATCH', `${path}?fieldManager=plant-operator`, cm({ b: '2' }, {}));
    expect(both.json.metadata.labels).toEqual({ a: '1', b: '2' });
    expect(both.json.metadata.managedFields.map((m: Obj) => `${m.manager}/${m.operation}`)).toEqual(['outpost/Apply', 'plant-operator/Apply']);
    const conflict = await send('PATCH', `${path}?fieldManager=plant-operator`, cm({ b: '2' }, { k: 'mine' }));
    expect(conflict).toEqual({
      status: 409,
      json: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Apply failed with 1 conflict: conflict with "outpost": .data.k',
        reason: 'Conflict',
        details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "outpost"', field: '.data.k' }] },
        code: 409,
      },
    });
    const forced = await send('PATCH', `${path}?fieldManager=plant-operator&force=true`, cm({ b: '2' }, { k: 'mine' }));
    expect(forced.json.data).toEqual({ k: 'mine', x: '1' });
    expect(forced.json.metadata.managedFields.find((m: Obj) => m.manager === 'outpost').fieldsV1['f:data']).toEqual({ 'f:x': {} });
    const dropped = await send('PATCH', `${path}?fieldManager=outpost`, cm({}, { x: '1' }));
    expect(dropped.json.metadata.labels).toEqual({ b: '2' });
    const edited = await send(
      'PUT',
      `${path}?fieldManager=kubectl-edit`,
      JSON.stringify({ ...dropped.json, data: { ...dropped.json.data, x: '2' } }),
      'application/json',
    );
    expect(edited.status).toBe(200);
    const second = await send('PATCH', `${path}?fieldManager=outpost`, cm({}, { x: '1' }));
    expect(second.json.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.x');
  });

  it('dryRun=All validates and answers without storing on create, apply, update and delete', async () => {
    const dry = await send('PATCH', `${path}?fieldManager=outpost&dryRun=All`, cm({}, { k: 'v' }));
    expect(dry).toMatchObject({ status: 201, json: { data: { k: 'v' } } });
    expect((await send('GET', path, undefined)).status).toBe(404);
    await send('PATCH', `${path}?fieldManager=outpost`, cm({}, { k: 'v' }));
    expect((await send('PATCH', `${path}?fieldManager=outpost&dryRun=All`, cm({}, { k: 'changed' }))).json.data).toEqual({ k: 'changed' });
    expect((await send('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm({}, {}).replace('"c"', '"d"'), 'application/json')).status).toBe(201);
    expect((await send('DELETE', `${path}?dryRun=All`, undefined, 'application/json')).status).toBe(200);
    expect((await send('GET', path, undefined)).json.data).toEqual({ k: 'v' });
    expect((await send('GET', '/api/v1/namespaces/default/configmaps/d', undefined)).status).toBe(404);
    const invalid = await send('PATCH', '/api/v1/namespaces/default/configmaps/Bad?fieldManager=outpost&dryRun=All', cm({}, {}).replace('"c"', '"Bad"'));
    expect(invalid.json).toMatchObject({ code: 422, reason: 'Invalid' });
  });

  it('refuses changes to immutable fields the way a real server does', async () => {
    const job = (image: string): string =>
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'migrate' },
        spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image }] } } },
      });
    await send('PATCH', '/apis/batch/v1/namespaces/default/jobs/migrate?fieldManager=outpost', job('registry.local/m:1'));
    const changed = await send('PATCH', '/apis/batch/v1/namespaces/default/jobs/migrate?fieldManager=outpost', job('registry.local/m:2'));
    expect(changed.json).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Job.batch "migrate" is invalid: spec.template: Invalid value: core.PodTemplateSpec{…}: field is immutable',
    });
    const binding = (role: string): string =>
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'b' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'User', name: 'u' }],
      });
    await send('PATCH', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/b?fieldManager=outpost', binding('view'));
    const rebound = await send('PATCH', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/b?fieldManager=outpost', binding('edit'));
    expect(rebound.json.message).toBe(
      'RoleBinding.rbac.authorization.k8s.io "b" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    );
    const deploy = (app: string): string =>
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
      });
    await send('PATCH', '/apis/apps/v1/namespaces/default/deployments/d?fieldManager=outpost', deploy('a'));
    expect((await send('PATCH', '/apis/apps/v1/namespaces/default/deployments/d?fieldManager=outpost', deploy('b'))).json.message).toBe(
      'Deployment.apps "d" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });
});
