import { describe, expect, it } from 'vitest';
import { planUpgrade } from '../../../daemon/src/upgrade/planner.ts';
import { bundleOf, deployment, installedOf, manifestOf, observed, SETTINGS } from './plan-fixtures.ts';

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n---\n';
const V1 = `${NS}${deployment('web', 'registry.local/web:1.0')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: app}
data: {mode: eco, level: "1"}
---
apiVersion: v1
kind: Service
metadata: {name: old-svc, namespace: app}
spec: {ports: [{port: 80}]}
`;
const V2 = `${NS}${deployment('web', 'registry.local/web:2.0', '          env: [{name: LOG_LEVEL, value: debug}]\n').replace('replicas: 2', 'replicas: 3')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: app}
data: {mode: eco, level: "2", extra: x}
`;
const WEB2 = [{ path: 'images/web.tar', refs: ['registry.local/web:2.0'] }];
const codes = (plan: { problems: { code: string }[] }) => plan.problems.map((p) => p.code);

describe('the planner', () => {
  it('plans a first install: every object added, nothing removed, from nothing', () => {
    const plan = planUpgrade(bundleOf(V1, manifestOf({ version: '1.0.0', sequence: 10 }, [{ path: 'images/web.tar', refs: ['registry.local/web:1.0'] }])), null, observed(), SETTINGS);
    expect(plan.kind).toBe('install');
    expect(plan.from).toBeNull();
    expect(plan.to).toEqual({ version: '1.0.0', sequence: 10 });
    expect(plan.objects.map((o) => [o.kind, o.change])).toEqual([
      ['Namespace', 'added'],
      ['ConfigMap', 'added'],
      ['Service', 'added'],
      ['Deployment', 'added'],
    ]);
    expect(plan.blocking).toBe(0);
    expect(plan.steps).toBe(1 + 4 + 2);
    expect(plan.notes).toBe('# notes');
    expect(plan.signers).toEqual(['k1']);
  });

  it('summarises an upgrade field by field: image from→to, replicas, env keys without values, data keys, a removed object', () => {
    const plan = planUpgrade(bundleOf(V2, manifestOf({}, WEB2)), installedOf(V1), observed(), SETTINGS);
    expect(plan.kind).toBe('upgrade');
    expect(plan.from).toEqual({ version: '1.0.0', sequence: 10 });
    const web = plan.objects.find((o) => o.name === 'web');
    expect(web?.change).toBe('changed');
    expect(web?.fields).toContainEqual({ field: 'containers[web].image', from: 'registry.local/web:1.0', to: 'registry.local/web:2.0', change: 'changed' });
    expect(web?.fields).toContainEqual({ field: 'spec.replicas', from: '2', to: '3', change: 'changed' });
    expect(web?.fields).toContainEqual({ field: 'env[web].LOG_LEVEL', change: 'added' });
    const cfg = plan.objects.find((o) => o.name === 'cfg');
    expect(cfg?.fields).toEqual([
      { field: 'data.level', from: '1', to: '2', change: 'changed' },
      { field: 'data.extra', to: 'x', change: 'added' },
    ]);
    expect(plan.objects.find((o) => o.kind === 'Namespace')?.change).toBe('unchanged');
    expect(plan.objects.find((o) => o.name === 'old-svc')).toMatchObject({ change: 'removed', kind: 'Service', namespace: 'app' });
    expect(plan.steps).toBe(1 + 3 + 1 + 2);
  });

  it('never shows Secret values, only which keys changed', () => {
    const secret = (v: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: app}\nstringData: {password: ${v}}\n`;
    const plan = planUpgrade(bundleOf(secret('new-secret')), installedOf(secret('old-secret')), observed(), SETTINGS);
    expect(plan.objects[0]?.fields).toEqual([{ field: 'stringData.password', change: 'changed' }]);
    expect(JSON.stringify(plan)).not.toContain('secret-');
  });

  it.each([
    ['an equal sequence (a replay)', 10, 0, 'sequence_not_newer'],
    ['an older sequence (a downgrade)', 9, 0, 'sequence_not_newer'],
    ['a sequence below the floor', 11, 12, 'sequence_below_floor'],
  ])('blocks %s', (_what, sequence, floor, code) => {
    const plan = planUpgrade(bundleOf(V2, manifestOf({ sequence }, WEB2)), installedOf(V1), observed(), { ...SETTINGS, floor });
    expect(plan.problems[0]).toMatchObject({ code, blocking: true });
    expect(plan.sequence.ok).toBe(false);
  });

  it('lets an admin rollback go to an older sequence, but not below the floor', () => {
    const rollback = planUpgrade(bundleOf(V1, manifestOf({ version: '1.0.0', sequence: 10 })), installedOf(V2, '1.1.0', 11), observed({ containerd: { reachable: true, error: null, images: new Map([['registry.local/web:1.0', { digest: 'sha256:1', labels: {} }]]) } }), { ...SETTINGS, mode: 'rollback' });
    expect(rollback.kind).toBe('rollback');
    expect(rollback.blocking).toBe(0);
    const below = planUpgrade(bundleOf(V1, manifestOf({ version: '1.0.0', sequence: 10 })), installedOf(V2, '1.1.0', 11), observed(), { ...SETTINGS, mode: 'rollback', floor: 11 });
    expect(codes(below)).toContain('sequence_below_floor');
  });

  it('blocks an expired bundle, also when the clock was set back below a newer bundle seen before', () => {
    const expired = planUpgrade(bundleOf(V2, manifestOf({ expires: '2026-05-15T00:00:00Z' }, WEB2)), installedOf(V1), observed(), SETTINGS);
    expect(codes(expired)).toContain('bundle_expired');
    const setBack = planUpgrade(bundleOf(V2, manifestOf({}, WEB2)), installedOf(V1), observed({ now: Date.parse('2020-01-01T00:00:00Z'), newestCreatedSeen: Date.parse('2027-06-01T00:00:00Z') }), SETTINGS);
    expect(setBack.expiry.ok).toBe(false);
    expect(setBack.problems[0]?.code).toBe('bundle_expired');
  });

  it('checks the architecture from the node, the Kubernetes range against /version and the Outpost version', () => {
    const plan = planUpgrade(
      bundleOf(V2, manifestOf({ requires: { architecture: 'arm64', kubernetes: '>=1.33.0', outpost: '9.0.0' } }, WEB2)),
      installedOf(V1),
      observed(),
      SETTINGS,
    );
    expect(plan.architecture).toEqual({ ok: false, required: 'arm64', actual: 'amd64' });
    expect(plan.kubernetes).toEqual({ ok: false, required: '>=1.33.0', actual: 'v1.32.5+k3s1' });
    expect(plan.outpost.ok).toBe(false);
    expect(codes(plan)).toEqual(expect.arrayContaining(['architecture_mismatch', 'kubernetes_version', 'outpost_too_old']));
  });

  it('accepts a k3s version string inside the range', () => {
    const plan = planUpgrade(bundleOf(V2, manifestOf({}, WEB2)), installedOf(V1), observed(), SETTINGS);
    expect(plan.kubernetes.ok).toBe(true);
    expect(plan.architecture.ok).toBe(true);
  });

  it('blocks an image that is neither in the bundle nor on the node, naming the object and container', () => {
    const plan = planUpgrade(bundleOf(V2, manifestOf({}, [])), installedOf(V1), observed(), SETTINGS);
    expect(plan.problems[0]).toEqual({ code: 'image_missing', object: 'Deployment app/web', blocking: true, message: expect.stringContaining('container web needs registry.local/web:2.0') });
  });

  it('accepts an image already on the node, matching short names as containerd normalises them', () => {
    const yaml = `${NS}${deployment('web', 'busybox:1.36')}`;
    const images = new Map([['docker.io/library/busybox:1.36', { digest: 'sha256:aa', labels: {} }]]);
    const plan = planUpgrade(bundleOf(yaml, manifestOf({}, [])), null, observed({ containerd: { reachable: true, error: null, images } }), SETTINGS);
    expect(plan.blocking).toBe(0);
  });

  it.each([
    ['imagePullPolicy: Always', 'registry.local/web:2.0', 'Always', true],
    ['a :latest tag without a policy', 'registry.local/web:latest', null, true],
    ['no tag at all', 'registry.local/web', null, true],
    ['a :latest tag with IfNotPresent', 'registry.local/web:latest', 'IfNotPresent', false],
    ['a digest without a tag', `registry.local/web@sha256:${'c'.repeat(64)}`, null, false],
  ])('%s needs a registry: %s', (_what, image, policy, blocked) => {
    const extra = policy ? `          imagePullPolicy: ${policy}\n` : '';
    const plan = planUpgrade(bundleOf(`${NS}${deployment('web', image, extra)}`, manifestOf({}, [{ path: 'images/web.tar', refs: [image.includes('@') ? image : image.includes(':') ? image : `${image}:latest`] }])), null, observed(), SETTINGS);
    expect(codes(plan).includes('image_needs_registry')).toBe(blocked);
  });

  it('checks disk space with a reserve, counting only archives not yet imported', () => {
    const big = [{ path: 'images/web.tar', refs: ['registry.local/web:2.0'], size: 10e9 }];
    const full = planUpgrade(bundleOf(V2, manifestOf({}, big)), installedOf(V1), observed({ disk: { path: '/c', freeBytes: 40e9, totalBytes: 100e9 } }), SETTINGS);
    expect(full.disk).toMatchObject({ neededBytes: 30e9, freeBytes: 40e9, reserveBytes: 20e9, ok: false });
    expect(codes(full)).toContain('disk_space');
    const imported = new Map([['registry.local/web:2.0', { digest: 'sha256:2', labels: { 'outpost.dev/archive': 'b'.repeat(64) } }]]);
    const skip = planUpgrade(bundleOf(V2, manifestOf({}, big)), installedOf(V1), observed({ disk: { path: '/c', freeBytes: 40e9, totalBytes: 100e9 }, containerd: { reachable: true, error: null, images: imported } }), SETTINGS);
    expect(skip.images[0]).toMatchObject({ present: true, imported: true, digest: 'sha256:2' });
    expect(skip.disk).toMatchObject({ neededBytes: 0, ok: true });
  });

  it('warns without blocking when the disk cannot be read', () => {
    const plan = planUpgrade(bundleOf(V2, manifestOf({}, WEB2)), installedOf(V1), observed({ disk: null }), SETTINGS);
    expect(plan.problems.find((p) => p.code === 'disk_unknown')).toMatchObject({ blocking: false });
    expect(plan.blocking).toBe(0);
  });

  it('blocks a kind the cluster does not serve unless a CRD of the bundle defines it', () => {
    const cr = 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: app}\n';
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec: {group: example.com, scope: Namespaced, names: {kind: Widget, plural: widgets}, versions: [{name: v1, served: true, storage: true}]}
---
`;
    expect(codes(planUpgrade(bundleOf(`${NS}${cr}`), null, observed(), SETTINGS))).toContain('kind_not_served');
    const withCrd = planUpgrade(bundleOf(`${NS}${crd}${cr}`), null, observed(), SETTINGS);
    expect(withCrd.blocking).toBe(0);
    expect(withCrd.objects.map((o) => o.kind)).toEqual(['Namespace', 'CustomResourceDefinition', 'Widget']);
    expect(withCrd.objects[1]?.namespace).toBeUndefined();
  });

  it('lists objects owned by another release (blocking) and fields of other managers (taken over)', () => {
    const live = new Map([
      ['core/ConfigMap/app/cfg', { release: 'addons', conflicts: [] }],
      ['apps/Deployment/app/web', { release: null, conflicts: [{ manager: 'kubectl-edit', fields: ['spec.replicas'] }] }],
    ]);
    const plan = planUpgrade(bundleOf(V2, manifestOf({}, WEB2)), null, observed({ live }), SETTINGS);
    expect(plan.problems.find((p) => p.code === 'owned_by_other_release')).toMatchObject({ object: 'ConfigMap app/cfg', blocking: true });
    expect(plan.problems.find((p) => p.code === 'field_manager_conflict')).toMatchObject({ object: 'Deployment app/web', blocking: false, message: expect.stringContaining('kubectl-edit') });
    expect(plan.objects.find((o) => o.name === 'web')).toMatchObject({ exists: true, conflicts: [{ manager: 'kubectl-edit', fields: ['spec.replicas'] }] });
  });

  it('blocks when neither the cluster nor containerd can be reached', () => {
    const plan = planUpgrade(bundleOf(V2, manifestOf({}, WEB2)), null, observed({ cluster: { reachable: false, error: 'ECONNREFUSED', version: null, architecture: null }, containerd: { reachable: false, error: 'no socket', images: new Map() } }), SETTINGS);
    expect(codes(plan)).toEqual(expect.arrayContaining(['cluster_unreachable', 'containerd_unreachable']));
  });

  it('orders problems blocking first', () => {
    const live = new Map([['apps/Deployment/app/web', { release: null, conflicts: [{ manager: 'kubectl', fields: ['spec.replicas'] }] }]]);
    const plan = planUpgrade(bundleOf(V2, manifestOf({}, [])), installedOf(V1), observed({ live }), SETTINGS);
    const firstWarning = plan.problems.findIndex((p) => !p.blocking);
    expect(plan.problems.slice(firstWarning).every((p) => !p.blocking)).toBe(true);
    expect(firstWarning).toBeGreaterThan(0);
    expect(plan.problems[0]?.blocking).toBe(true);
  });

  it('blocks an image archive built for another architecture', () => {
    const plan = planUpgrade(bundleOf(V2, manifestOf({}, [{ path: 'images/web.tar', refs: ['registry.local/web:2.0'], arch: 'arm64' }])), null, observed(), SETTINGS);
    expect(plan.problems.find((p) => p.code === 'image_wrong_architecture')).toMatchObject({ object: 'images/web.tar' });
  });

  it('gates every workload and a chart on its helm-install job, with timings from the bundle annotations', () => {
    const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: app}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: registry.local/web:2.0}]}}}\n---\n';
    const chart = 'apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata: {name: grafana, namespace: kube-system}\nspec: {chartContent: abc}\n---\n';
    const m = manifestOf({ annotations: { 'outpost.dev/health-stability-seconds': '5', 'outpost.dev/health-timeout-seconds': 60 } }, WEB2);
    const plan = planUpgrade(bundleOf(`${NS}${job}${chart}${deployment('web', 'registry.local/web:2.0')}`, m), null, observed(), SETTINGS);
    expect(plan.gate).toEqual({ stabilitySeconds: 5, timeoutSeconds: 60, workloads: ['app/job/migrate', 'kube-system/job/helm-install-grafana', 'app/deployment/web'] });
  });

  it('puts namespaced objects without a namespace in default and keeps cluster-scoped ones without', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n';
    const plan = planUpgrade(bundleOf(yaml), null, observed({ served: new Set(['v1/ConfigMap', 'rbac.authorization.k8s.io/v1/ClusterRole']) }), SETTINGS);
    expect(plan.objects.map((o) => [o.kind, o.namespace, o.key])).toEqual([
      ['ConfigMap', 'default', 'core/ConfigMap/default/c'],
      ['ClusterRole', undefined, 'rbac.authorization.k8s.io/ClusterRole//r'],
    ]);
  });
});
