// Wire shapes for the upgrade UI's tests (not used by the app): a plan, a record, a release.
import type { ReleaseInfo, UpgradePlan, UpgradeRecord } from '@protocol';

export function planFixture(over: Partial<UpgradePlan> = {}): UpgradePlan {
  return {
    bundleId: '0123456789abcdef',
    release: 'plant-dashboard',
    kind: 'upgrade',
    from: { version: '1.0.0', sequence: 100 },
    to: { version: '1.1.0', sequence: 110 },
    signers: ['5df95d0d77a34271a301eaea7521008b'],
    computedAt: 1_000,
    sequence: { installed: 100, offered: 110, floor: 0, ok: true },
    expiry: { expires: '2036-05-29T00:00:00Z', ok: true },
    architecture: { ok: true, required: 'amd64', actual: 'amd64' },
    kubernetes: { ok: true, required: '>=1.28.0 <1.40.0', actual: 'v1.32.5+k3s1' },
    outpost: { ok: true, required: '>= 0.1.0', actual: '0.1.0' },
    images: [
      { file: 'images/a.tar', references: ['registry.local/demo/a:1.1.0'], size: 3 * 1048576, platform: 'linux/amd64', present: false, imported: false, digest: null },
      { file: 'images/b.tar', references: ['registry.local/demo/b:1.0.0'], size: 1048576, platform: 'linux/amd64', present: true, imported: true, digest: 'sha256:b' },
    ],
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', name: 'dashboard', key: '/Namespace//dashboard', change: 'unchanged', fields: [], exists: true, conflicts: [] },
      {
        apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'dashboard', name: 'plant-dashboard', key: 'apps/Deployment/dashboard/plant-dashboard', change: 'changed', exists: true, conflicts: [],
        fields: [{ field: 'containers[dashboard].image', from: 'a:1.0.0', to: 'a:1.1.0', change: 'changed' }, { field: 'spec.replicas', from: '1', to: '2', change: 'changed' }],
      },
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'dashboard', name: 'extra', key: '/ConfigMap/dashboard/extra', change: 'added', fields: [], exists: false, conflicts: [] },
      { apiVersion: 'v1', kind: 'Service', namespace: 'dashboard', name: 'old', key: '/Service/dashboard/old', change: 'removed', fields: [], exists: true, conflicts: [] },
    ],
    disk: { path: '/var/lib/containerd', neededBytes: 9 * 1048576, freeBytes: 100 * 1048576, totalBytes: 200 * 1048576, reserveBytes: 40 * 1048576, ok: true },
    gate: { stabilitySeconds: 30, timeoutSeconds: 300, workloads: ['dashboard/deployment/plant-dashboard'] },
    problems: [],
    blocking: 0,
    notes: '# Notes',
    steps: 6,
    ...over,
  };
}

export function recordFixture(over: Partial<UpgradeRecord> = {}): UpgradeRecord {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    kind: 'upgrade',
    release: 'plant-dashboard',
    bundleId: '0123456789abcdef',
    fromVersion: '1.0.0',
    toVersion: '1.1.0',
    actor: 'otto',
    startedAt: 1_000,
    updatedAt: 2_000,
    finishedAt: null,
    phase: 'preflight',
    step: { n: 0, of: 10, label: 'preflight', imports: 2 },
    bytes: { done: 0, total: 0 },
    message: '',
    workloads: [],
    resumes: 0,
    outcome: null,
    code: null,
    reasons: [],
    ...over,
  };
}

export function releaseFixture(over: Partial<ReleaseInfo> = {}): ReleaseInfo {
  return {
    name: 'plant-dashboard',
    version: '1.1.0',
    sequence: 110,
    bundleId: 'bbbbbbbbbbbbbbbb',
    installedAt: 1_000,
    installedBy: 'otto',
    status: 'installed',
    message: null,
    since: 1_000,
    lastOutcome: null,
    keptVersions: [
      { bundleId: 'bbbbbbbbbbbbbbbb', version: '1.1.0', sequence: 110, installedAt: 2_000 },
      { bundleId: 'aaaaaaaaaaaaaaaa', version: '1.0.0', sequence: 100, installedAt: 1_000 },
    ],
    workloads: ['dashboard/deployment/plant-dashboard', 'dashboard/deployment/exporter'],
    objects: 4,
    images: [],
    ...over,
  };
}
