// k3s HelmCharts: the helm-install Job in the chart's namespace, the chart's objects installed,
// upgraded and pruned from `chartContent`, the helm-delete Job on removal, and the failures a
// health gate must see (the sim annotation, a chart the sim cannot render).
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, until, type SimHarness } from './test-kit.ts';
import type { Obj } from './types.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels: {app: {{ .Chart.Name }}, version: {{ .Chart.Version | quote }}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: {{ .Release.Name }}-web}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}-web}}
    spec:
      containers: [{name: web, image: "registry.local/dash:{{ .Values.tag | default "1.0" }}"}]
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: {{ .Release.Name }}-web, namespace: {{ .Release.Namespace }}}
spec: {selector: {app: {{ .Release.Name }}-web}, ports: [{port: 80}]}
`;
const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: panels.dash.example.com}
spec:
  group: dash.example.com
  scope: Namespaced
  names: {plural: panels, singular: panel, kind: Panel}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
`;

describe('HelmChart (k3s helm-controller)', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  /** A packaged chart (`helm package` layout) as base64, made with tar. */
  async function chart(version: string, templates: Record<string, string>): Promise<string> {
    const root = join(h.dir, `chart-${version}`);
    await mkdir(join(root, 'dash', 'templates'), { recursive: true });
    await mkdir(join(root, 'dash', 'crds'), { recursive: true });
    await writeFile(join(root, 'dash', 'Chart.yaml'), `apiVersion: v2\nname: dash\nversion: ${version}\n`);
    await writeFile(join(root, 'dash', 'values.yaml'), 'replicas: 1\n');
    await writeFile(join(root, 'dash', 'crds', 'panels.yaml'), CRD);
    await writeFile(join(root, 'dash', 'templates', '_helpers.tpl'), '{{- define "dash.name" -}}dash{{- end -}}\n');
    for (const [name, text] of Object.entries(templates)) await writeFile(join(root, 'dash', 'templates', name), text);
    const file = join(root, 'dash.tgz');
    await new Promise<void>((resolve, reject) => execFile('tar', ['-czf', file, '-C', root, 'dash'], { timeout: 10_000 }, (e) => (e ? reject(e) : resolve())));
    return (await readFile(file)).toString('base64');
  }

  const helmChart = (name: string, spec: Obj, annotations: Obj = {}): string =>
    JSON.stringify({ apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', metadata: { name, namespace: 'kube-system', annotations }, spec });
  const job = (name: string): Obj | undefined => h.sim.cluster.get('batch/v1', 'Job', 'kube-system', name);
  const done = (j: Obj | undefined, type = 'Complete'): boolean => (j?.status?.conditions ?? []).some((c: Obj) => c.type === type && c.status === 'True');

  it('runs helm-install, installs, upgrades and prunes the chart objects, and helm-delete removes them', async () => {
    const v1 = await chart('1.0.0', { 'deployment.yaml': DEPLOYMENT, 'service.yaml': SERVICE });
    const spec = { chartContent: v1, targetNamespace: 'dash', createNamespace: true, valuesContent: 'replicas: 2\n' };
    expect((await h.kubectl(['apply', '--server-side', '-f', '-'], { input: helmChart('dash', spec) })).code).toBe(0);
    await until('install job complete', () => done(job('helm-install-dash')), 10_000);
    const install = job('helm-install-dash');
    expect(install?.spec).toMatchObject({
      backoffLimit: 1000,
      template: { spec: { restartPolicy: 'OnFailure', serviceAccountName: 'helm-dash', containers: [{ image: 'rancher/klipper-helm:v0.9.4-build20250113' }] } },
    });
    const deploy = await until('chart deployment', () => h.sim.cluster.get('apps/v1', 'Deployment', 'dash', 'dash-web'));
    expect(deploy.spec.replicas).toBe(2);
    expect(deploy.metadata.labels).toEqual({ app: 'dash', version: '1.0.0', 'app.kubernetes.io/managed-by': 'Helm' });
    expect(deploy.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'dash', 'meta.helm.sh/release-namespace': 'dash' });
    expect(deploy.spec.template.spec.containers[0].image).toBe('registry.local/dash:1.0');
    expect(h.sim.cluster.get('v1', 'Service', 'dash', 'dash-web')).toBeDefined();
    expect(h.sim.cluster.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'panels.dash.example.com')).toBeDefined();
    expect(h.sim.cluster.get('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, 'helm-kube-system-dash')?.roleRef.name).toBe('cluster-admin');
    const status = JSON.parse((await h.kubectl(['get', 'helmchart', 'dash', '-n', 'kube-system', '-o', 'json'])).stdout) as Obj;
    expect(status.status).toMatchObject({
      jobName: 'helm-install-dash',
      conditions: [
        { type: 'JobCreated', status: 'True' },
        { type: 'Failed', status: 'False' },
      ],
    });
    const firstUid = install?.metadata.uid;

    const v2 = await chart('2.0.0', { 'deployment.yaml': DEPLOYMENT });
    await h.kubectl(['apply', '--server-side', '-f', '-'], {
      input: helmChart('dash', { ...spec, chartContent: v2, valuesContent: 'replicas: 3\ntag: "2.0"\n' }),
    });
    await until('a new install job completed', () => job('helm-install-dash')?.metadata.uid !== firstUid && done(job('helm-install-dash')), 10_000);
    const upgraded = await until('upgraded', () =>
      h.sim.cluster.get('apps/v1', 'Deployment', 'dash', 'dash-web')?.spec.replicas === 3
        ? h.sim.cluster.get('apps/v1', 'Deployment', 'dash', 'dash-web')
        : undefined,
    );
    expect(upgraded.spec.template.spec.containers[0].image).toBe('registry.local/dash:2.0');
    expect(h.sim.cluster.get('v1', 'Service', 'dash', 'dash-web')).toBeUndefined();
    const releases = h.sim.cluster.list('v1', 'Secret', 'dash').filter((s) => s.type === 'helm.sh/release.v1');
    expect(releases.map((s) => `${s.metadata.name} ${s.metadata.labels.status}`)).toEqual([
      'sh.helm.release.v1.dash.v1 superseded',
      'sh.helm.release.v1.dash.v2 deployed',
    ]);

    const removed = await h.kubectl(['delete', 'helmchart', 'dash', '-n', 'kube-system', '--timeout=15s'], { timeoutMs: 20_000 });
    expect(removed.code, removed.stderr).toBe(0);
    expect(h.sim.cluster.get('apps/v1', 'Deployment', 'dash', 'dash-web')).toBeUndefined();
    expect(h.sim.cluster.list('v1', 'Secret', 'dash').filter((s) => s.type === 'helm.sh/release.v1')).toEqual([]);
    expect(job('helm-install-dash')).toBeUndefined();
    expect(h.sim.cluster.get('v1', 'ServiceAccount', 'kube-system', 'helm-dash')).toBeUndefined();
    expect(h.sim.cluster.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'panels.dash.example.com')).toBeDefined();
    const reasons = h.sim.cluster
      .list('v1', 'Event', 'kube-system')
      .filter((e) => e.involvedObject.kind === 'HelmChart')
      .map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ApplyJob', 'RemoveJob']));
  });

  it('fails the install Job on the sim annotation or a chart it cannot render, and installs nothing', async () => {
    const good = await chart('1.0.0', { 'deployment.yaml': DEPLOYMENT });
    const bad = await chart('1.0.1', { 'deployment.yaml': DEPLOYMENT.replace('{{ .Chart.Name }}', '{{ include "dash.name" . }}') });
    const input = [
      helmChart('broken', { chartContent: good, targetNamespace: 'default', backOffLimit: 1 }, { 'sim.outpost.dev/helm-install': 'fail' }),
      helmChart('unrenderable', { chartContent: bad, targetNamespace: 'default', backOffLimit: 0 }),
    ];
    for (const doc of input) expect((await h.kubectl(['apply', '--server-side', '-f', '-'], { input: doc })).code).toBe(0);
    await until('both jobs failed', () => done(job('helm-install-broken'), 'Failed') && done(job('helm-install-unrenderable'), 'Failed'), 15_000);
    expect(job('helm-install-broken')?.status.conditions.find((c: Obj) => c.type === 'Failed').reason).toBe('BackoffLimitExceeded');
    expect(h.sim.cluster.list('apps/v1', 'Deployment', 'default')).toEqual([]);
    const pods = h.sim.cluster.list('v1', 'Pod', 'kube-system').filter((p) => p.metadata.labels?.['helmcharts.helm.cattle.io/chart'] === 'broken');
    expect(pods.length).toBeGreaterThan(0);
  });
});
