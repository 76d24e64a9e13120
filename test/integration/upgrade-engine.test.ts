// The upgrade engine in-process against the kube-sim and a real containerd: install, upgrade with a
// prune, a crash-looping release rolled back with its reasons, an admin rollback, a restart refused
// as busy while an upgrade holds the lane. Checked with kubectl and ctr, not with the engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExclusiveRunner, type UpgradeAuditEntry } from '../../daemon/src/agent/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import type { UpgradeRecord } from '../../daemon/src/protocol/upgrade.ts';
import { buildUpgradeHost, type UpgradeHost } from '../../daemon/src/upgrade-host.ts';
import { buildAppBundle, deploymentYaml } from '../helpers/upgrade-bundles.ts';
import { startUpgradeEnv, type KubeJson, type UpgradeEnv } from '../helpers/upgrade-env.ts';
import { eventually } from '../helpers/cluster.ts';
import { helmChart } from '../fixtures/bundle-forge/images.ts';

let env: UpgradeEnv;
let host: UpgradeHost;
let runner: ExclusiveRunner;
const audits: UpgradeAuditEntry[] = [];
const admin = { name: 'ann', role: 'admin', address: '127.0.0.1' };
const NS = 'ns-engine';

const namespace = `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`;
const config = (level: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: ${NS}}\ndata: {level: "${level}"}\n`;

async function applyAndWait(path: string): Promise<UpgradeRecord> {
  const offered = await host.service.offerBundle(admin, { path, source: 'cli' });
  expect(offered.plan.problems.filter((p) => p.blocking)).toEqual([]);
  const { upgradeId } = await host.service.applyBundle(admin, offered.bundle.id);
  return host.service.followUpgrade(upgradeId, () => undefined);
}

async function kubectlJson(args: string[]): Promise<KubeJson> {
  const r = await env.kube.kubectl([...args, '-o', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as KubeJson;
}

beforeAll(async () => {
  env = await startUpgradeEnv();
  runner = new ExclusiveRunner();
  host = await buildUpgradeHost({ config: env.config(), log: createLogger('silent'), runner, audit: (e) => audits.push(e), env: {} });
  await host.service.start();
}, 60_000);

afterAll(async () => {
  runner.stop();
  host?.close();
  await env?.close();
});

describe('the upgrade engine', () => {
  it('installs a first version: objects applied with labels, images imported and pinned, release committed', async () => {
    const web1 = `${env.prefix}web:1.0`;
    const bundle = await buildAppBundle(env.dir, { version: '1.0.0', sequence: 1, images: [web1], manifests: { 'a.yaml': `${namespace}---\n${config('1')}---\n${deploymentYaml(NS, 'web', web1)}---\n${deploymentYaml(NS, 'old-only', web1)}` } });
    const record = await applyAndWait(bundle);
    expect(record).toMatchObject({ outcome: 'committed', kind: 'install', toVersion: '1.0.0' });
    const web = await kubectlJson(['-n', NS, 'get', 'deployment', 'web', '--show-managed-fields']);
    expect(web.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'outpost', 'outpost.dev/release': 'app' });
    expect(web.metadata.annotations['outpost.dev/version']).toBe('1.0.0');
    expect(web.metadata.managedFields.some((f) => f.manager === 'outpost')).toBe(true);
    expect((await env.ctrd.images(env.prefix)).get(web1)).toMatchObject({ 'io.cri-containerd.pinned': 'pinned' });
    const [release] = await host.service.listReleases();
    expect(release).toMatchObject({ name: 'app', version: '1.0.0', status: 'installed', workloads: [`${NS}/deployment/web`, `${NS}/deployment/old-only`] });
  });

  it('upgrades: the changed object, a new one, the removed one pruned, the old image still pinned for rollback', async () => {
    const web2 = `${env.prefix}web:2.0`;
    const bundle = await buildAppBundle(env.dir, { version: '1.1.0', sequence: 2, images: [web2], manifests: { 'a.yaml': `${namespace}---\n${config('2')}---\n${deploymentYaml(NS, 'web', web2, { replicas: 2 })}---\n${deploymentYaml(NS, 'new-only', web2)}` } });
    const offered = await host.service.offerBundle(admin, { path: bundle, source: 'cli' });
    const web = offered.plan.objects.find((o) => o.name === 'web');
    expect(web?.fields).toContainEqual({ field: 'containers[web].image', from: `${env.prefix}web:1.0`, to: web2, change: 'changed' });
    expect(offered.plan.objects.find((o) => o.name === 'old-only')?.change).toBe('removed');
    const { upgradeId } = await host.service.applyBundle(admin, offered.bundle.id);
    const record = await host.service.followUpgrade(upgradeId, () => undefined);
    expect(record).toMatchObject({ outcome: 'committed', fromVersion: '1.0.0', toVersion: '1.1.0' });
    expect((await kubectlJson(['-n', NS, 'get', 'deployment', 'web'])).spec.template.spec.containers[0].image).toBe(web2);
    expect((await env.kube.kubectl(['-n', NS, 'get', 'deployment', 'old-only'])).code).not.toBe(0);
    expect((await kubectlJson(['-n', NS, 'get', 'configmap', 'settings'])).data.level).toBe('2');
    const images = await env.ctrd.images(env.prefix);
    expect(images.get(web2)?.['io.cri-containerd.pinned']).toBe('pinned');
    expect(images.get(`${env.prefix}web:1.0`)?.['io.cri-containerd.pinned']).toBe('pinned');
  });

  it('rolls back a release that crash-loops, with each failing pod’s reason, logs and events', async () => {
    const web3 = `${env.prefix}web:3.0`;
    const bundle = await buildAppBundle(env.dir, { version: '1.2.0', sequence: 3, images: [web3], manifests: { 'a.yaml': `${namespace}---\n${config('3')}---\n${deploymentYaml(NS, 'web', web3, { behavior: 'crashloop' })}---\n${deploymentYaml(NS, 'new-only', `${env.prefix}web:2.0`)}---\n${deploymentYaml(NS, 'v3-only', `${env.prefix}web:2.0`)}` } });
    const record = await applyAndWait(bundle);
    expect(record).toMatchObject({ outcome: 'rolled_back', code: 'upgrade.gate_failed', fromVersion: '1.1.0', toVersion: '1.2.0' });
    const reason = record.reasons.find((r) => r.object === `${NS}/deployment/web`);
    expect(reason).toMatchObject({ container: 'web', reason: expect.stringMatching(/CrashLoopBackOff|Error/) });
    expect(reason?.logs.length).toBeGreaterThan(0);
    expect(reason?.events.length).toBeGreaterThan(0);
    expect((await kubectlJson(['-n', NS, 'get', 'deployment', 'web'])).spec.template.spec.containers[0].image).toBe(`${env.prefix}web:2.0`);
    expect((await kubectlJson(['-n', NS, 'get', 'configmap', 'settings'])).data.level).toBe('2');
    expect((await env.kube.kubectl(['-n', NS, 'get', 'deployment', 'v3-only'])).code).not.toBe(0);
    expect((await env.ctrd.images(env.prefix)).get(web3)?.['io.cri-containerd.pinned']).toBeUndefined();
    const [release] = await host.service.listReleases();
    expect(release).toMatchObject({ version: '1.1.0', status: 'installed', lastOutcome: { outcome: 'rolled_back', code: 'upgrade.gate_failed' } });
  });

  it('refuses a restart with busy while an upgrade holds the lane', async () => {
    const bundle = await buildAppBundle(env.dir, { version: '1.3.0', sequence: 4, manifests: { 'a.yaml': `${namespace}---\n${config('4')}---\n${deploymentYaml(NS, 'web', `${env.prefix}web:2.0`, { replicas: 2 })}---\n${deploymentYaml(NS, 'new-only', `${env.prefix}web:2.0`)}` } });
    const offered = await host.service.offerBundle(admin, { path: bundle, source: 'cli' });
    const { upgradeId } = await host.service.applyBundle(admin, offered.bundle.id);
    await expect(runner.run(async () => 'restarted', { preempt: true, label: 'restart' })).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('app 1.1.0 → 1.3.0') });
    expect((await host.service.followUpgrade(upgradeId, () => undefined)).outcome).toBe('committed');
  });

  it('installs a chart as a k3s HelmChart carrying it, waits for its install job, and a CRD before its resources', async () => {
    const chart = helmChart('gauges', '0.3.0');
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec: {group: example.com, scope: Namespaced, names: {kind: Widget, plural: widgets, singular: widget}, versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]}
`;
    const widget = `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: ns-addons}\nspec: {size: 3}\n`;
    const bundle = await buildAppBundle(env.dir, { name: 'addons', version: '1.0.0', sequence: 1, charts: { 'gauges-0.3.0.tgz': chart }, manifests: { 'a.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: {name: ns-addons}\n---\n${widget}---\n${crd}` } });
    const offered = await host.service.offerBundle(admin, { path: bundle, source: 'cli' });
    expect(offered.plan.objects.map((o) => o.kind)).toEqual(['Namespace', 'CustomResourceDefinition', 'Widget', 'HelmChart']);
    expect(offered.plan.gate.workloads).toEqual(['kube-system/job/helm-install-gauges']);
    const { upgradeId } = await host.service.applyBundle(admin, offered.bundle.id);
    // The sim plays k3s's helm controller: it runs helm-install-<name>, which the gate waits for.
    const helm = await eventually(async () => (await env.kube.kubectl(['-n', 'kube-system', 'get', 'helmchart', 'gauges', '-o', 'json'])).stdout || null, 'the HelmChart', 20_000);
    expect(JSON.parse(helm).spec).toMatchObject({ chartContent: chart.toString('base64'), targetNamespace: 'default' });
    expect((await host.service.followUpgrade(upgradeId, () => undefined)).outcome).toBe('committed');
    expect((await kubectlJson(['-n', 'kube-system', 'get', 'job', 'helm-install-gauges'])).status.succeeded).toBe(1);
    expect((await kubectlJson(['-n', 'ns-addons', 'get', 'widgets.example.com', 'w1'])).metadata.labels['outpost.dev/release']).toBe('addons');
  });

  it('rolls back on an admin’s request to the previous committed version, through the gate', async () => {
    const plan = await host.service.rollbackPlan('app');
    expect(plan).toMatchObject({ kind: 'rollback', from: { version: '1.3.0' }, to: { version: '1.1.0' }, blocking: 0 });
    await expect(host.service.rollbackRelease({ ...admin, role: 'operator' }, 'app')).rejects.toMatchObject({ code: 'forbidden' });
    const { upgradeId } = await host.service.rollbackRelease(admin, 'app');
    const record = await host.service.followUpgrade(upgradeId, () => undefined);
    expect(record).toMatchObject({ outcome: 'committed', kind: 'rollback', toVersion: '1.1.0' });
    const release = (await host.service.listReleases()).find((r) => r.name === 'app');
    expect(release).toMatchObject({ version: '1.1.0', sequence: 2 });
    expect(audits.some((a) => a.action === 'release.rollback' && a.outcome === 'success')).toBe(true);
    expect(audits.filter((a) => a.action === 'upgrade.outcome').map((a) => a.detail.outcome)).toEqual(['committed', 'committed', 'rolled_back', 'committed', 'committed', 'committed']);
  });
});
