import { describe, expect, it } from 'vitest';
import { normalizeReference, tagOf, effectivePullPolicy } from '../../../daemon/src/upgrade/images-pure.ts';
import { defaultHelmChart, fillChartContent, gateSettings, ManifestError, orderForApply, orderForDelete, parseManifestText } from '../../../daemon/src/upgrade/manifests-pure.ts';
import { summarizeChange } from '../../../daemon/src/upgrade/object-diff-pure.ts';

describe('bundle manifests', () => {
  it('reads every document, skips empty ones and expands a List', () => {
    const docs = parseManifestText('m.yaml', '---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n  - {apiVersion: v1, kind: Secret, metadata: {name: b, namespace: x}}\n---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: c}\n');
    expect(docs.map((d) => [d.kind, d.name, d.namespace])).toEqual([['ConfigMap', 'a', undefined], ['Secret', 'b', 'x'], ['Service', 'c', undefined]]);
  });

  it('refuses a document without apiVersion, kind or name, naming the file and the document', () => {
    expect(() => parseManifestText('m.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n')).toThrow(new ManifestError('m.yaml', 'document 1 needs apiVersion, kind and metadata.name'));
    expect(() => parseManifestText('m.yaml', 'a: [\n')).toThrow(ManifestError);
    expect(() => parseManifestText('m.yaml', 'a: 1\na: 2\n')).toThrow(/m\.yaml: document 1/);
  });

  it('puts a chart into a HelmChart: a referenced placeholder, or one made for it', () => {
    const docs = parseManifestText('h.yaml', 'apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: g, namespace: kube-system}\nspec: {chartContent: "bundle:charts/g.tgz", targetNamespace: mon}\n');
    expect(fillChartContent(docs, new Map([['charts/g.tgz', 'QUJD']]))).toEqual(new Set(['charts/g.tgz']));
    expect(docs[0]?.body.spec).toEqual({ chartContent: 'QUJD', targetNamespace: 'mon' });
    expect(() => fillChartContent(parseManifestText('h.yaml', 'apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: g}\nspec: {chartContent: "bundle:charts/nope.tgz"}\n'), new Map())).toThrow(/charts\/nope\.tgz/);
    expect(defaultHelmChart('charts/x.tgz', 'x', 'QQ==').body).toMatchObject({ kind: 'HelmChart', metadata: { name: 'x', namespace: 'kube-system' }, spec: { chartContent: 'QQ==' } });
  });

  it('applies namespaces, CRDs, config, RBAC, services, the rest, workloads — and deletes in reverse', () => {
    const kinds = ['Deployment', 'Service', 'Widget', 'ServiceAccount', 'ConfigMap', 'CustomResourceDefinition', 'Namespace', 'Job'].map((kind) => ({ kind }));
    expect(orderForApply(kinds).map((k) => k.kind)).toEqual(['Namespace', 'CustomResourceDefinition', 'ConfigMap', 'ServiceAccount', 'Service', 'Widget', 'Deployment', 'Job']);
    expect(orderForDelete(kinds).map((k) => k.kind)[0]).toBe('Job');
  });

  it('reads the gate timings from bundle annotations within bounds', () => {
    const defaults = { stabilitySeconds: 30, timeoutSeconds: 300 };
    expect(gateSettings({ 'outpost.dev/health-stability-seconds': '10', 'outpost.dev/health-timeout-seconds': 120 }, defaults)).toEqual({ stabilitySeconds: 10, timeoutSeconds: 120 });
    expect(gateSettings({ 'outpost.dev/health-stability-seconds': 'soon', 'outpost.dev/health-timeout-seconds': -1 }, defaults)).toEqual(defaults);
  });
});

describe('image references', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['grafana/grafana:11', 'docker.io/grafana/grafana:11'],
    ['registry.local:5000/app', 'registry.local:5000/app:latest'],
    ['localhost/app:1', 'localhost/app:1'],
    [`reg.io/a@sha256:${'a'.repeat(64)}`, `reg.io/a@sha256:${'a'.repeat(64)}`],
  ])('normalises %s like containerd', (ref, normal) => {
    expect(normalizeReference(ref)).toBe(normal);
  });

  it('knows the kubelet’s default pull policy', () => {
    expect(tagOf('reg:5000/app')).toBeNull();
    expect(effectivePullPolicy('reg:5000/app', null)).toBe('Always');
    expect(effectivePullPolicy('app:latest', null)).toBe('Always');
    expect(effectivePullPolicy('app:1', null)).toBe('IfNotPresent');
    expect(effectivePullPolicy('app:latest', 'Never')).toBe('Never');
  });
});

describe('the field-level summary', () => {
  const deploy = (containers: object[], extra: object = {}) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', annotations: { 'outpost.dev/version': String(Math.random()) } }, spec: { template: { spec: { containers } }, ...extra } });

  it('names added and removed containers and leaves out the version annotation', () => {
    const changes = summarizeChange(deploy([{ name: 'a', image: 'x:1' }]), deploy([{ name: 'b', image: 'y:1' }]));
    expect(changes).toEqual([
      { field: 'containers[a]', from: 'x:1', change: 'removed' },
      { field: 'containers[b]', to: 'y:1', change: 'added' },
    ]);
  });

  it('reports other container fields and spec fields by path, hiding long values', () => {
    const changes = summarizeChange(deploy([{ name: 'a', image: 'x', ports: [{ containerPort: 80 }] }], { strategy: { type: 'Recreate' } }), deploy([{ name: 'a', image: 'x', ports: [{ containerPort: 81 }], args: ['x'.repeat(200)] }], { strategy: { type: 'RollingUpdate' } }));
    expect(changes).toEqual([
      { field: 'containers[a].ports', from: '[{"containerPort":80}]', to: '[{"containerPort":81}]', change: 'changed' },
      { field: 'containers[a].args', change: 'added' },
      { field: 'spec.strategy.type', from: 'Recreate', to: 'RollingUpdate', change: 'changed' },
    ]);
  });
});
