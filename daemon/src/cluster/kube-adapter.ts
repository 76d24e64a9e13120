// Adapter: the Kubernetes client. Loads the chosen kubeconfig, builds the typed API clients and
// describes the resources the daemon lists and watches. Every call gets a deadline.
import { existsSync } from 'node:fs';
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, Log, Watch } from '@kubernetes/client-node';
import type { KubeconfigChoice } from './kubeconfig.ts';
import type { KObject } from './kube-types.ts';
import type { ResourceSource } from './watch-adapter.ts';

export interface KubeClients {
  readonly choice: KubeconfigChoice;
  readonly server: string;
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly watch: Watch;
  readonly log: Log;
}

export const REQUEST_TIMEOUT_MS = 15_000;

/** Rejects with a TimeoutError when `promise` takes longer than `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms = REQUEST_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`the API server did not answer within ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Throws with a clear message when the file is missing or malformed. */
export function connectKube(choice: KubeconfigChoice): KubeClients {
  const config = new KubeConfig();
  if (choice.source === 'in-cluster') config.loadFromCluster();
  else {
    if (!existsSync(choice.path)) throw new Error(`kubeconfig ${choice.path} (from ${choice.source}) does not exist`);
    config.loadFromFile(choice.path);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig from ${choice.source} names no current cluster`);
  return {
    choice,
    server: cluster.server,
    config,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    batch: config.makeApiClient(BatchV1Api),
    watch: new Watch(config),
    log: new Log(config),
  };
}

type Lister = () => Promise<{ items: unknown[]; metadata?: { resourceVersion?: string } }>;

function source(name: string, path: string, list: Lister): ResourceSource {
  return {
    name,
    path,
    async list() {
      const result = await withDeadline(list());
      return { items: result.items as KObject[], resourceVersion: result.metadata?.resourceVersion ?? '' };
    },
  };
}

export type ResourceName = 'namespaces' | 'nodes' | 'pods' | 'deployments' | 'replicasets' | 'statefulsets' | 'daemonsets' | 'jobs' | 'events';

export function resourceSources(k: KubeClients): Record<ResourceName, ResourceSource> {
  return {
    namespaces: source('namespaces', '/api/v1/namespaces', () => k.core.listNamespace()),
    nodes: source('nodes', '/api/v1/nodes', () => k.core.listNode()),
    pods: source('pods', '/api/v1/pods', () => k.core.listPodForAllNamespaces()),
    deployments: source('deployments', '/apis/apps/v1/deployments', () => k.apps.listDeploymentForAllNamespaces()),
    replicasets: source('replicasets', '/apis/apps/v1/replicasets', () => k.apps.listReplicaSetForAllNamespaces()),
    statefulsets: source('statefulsets', '/apis/apps/v1/statefulsets', () => k.apps.listStatefulSetForAllNamespaces()),
    daemonsets: source('daemonsets', '/apis/apps/v1/daemonsets', () => k.apps.listDaemonSetForAllNamespaces()),
    jobs: source('jobs', '/apis/batch/v1/jobs', () => k.batch.listJobForAllNamespaces()),
    events: source('events', '/api/v1/events', () => k.core.listEventForAllNamespaces()),
  };
}
