// The engine's own Kubernetes client against the kube-sim over HTTPS (its CA from the kubeconfig)
// and over plain HTTP: discovery, server-side apply, get, delete.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectUpgradeCluster } from '../../daemon/src/upgrade/index.ts';
import { startKubeSim, type KubeSim } from '../kube-sim/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'outpost-kube-transport-'));
const sims: KubeSim[] = [];
afterAll(async () => {
  for (const sim of sims) await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.each([true, false])('the engine’s cluster client (TLS %s)', (tls) => {
  it('discovers kinds, applies with field manager outpost, reads and deletes', async () => {
    const sim = await startKubeSim({ port: 0, tls, run: false });
    sims.push(sim);
    const kube = await connectUpgradeCluster(await sim.writeKubeconfig(path.join(dir, `kc-${tls}`)));
    expect(await kube.version()).toMatch(/^v1\.\d+/);
    expect((await kube.served()).get('apps/v1/Deployment')).toBe(true);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } };
    await kube.apply(cm);
    const read = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'c' });
    expect((read?.metadata?.managedFields as { manager: string }[]).map((f) => f.manager)).toContain('outpost');
    expect(await kube.remove({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'c' })).toBe(true);
    expect(await kube.remove({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'c' })).toBe(false);
    await expect(kube.get({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'default', name: 'w' })).resolves.toBeNull();
  });
});
