// What the simulated `helm install|upgrade|uninstall` does to the cluster: CRDs first (created
// once, never upgraded, as Helm does), then every rendered object applied (field manager `helm`,
// labels `app.kubernetes.io/managed-by: Helm`, `meta.helm.sh/release-*` annotations), objects of
// the previous revision that are gone pruned, and a release Secret
// `sh.helm.release.v1.<name>.v<N>` (type helm.sh/release.v1, data base64(gzip(JSON))) written.
import { gunzipSync, gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import type { Kit } from './controller-kit.ts';
import { establishCrd } from './crds.ts';
import { removeObject } from './deletion.ts';
import type { Rendered } from './chart-render.ts';
import { storageKey } from './resources.ts';
import { ApiError, clone, type KObject, type Obj } from './types.ts';

const TYPE = 'helm.sh/release.v1';
const HASH = 'sim.outpost.dev/config-hash';

interface Ref {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

const targetOf = (chart: KObject): string => chart.spec.targetNamespace || chart.metadata.namespace;

function releases(kit: Kit, chart: KObject): KObject[] {
  const all = kit.api.store.list(storageKey(kit.info('v1', 'Secret')), targetOf(chart), true);
  return all
    .filter((s) => s.type === TYPE && s.metadata.labels?.owner === 'helm' && s.metadata.labels?.name === chart.metadata.name)
    .sort((a, b) => Number(a.metadata.labels?.version) - Number(b.metadata.labels?.version));
}

function refsOf(secret: KObject | undefined): Ref[] {
  if (!secret?.data?.release) return [];
  const json = JSON.parse(gunzipSync(Buffer.from(Buffer.from(secret.data.release, 'base64').toString('utf8'), 'base64')).toString('utf8')) as Obj;
  return (json.sim_objects ?? []) as Ref[];
}

/** The config hash the deployed revision was installed from. */
export function releaseHash(kit: Kit, chart: KObject): string | undefined {
  return releases(kit, chart).at(-1)?.metadata.annotations?.[HASH];
}

function remove(kit: Kit, ref: Ref): void {
  const info = kit.api.registry.byKind(ref.apiVersion, ref.kind);
  if (!info) return;
  try {
    removeObject(kit.api, info, ref.namespace, ref.name, { propagationPolicy: 'Background' });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) throw error;
  }
}

export function installRelease(kit: Kit, chart: KObject, rendered: Rendered, hash: string): void {
  const target = targetOf(chart);
  const nsInfo = kit.info('v1', 'Namespace');
  if (!kit.api.find(nsInfo, undefined, target)) kit.api.create(nsInfo, undefined, { metadata: { name: target } });
  for (const crd of rendered.crds) {
    const info = kit.info('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    if (!kit.api.find(info, undefined, crd.metadata?.name)) establishCrd(kit.api, kit.api.create(info, undefined, crd, { manager: 'helm' }));
  }
  const history = releases(kit, chart);
  const version = Number(history.at(-1)?.metadata.labels?.version ?? 0) + 1;
  const refs: Ref[] = [];
  for (const obj of rendered.objects) {
    const info = kit.api.info(obj.apiVersion, obj.kind);
    const ns = info.namespaced ? (obj.metadata?.namespace ?? target) : undefined;
    const meta = obj.metadata ?? {};
    const labels = { ...meta.labels, 'app.kubernetes.io/managed-by': 'Helm' };
    const annotations = { ...meta.annotations, 'meta.helm.sh/release-name': chart.metadata.name, 'meta.helm.sh/release-namespace': target };
    const body = { ...clone(obj), metadata: { ...clone(meta), ...(ns ? { namespace: ns } : {}), labels, annotations } };
    kit.api.patch(info, ns, String(meta.name), 'application/apply-patch+yaml', JSON.stringify(body), { manager: 'helm', force: true });
    refs.push({ apiVersion: obj.apiVersion, kind: obj.kind, ...(ns ? { namespace: ns } : {}), name: String(meta.name) });
  }
  const key = (r: Ref): string => `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`;
  const now = new Set(refs.map(key));
  for (const old of refsOf(history.at(-1))) if (!now.has(key(old))) remove(kit, old);
  const secretInfo = kit.info('v1', 'Secret');
  for (const old of history)
    if (old.metadata.labels?.status === 'deployed')
      kit.api.writeObject(secretInfo, { ...clone(old), metadata: { ...clone(old.metadata), labels: { ...old.metadata.labels, status: 'superseded' } } });
  const manifest = rendered.objects.map((o) => stringify(o)).join('---\n');
  const record = {
    name: chart.metadata.name,
    namespace: target,
    version,
    info: { status: 'deployed' },
    chart: { metadata: rendered.chart },
    manifest,
    sim_objects: refs,
  };
  const release = gzipSync(Buffer.from(JSON.stringify(record))).toString('base64');
  kit.api.create(secretInfo, target, {
    metadata: {
      name: `sh.helm.release.v1.${chart.metadata.name}.v${version}`,
      namespace: target,
      labels: { name: chart.metadata.name, owner: 'helm', status: 'deployed', version: String(version) },
      annotations: { [HASH]: hash },
    },
    type: TYPE,
    data: { release: Buffer.from(release).toString('base64') },
  });
}

export function uninstallRelease(kit: Kit, chart: KObject): void {
  const history = releases(kit, chart);
  for (const ref of refsOf(history.at(-1))) remove(kit, ref);
  for (const secret of history) remove(kit, { apiVersion: 'v1', kind: 'Secret', namespace: secret.metadata.namespace, name: secret.metadata.name });
}
