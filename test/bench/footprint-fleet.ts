// The cluster the footprint bench watches: the kube-sim (in the bench process) with Outpost's own
// RBAC (scripts/k8s) and 200 pods from 40 Deployments of 5 replicas in 4 namespaces, each pod with
// the env, probes, resources and volumes of a typical edge workload. The web process gets the
// read-only `outpost-web` ServiceAccount's kubeconfig (HTTPS, token), as on a device.
import path from 'node:path';
import { ROOT } from '../helpers/daemon.ts';
import { startKubeSim, type KubeSim } from '../kube-sim/index.ts';

export const NAMESPACES = 4;
export const DEPLOYMENTS_PER_NAMESPACE = 10;
export const REPLICAS = 5;
export const FLEET_PODS = NAMESPACES * DEPLOYMENTS_PER_NAMESPACE * REPLICAS;
export const FLEET_WORKLOADS = NAMESPACES * DEPLOYMENTS_PER_NAMESPACE;
const IMAGE = 'registry.local/edge/app:1.4.2';

function deployment(namespace: string, name: string): Record<string, unknown> {
  const labels = { app: name, 'app.kubernetes.io/part-of': namespace };
  const env = Array.from({ length: 8 }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${i}-${name}` }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, annotations: { 'outpost.example/owner': 'line-3' } },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: IMAGE,
              args: ['--listen=:8080', `--name=${name}`],
              env,
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 10 },
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

export async function startFleet(): Promise<{ sim: KubeSim; webKubeconfig: string }> {
  const sim = await startKubeSim({ port: 0, tickMs: 250, timing: { readyAfterMs: 200 }, fixturesDir: path.join(ROOT, 'scripts/k8s'), images: [IMAGE] });
  const objects: Record<string, unknown>[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const namespace = `line-${n + 1}`;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    for (let d = 0; d < DEPLOYMENTS_PER_NAMESPACE; d++) objects.push(deployment(namespace, `station-${d + 1}`));
  }
  sim.cluster.load(objects as never);
  return { sim, webKubeconfig: sim.kubeconfig({ serviceAccount: 'outpost-system/outpost-web', expirationSeconds: 24 * 3600 }) };
}
