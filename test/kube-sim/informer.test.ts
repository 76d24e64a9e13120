// @kubernetes/client-node 2.x informers against the sim: list-then-watch, a relist after 410
// Expired, and resuming the watch after the API server restarts.
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, until, type SimHarness } from './test-kit.ts';

const pod = (name: string): object => ({
  metadata: { name, namespace: 'default', labels: { app: 'inf' } },
  spec: { containers: [{ name: 'app', image: 'registry.local/inf:1' }] },
});

describe('client-node informer against kube-sim', () => {
  let h: SimHarness;
  let stopInformer = (): void => {};
  beforeEach(async () => {
    h = await startHarness({ historySize: 20 });
  });
  afterEach(async () => {
    stopInformer();
    await h.close();
  });

  async function informer(): Promise<{ names: () => string[]; lists: () => number; events: string[]; errors: unknown[] }> {
    const kc = new KubeConfig();
    kc.loadFromFile(h.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    let lists = 0;
    const inf = makeInformer<V1Pod>(kc, '/api/v1/namespaces/default/pods', async () => {
      lists++;
      return core.listNamespacedPod({ namespace: 'default' });
    });
    const events: string[] = [];
    const errors: unknown[] = [];
    let stopped = false;
    inf.on('add', (p) => events.push(`add ${p.metadata?.name}`));
    inf.on('update', (p) => events.push(`update ${p.metadata?.name}`));
    inf.on('delete', (p) => events.push(`delete ${p.metadata?.name}`));
    inf.on('error', (err) => {
      errors.push(err);
      // The documented client-node pattern: restart the informer after an error.
      if (!stopped) setTimeout(() => void inf.start().catch((e: unknown) => errors.push(e)), 200);
    });
    await inf.start();
    stopInformer = (): void => {
      stopped = true;
      void inf.stop();
    };
    return {
      names: () =>
        inf
          .list('default')
          .map((p) => String(p.metadata?.name))
          .sort(),
      lists: () => lists,
      events,
      errors,
    };
  }

  const storeNames = (): string[] =>
    h.sim.cluster
      .list('v1', 'Pod', 'default')
      .map((p) => String(p.metadata.name))
      .sort();
  const api = (): SimHarness['sim']['cluster']['api'] => h.sim.cluster.api;
  const podInfo = (): ReturnType<SimHarness['sim']['cluster']['api']['info']> => api().info('v1', 'Pod');

  it('lists, then follows adds, updates and deletes through the watch', async () => {
    api().create(podInfo(), 'default', pod('a'));
    const inf = await informer();
    expect(inf.names()).toEqual(['a']);
    expect(inf.lists()).toBe(1);
    api().create(podInfo(), 'default', pod('b'));
    await until('b added', () => inf.names().includes('b'));
    await until('b updated by the kubelet', () => inf.events.includes('update b'));
    api().remove(podInfo(), 'default', 'a', { gracePeriodSeconds: 0 });
    await until('a deleted', () => inf.events.includes('delete a'));
    expect(inf.names()).toEqual(['b']);
    expect(inf.lists()).toBe(1);
  });

  it('relists after 410 Expired when its resourceVersion fell out of the history', async () => {
    api().create(podInfo(), 'default', pod('keep'));
    const inf = await informer();
    expect(inf.lists()).toBe(1);
    await h.sim.stopServer();
    api().create(podInfo(), 'default', pod('while-down'));
    api().remove(podInfo(), 'default', 'keep', { gracePeriodSeconds: 0 });
    for (let i = 0; i < 30; i++) api().create(api().info('v1', 'ConfigMap'), 'default', { metadata: { name: `noise-${i}` } });
    await h.sim.startServer();
    await until('relisted after 410', () => inf.lists() >= 2, 15_000);
    await until('cache matches the store', () => JSON.stringify(inf.names()) === JSON.stringify(storeNames()), 10_000);
    expect(inf.names()).toEqual(['while-down']);
    expect(inf.lists()).toBe(2);
  });

  it('resumes the watch without relisting after a server restart that kept its history', async () => {
    const inf = await informer();
    await h.sim.restart({ downMs: 100 });
    api().create(podInfo(), 'default', pod('after-restart'));
    await until('event after restart', () => inf.names().includes('after-restart'), 15_000);
    expect(inf.lists()).toBe(1);
  });

  it('reconnects when the server ends a watch at its timeout', async () => {
    await h.close();
    h = await startHarness({ maxWatchSeconds: 1 });
    const inf = await informer();
    await new Promise((r) => setTimeout(r, 1500));
    api().create(podInfo(), 'default', pod('late'));
    await until('event after the timeout', () => inf.names().includes('late'), 10_000);
    expect(inf.lists()).toBe(1);
    expect(inf.errors).toEqual([]);
  });
});
