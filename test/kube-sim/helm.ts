// k3s's helm-controller, simulated: a HelmChart (any namespace) gets the objects k3s makes for
// it — ServiceAccount `helm-<name>`, ClusterRoleBinding `helm-<ns>-<name>` to cluster-admin,
// Secret `chart-values-<name>`, ConfigMap `chart-content-<name>` — and a Job
// `helm-install-<name>` in its namespace (image klipper-helm, restartPolicy OnFailure,
// backoffLimit 1000 unless `spec.backOffLimit`). When that Job completes, the chart's objects
// (from `chartContent`, see chart-render.ts) are installed into the target namespace with Helm's
// labels and a release Secret. Deleting the HelmChart runs `helm-delete-<name>` (finalizer), then
// removes what the release installed. `sim.outpost.dev/helm-install: fail` makes the Job fail.
import { createHash } from 'node:crypto';
import type { Kit } from './controller-kit.ts';
import { listAll } from './controller-kit.ts';
import { removeObject } from './deletion.ts';
import { installRelease, uninstallRelease, releaseHash } from './helm-release.ts';
import { RenderError, renderChart } from './chart-render.ts';
import { ApiError, clone, deepEqual, type KObject, type Obj } from './types.ts';

export const HELM_JOB_IMAGE = 'rancher/klipper-helm:v0.9.4-build20250113';
export const HELM_FAIL_ANNOTATION = 'sim.outpost.dev/helm-install';
const FINALIZER = 'wrangler.cattle.io/on-helm-chart-remove';
const CONFIG_HASH = 'helmcharts.helm.cattle.io/configHash';
const LABEL = 'helmcharts.helm.cattle.io/chart';

const complete = (job: Obj | undefined): boolean => (job?.status?.conditions ?? []).some((c: Obj) => c.type === 'Complete' && c.status === 'True');

function configHash(chart: KObject): string {
  const input = JSON.stringify([chart.spec, chart.metadata.annotations?.[HELM_FAIL_ANNOTATION] ?? '']);
  return `SHA256=${createHash('sha256').update(input).digest('hex').toUpperCase()}`;
}

/** Renders the chart, or says why the install Job will fail. */
export function renderFor(kit: Kit, chart: KObject): ReturnType<typeof renderChart> | string {
  if (chart.metadata.annotations?.[HELM_FAIL_ANNOTATION] === 'fail') return `failed by annotation ${HELM_FAIL_ANNOTATION}`;
  if (!chart.spec.chartContent) return { chart: {}, crds: [], objects: [] };
  const target = chart.spec.targetNamespace || chart.metadata.namespace;
  if (!chart.spec.createNamespace && !kit.api.find(kit.info('v1', 'Namespace'), undefined, target))
    return `create: failed to create: namespaces "${target}" not found`;
  try {
    const rendered = renderChart(
      Buffer.from(String(chart.spec.chartContent), 'base64'),
      { name: chart.metadata.name, namespace: target },
      String(chart.spec.valuesContent ?? ''),
      chart.spec.set ?? {},
    );
    const fromCrds = new Set(rendered.crds.flatMap((c) => (c.spec?.versions ?? []).map((v: Obj) => `${c.spec?.group}/${v.name}/${c.spec?.names?.kind}`)));
    const unknown = rendered.objects.find((o) => !kit.api.registry.byKind(o.apiVersion, o.kind) && !fromCrds.has(`${o.apiVersion}/${o.kind}`));
    if (unknown)
      return `resource mapping not found for name: "${unknown.metadata?.name}": no matches for kind "${unknown.kind}" in version "${unknown.apiVersion}"`;
    return rendered;
  } catch (error) {
    if (error instanceof RenderError) return error.message;
    throw error;
  }
}

function ensure(kit: Kit, apiVersion: string, kind: string, obj: Obj): void {
  const info = kit.info(apiVersion, kind);
  const current = kit.api.find(info, obj.metadata.namespace, obj.metadata.name);
  if (!current) kit.api.create(info, obj.metadata.namespace, { apiVersion, kind, ...obj });
  else if (!deepEqual(current.data, obj.data)) kit.api.writeObject(info, { ...clone(current), data: obj.data });
}

function job(chart: KObject, action: 'install' | 'delete', hash: string, succeeds: boolean): Obj {
  const name = chart.metadata.name;
  const target = chart.spec.targetNamespace || chart.metadata.namespace;
  const env = [
    ['NAME', name],
    ['VERSION', chart.spec.version ?? ''],
    ['REPO', chart.spec.repo ?? ''],
    ['HELM_DRIVER', 'secret'],
    ['CHART_NAMESPACE', chart.metadata.namespace],
    ['CHART', chart.spec.chart ?? ''],
    ['TARGET_NAMESPACE', target],
    ['FAILURE_POLICY', chart.spec.failurePolicy ?? 'reinstall'],
  ];
  return {
    metadata: { name: `helm-${action}-${name}`, namespace: chart.metadata.namespace, labels: { [LABEL]: name } },
    spec: {
      backoffLimit: chart.spec.backOffLimit ?? 1000,
      template: {
        metadata: { labels: { [LABEL]: name }, annotations: { [CONFIG_HASH]: hash, 'sim.outpost.dev/behavior': succeeds ? 'exit:0' : 'exit:1' } },
        spec: {
          restartPolicy: 'OnFailure',
          serviceAccountName: `helm-${name}`,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [
            {
              name: 'helm',
              image: chart.spec.jobImage || HELM_JOB_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: action === 'delete' ? ['delete'] : ['install', ...(chart.spec.targetNamespace ? ['--namespace', target] : [])],
              env: env.map(([n, v]) => ({ name: n, value: v })),
            },
          ],
        },
      },
    },
  };
}

function supportObjects(kit: Kit, chart: KObject): void {
  const { name, namespace } = chart.metadata;
  ensure(kit, 'v1', 'ServiceAccount', { metadata: { name: `helm-${name}`, namespace }, automountServiceAccountToken: true });
  const crb = { name: `helm-${namespace}-${name}` };
  ensure(kit, 'rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', {
    metadata: crb,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: `helm-${name}`, namespace }],
  });
  const values = chart.spec.valuesContent ? { 'values-01_HelmChart.yaml': Buffer.from(String(chart.spec.valuesContent)).toString('base64') } : {};
  ensure(kit, 'v1', 'Secret', { metadata: { name: `chart-values-${name}`, namespace }, type: 'Opaque', data: values });
  ensure(kit, 'v1', 'ConfigMap', {
    metadata: { name: `chart-content-${name}`, namespace },
    data: chart.spec.chartContent ? { [`${name}.tgz.base64`]: chart.spec.chartContent } : {},
  });
}

function removeSupport(kit: Kit, chart: KObject): void {
  const { name, namespace } = chart.metadata;
  const gone: [string, string, string | undefined, string][] = [
    ['v1', 'ServiceAccount', namespace, `helm-${name}`],
    ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', undefined, `helm-${namespace}-${name}`],
    ['v1', 'Secret', namespace, `chart-values-${name}`],
    ['v1', 'ConfigMap', namespace, `chart-content-${name}`],
    ['batch/v1', 'Job', namespace, `helm-install-${name}`],
    ['batch/v1', 'Job', namespace, `helm-delete-${name}`],
  ];
  for (const [apiVersion, kind, ns, n] of gone) {
    try {
      removeObject(kit.api, kit.info(apiVersion, kind), ns, n, { propagationPolicy: 'Background' });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
}

/** Runs `helm-<action>-<name>` at `hash`; replaces a Job of another hash. Returns the Job when it is current. */
function runJob(kit: Kit, chart: KObject, action: 'install' | 'delete', hash: string, succeeds: boolean): KObject | undefined {
  const info = kit.info('batch/v1', 'Job');
  const other = action === 'install' ? 'delete' : 'install';
  const stale = kit.api.find(info, chart.metadata.namespace, `helm-${other}-${chart.metadata.name}`);
  if (stale && !stale.metadata.deletionTimestamp)
    removeObject(kit.api, info, chart.metadata.namespace, stale.metadata.name, { propagationPolicy: 'Foreground' });
  const current = kit.api.find(info, chart.metadata.namespace, `helm-${action}-${chart.metadata.name}`);
  if (current && current.spec.template.metadata?.annotations?.[CONFIG_HASH] !== hash) {
    if (!current.metadata.deletionTimestamp)
      removeObject(kit.api, info, current.metadata.namespace, current.metadata.name, { propagationPolicy: 'Foreground' });
    return undefined;
  }
  if (current) return current;
  const created = kit.api.create(info, chart.metadata.namespace, { apiVersion: 'batch/v1', kind: 'Job', ...job(chart, action, hash, succeeds) });
  kit.events.record(chart, 'Normal', 'ApplyJob', `Applying HelmChart using Job ${created.metadata.namespace}/${created.metadata.name}`, {
    component: 'helm-controller',
  });
  return created;
}

export function syncHelmCharts(kit: Kit): void {
  const info = kit.info('helm.cattle.io/v1', 'HelmChart');
  for (const chart of listAll(kit, 'helm.cattle.io/v1', 'HelmChart')) {
    if ((!chart.spec?.chart && !chart.spec?.chartContent) || chart.metadata.annotations?.['helmcharts.helm.cattle.io/unmanaged'] !== undefined) continue;
    if (chart.metadata.deletionTimestamp) {
      if (!(chart.metadata.finalizers ?? []).includes(FINALIZER)) continue;
      const done = runJob(kit, chart, 'delete', configHash(chart), true);
      if (!complete(done)) continue;
      uninstallRelease(kit, chart);
      removeSupport(kit, chart);
      kit.events.record(
        chart,
        'Normal',
        'RemoveJob',
        `Uninstalled HelmChart using Job ${chart.metadata.namespace}/helm-delete-${chart.metadata.name}, removing resources`,
        { component: 'helm-controller' },
      );
      kit.api.replace(info, chart.metadata.namespace, chart.metadata.name, {
        ...clone(chart),
        metadata: { ...clone(chart.metadata), finalizers: chart.metadata.finalizers.filter((f: string) => f !== FINALIZER) },
      });
      continue;
    }
    if (!(chart.metadata.finalizers ?? []).includes(FINALIZER) || chart.metadata.annotations?.['helmcharts.cattle.io/managed-by'] !== 'helm-controller') {
      const meta = {
        ...clone(chart.metadata),
        finalizers: [...(chart.metadata.finalizers ?? []).filter((f: string) => f !== FINALIZER), FINALIZER],
        annotations: { ...chart.metadata.annotations, 'helmcharts.cattle.io/managed-by': 'helm-controller' },
      };
      kit.api.writeObject(info, { ...clone(chart), metadata: meta });
      continue;
    }
    const hash = configHash(chart);
    supportObjects(kit, chart);
    const rendered = releaseHash(kit, chart) === hash ? undefined : renderFor(kit, chart);
    const current = runJob(kit, chart, 'install', hash, typeof rendered !== 'string');
    const name = current?.metadata.name ?? `helm-install-${chart.metadata.name}`;
    const status = {
      ...clone(chart.status ?? {}),
      jobName: name,
      conditions: [
        { type: 'JobCreated', status: 'True', reason: 'Job created', message: `Applying HelmChart using Job ${chart.metadata.namespace}/${name}` },
        { type: 'Failed', status: 'False' },
      ],
    };
    kit.api.writeStatus(info, chart, status);
    if (complete(current) && rendered !== undefined && typeof rendered !== 'string') installRelease(kit, chart, rendered, hash);
  }
}
