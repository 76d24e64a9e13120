// The client-node 2.x calls the daemon makes, against the sim: typed CRUD, strategic-merge and
// JSON patches, 404s, pod logs (plain and followed until the pod is deleted) and a raw Watch.
import { AppsV1Api, CoreV1Api, KubeConfig, Log, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, until, type SimHarness } from './test-kit.ts';

describe('client-node API calls against kube-sim', () => {
  let h: SimHarness;
  let kc: KubeConfig;
  beforeEach(async () => {
    h = await startHarness();
    kc = new KubeConfig();
    kc.loadFromFile(h.kubeconfig);
  });
  afterEach(async () => {
    await h.close();
  });

  it('creates and patches a Deployment with strategic-merge and JSON patches', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } },
        },
      },
    });
    const smp = await apps.patchNamespacedDeployment(
      { namespace: 'default', name: 'web', body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec?.template.spec?.containers.map((c) => c.image)).toEqual(['nginx:2']);
    expect(smp.metadata?.generation).toBe(2);
    const jp = await apps.patchNamespacedDeployment({ namespace: 'default', name: 'web', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    expect(jp.spec?.replicas).toBe(3);
    await until('three available', async () => (await apps.readNamespacedDeployment({ namespace: 'default', name: 'web' })).status?.availableReplicas === 3);
    await expect(apps.readNamespacedDeployment({ namespace: 'default', name: 'nope' })).rejects.toMatchObject({ code: 404 });
  });

  it('reads logs, follows them until the pod is deleted, and watches the deletion', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } });
    await until('running', async () => (await core.readNamespacedPod({ namespace: 'default', name: 'p' })).status?.phase === 'Running');
    await new Promise((r) => setTimeout(r, 500));
    const text = await core.readNamespacedPodLog({ namespace: 'default', name: 'p', tailLines: 2 });
    expect(text.trim().split('\n')).toHaveLength(2);
    const stream = new PassThrough();
    let got = '';
    let ended = false;
    stream.on('data', (d: Buffer) => (got += d.toString()));
    stream.on('end', () => (ended = true));
    await new Log(kc).log('default', 'p', 'web', stream, { follow: true, tailLines: 1 });
    await until('lines streamed', () => got.trim().split('\n').length >= 3);
    const events: string[] = [];
    const watch = await new Watch(kc).watch(
      '/api/v1/namespaces/default/pods',
      { fieldSelector: 'metadata.name=p' },
      (type) => events.push(type),
      () => events.push('done'),
    );
    await core.deleteNamespacedPod({ namespace: 'default', name: 'p' });
    await until('deleted', () => events.includes('DELETED'));
    await until('log stream ended', () => ended);
    watch.abort();
    expect(got.trim().split('\n').at(-1)).toContain('received SIGTERM');
    const reasons = (await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=p' })).items.map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Scheduled', 'Pulled', 'Created', 'Started', 'Killing']));
  });
});
