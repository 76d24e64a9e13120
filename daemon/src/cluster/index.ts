// Front door of the cluster capability: finds the kubeconfig, watches the cluster into the
// `cluster` feed topic, serves `logs:` topics and the workload routes, restarts through the Agent
// (the privileged process holds the write identity; this side only reads).
// With no kubeconfig at all it still defines the topic (state `none`) and its routes answer
// `cluster_not_configured`; an API server that is down is retried for ever.
import type { Agent } from '../agent/index.ts';
import type { AuditWriter } from '../audit/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { RouteSpec } from '../http/index.ts';
import type { Logger } from '../lib/logger.ts';
import { initialClusterState, reduceCluster, type ClusterEvent, type ClusterState, type ClusterStatus } from '../protocol/cluster.ts';
import type { ClusterView } from './cluster-view.ts';
import { discoverKubeconfig } from './kubeconfig-adapter.ts';
import type { LiveCluster } from './live-cluster.ts';
import { clusterRoutes } from './routes.ts';
import type { BackoffPolicy } from './watch-adapter.ts';
import type { ClusterSupport } from './support-reader.ts';

export { chooseKubeconfig, type KubeconfigChoice, type KubeconfigEnvironment } from './kubeconfig.ts';
export { buildWorkloads, workloadModel, CRASH_MEMORY_MS, type ClusterObjects, type WorkloadModel, type WorkloadModelOptions } from './workload-model.ts';
export type { ClusterView } from './cluster-view.ts';
export { nodeReadiness } from './node-readiness.ts';
export type { ClusterSupport } from './support-reader.ts';
export { containerProblems, DEFAULT_STABILITY_MS, settledVerdict, type ContainerProblem, type SettledOptions, type SettledState, type SettledVerdict } from './settled.ts';

export interface ClusterOptions {
  hub: FeedHub;
  audit: AuditWriter;
  log: Logger;
  /** The config file's `cluster.kubeconfig`. */
  kubeconfig: string | undefined;
  env?: NodeJS.ProcessEnv;
  rolloutDeadlineMs?: number;
  backoff?: BackoffPolicy;
  /** The settled window (config `cluster.stabilitySeconds`): ends restarts, clears a workload's trouble. */
  stabilityMs?: number;
  /** The agent's cluster actions (restart, delete pod), run on its one mutation lane. */
  agent: Agent;
}

export interface ClusterService {
  readonly routes: RouteSpec[];
  readonly topic: Topic<ClusterState, ClusterEvent>;
  readonly view: ClusterView | null;
  /** Why the capability could not start (an unusable kubeconfig), or null. */
  readonly problem: string | null;
  /** What the support bundle reads (the watch caches, logs, server version); null without a cluster. */
  readonly support: ClusterSupport | null;
  stop(): void;
}

/**
 * For a support bundle made outside the daemon (the CLI): the same kubeconfig discovery, each kind
 * listed once. Null with the reason when there is no cluster or its kubeconfig is unusable.
 */
export async function listClusterForSupport(configured: string | undefined, stabilityMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ support: ClusterSupport } | { support: null; reason: string }> {
  const choice = discoverKubeconfig(configured, env);
  if (!choice) return { support: null, reason: 'no kubeconfig found: this device has no cluster configured' };
  try {
    const { listedClusterSupport } = await import('./support-reader.ts');
    return { support: await listedClusterSupport(choice, stabilityMs) };
  } catch (error) {
    return { support: null, reason: `the kubeconfig (from ${choice.source}) cannot be used: ${(error as Error).message}` };
  }
}

export async function startCluster(options: ClusterOptions): Promise<ClusterService> {
  const log = options.log.child({ module: 'cluster' });
  const choice = discoverKubeconfig(options.kubeconfig, options.env ?? process.env);
  let live: LiveCluster | null = null;
  let problem: string | null = null;
  const status: ClusterStatus = { state: 'none', since: Date.now(), lastError: null, source: choice?.source ?? null, server: null };
  const topic = options.hub.define<ClusterState, ClusterEvent>({ name: 'cluster', policy: 'viewer', kiosk: true, initial: initialClusterState(status), reduce: reduceCluster });
  if (choice) {
    try {
      const { startLiveCluster } = await import('./live-cluster.ts');
      topic.publish({ kind: 'cluster.status.v1', status: { ...status, state: 'connecting' } });
      live = await startLiveCluster(choice, { ...options, log, topic });
      topic.publish({ kind: 'cluster.status.v1', status: { ...topic.state.status, server: live.kube.server } });
    } catch (error) {
      problem = (error as Error).message;
      log.error({ err: problem, source: choice.source }, 'kubeconfig unusable');
      topic.publish({ kind: 'cluster.status.v1', status: { ...status, state: 'none', lastError: problem } });
    }
  } else log.info('no kubeconfig found: running without a cluster');

  return {
    routes: clusterRoutes({ live, workloads: () => topic.state.workloads }),
    topic,
    view: live?.view ?? null,
    support: live?.support ?? null,
    problem: problem === null ? null : `Outpost cannot watch the cluster: ${problem}`,
    stop: () => live?.stop(),
  };
}
