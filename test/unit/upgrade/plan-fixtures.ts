// Builders for planner tests: a bundle view from YAML, an installed release, observed facts.
import type { BundleManifest } from '../../../daemon/src/bundles/index.ts';
import { desiredObject, parseManifestText, scopeResolver } from '../../../daemon/src/upgrade/manifests-pure.ts';
import type { BundleView, InstalledView, Observed, PlanSettings } from '../../../daemon/src/upgrade/planner.ts';

export function manifestOf(over: Partial<BundleManifest> = {}, images: { path: string; refs: string[]; size?: number; arch?: string; sha?: string }[] = []): BundleManifest {
  return {
    format: 'outpost-bundle/v1',
    name: 'app',
    version: '1.1.0',
    sequence: 11,
    created: '2026-05-01T00:00:00Z',
    expires: '2027-05-01T00:00:00Z',
    requires: { architecture: 'amd64', kubernetes: '>=1.28.0 <1.34.0', outpost: '0.1.0' },
    files: [
      { path: 'manifests/app.yaml', size: 1, sha256: 'a'.repeat(64), role: 'manifest' },
      ...images.map((i) => ({ path: i.path, size: i.size ?? 1000, sha256: i.sha ?? 'b'.repeat(64), role: 'image' as const, references: i.refs, platform: { os: 'linux', architecture: i.arch ?? 'amd64' } })),
    ],
    ...over,
  };
}

export function bundleOf(yaml: string, manifest = manifestOf(), served = SERVED): BundleView {
  const docs = parseManifestText('manifests/app.yaml', yaml);
  const scope = scopeResolver(new Map([...served].map((k) => [k, !k.endsWith('/Namespace') && !k.endsWith('/CustomResourceDefinition')])), docs);
  return { id: 'b1', manifest, signers: ['k1'], notes: '# notes', objects: docs.map((d) => desiredObject(d, scope(d.apiVersion, d.kind), manifest.name, manifest.version)), problems: [] };
}

export function installedOf(yaml: string, version = '1.0.0', sequence = 10): InstalledView {
  const b = bundleOf(yaml, manifestOf({ version, sequence }));
  return { bundleId: 'b0', version, sequence, floor: 0, objects: b.objects, inventory: { objects: b.objects.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), key: o.key })), images: [] } };
}

export const SERVED = new Set(['v1/Namespace', 'v1/ConfigMap', 'v1/Secret', 'v1/Service', 'apps/v1/Deployment', 'apps/v1/StatefulSet', 'batch/v1/Job', 'batch/v1/CronJob', 'helm.cattle.io/v1/HelmChart', 'apiextensions.k8s.io/v1/CustomResourceDefinition']);

export function observed(over: Partial<Observed> = {}): Observed {
  return {
    now: Date.parse('2026-06-01T00:00:00Z'),
    outpostVersion: '0.1.0',
    newestCreatedSeen: null,
    cluster: { reachable: true, error: null, version: 'v1.32.5+k3s1', architecture: 'amd64' },
    served: SERVED,
    live: new Map(),
    containerd: { reachable: true, error: null, images: new Map() },
    disk: { path: '/var/lib/containerd', freeBytes: 50e9, totalBytes: 100e9 },
    diskPath: '/var/lib/containerd',
    otherReleases: new Map(),
    ...over,
  };
}

export const SETTINGS: PlanSettings = { mode: 'upgrade', diskReservePercent: 20, stabilitySeconds: 30, timeoutSeconds: 300, floor: 0 };

export function deployment(name: string, image: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: app}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: ${name}
          image: ${image}
${extra}`;
}
