// HTTPS mode: a self-signed certificate carried in the kubeconfig as the CA, verified by both
// kubectl and client-node (no insecure-skip-tls-verify).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type SimHarness } from './test-kit.ts';

describe('kube-sim over TLS', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startHarness({ tls: true });
  });
  afterEach(async () => {
    await h.close();
  });

  it('serves kubectl and client-node with certificate verification', async () => {
    expect(h.sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const config = await readFile(h.kubeconfig, 'utf8');
    expect(config).toContain('certificate-authority-data:');
    expect(config).not.toContain('insecure-skip-tls-verify');
    const nodes = await h.kubectl(['get', 'nodes', '-o', 'name']);
    expect(nodes).toMatchObject({ code: 0, stdout: 'node/edge-node-1\n' });
    const kc = new KubeConfig();
    kc.loadFromFile(h.kubeconfig);
    const list = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.map((n) => n.metadata?.name)).toContain('kube-system');
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: h.sim.url, skipTLSVerify: false }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    await expect(kc.makeApiClient(CoreV1Api).listNamespace()).rejects.toThrow();
  });
});
