// Front door of the cluster capability: finds the kubeconfig, watches the cluster into the
// `cluster` feed topic, serves `logs:` topics and the workload routes, restarts through the Agent.
// With no kubeconfig at all it still defines the topic (state `none`) and its routes answer
// `cluster_not_configured`; an API server that is down is retried for ever.
import { ExclusiveRunner, inProcessAgent } from '../agent/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { RouteSpec } from '../http/route-table.ts';
import type { Logger } from '../lib/logger.ts';
import { initialClusterState, reduceCluster, type ClusterEvent, type ClusterState, type ClusterStatus } from '../protocol/cluster.ts';
import { initialLogsState, LOGS_TOPIC_PREFIX, parseLogsTopic, reduceLogs, type LogsEvent, type LogsState } from '../protocol/logs.ts';
import { Actions } from './actions.ts';
import { ClusterView } from './cluster-view.ts';
import { connectKube, discoverKubeconfig, type KubeClients } from './kube-adapter.ts';
import { followLogs } from './logs-adapter.ts';
import { clusterRoutes } from './routes.ts';
import type { BackoffPolicy } from './watch-adapter.ts';

export { chooseKubeconfig, type KubeconfigChoice, type KubeconfigEnvironment } from './kubeconfig.ts';
export { buildWorkloads, type ClusterObjects } from './workload-model.ts';
export type { ClusterView } from './cluster-view.ts';

export interface ClusterOptions {
  hub: FeedHub;
  audit: AuditLog;
  log: Logger;
  /** The config file's `cluster.kubeconfig`. */
  kubeconfig: string | undefined;
  env?: NodeJS.ProcessEnv;
  rolloutDeadlineMs?: number;
  backoff?: BackoffPolicy;
}

export interface ClusterService {
  readonly routes: RouteSpec[];
  readonly topic: Topic<ClusterState, ClusterEvent>;
  readonly view: ClusterView | null;
  stop(): void;
}

export function startCluster(options: ClusterOptions): ClusterService {
  const log = options.log;
  const choice = discoverKubeconfig(options.kubeconfig, options.env ?? process.env);
  let kube: KubeClients | null = null;
  let problem: string | null = null;
  if (choice) {
    try {
      kube = connectKube(choice);
    } catch (error) {
      problem = (error as Error).message;
      log.error({ err: problem, source: choice.source }, 'kubeconfig unusable');
    }
  } else log.info('no kubeconfig found: running without a cluster');

  const status: ClusterStatus = { state: kube ? 'connecting' : 'none', since: Date.now(), lastError: problem, source: choice?.source ?? null, server: kube?.server ?? null };
  const topic = options.hub.define<ClusterState, ClusterEvent>({ name: 'cluster', policy: 'viewer', initial: initialClusterState(status), reduce: reduceCluster });
  if (!kube) {
    return { routes: clusterRoutes({ live: null, workloads: () => topic.state.workloads }), topic, view: null, stop: () => undefined };
  }

  const clusterLog = log.child({ module: 'cluster' });
  const view = new ClusterView(kube, topic, clusterLog, { backoff: options.backoff });
  const stopView = view.start();
  const runner = new ExclusiveRunner();
  const agent = inProcessAgent({ core: kube.core, apps: kube.apps, runner, log: log.child({ module: 'agent' }) });
  const actions = new Actions({ agent, view, topic, audit: options.audit, log: clusterLog, rolloutDeadlineMs: options.rolloutDeadlineMs });
  const live = kube;
  options.hub.defineDynamic({
    prefix: LOGS_TOPIC_PREFIX,
    policy: 'viewer',
    create(name) {
      const target = parseLogsTopic(name);
      if (!target) return null;
      return {
        initial: initialLogsState(target),
        reduce: (state, event) => reduceLogs(state as LogsState, event as LogsEvent),
        start: (t) => followLogs(live, view, target, t as Topic<LogsState, LogsEvent>, clusterLog),
      };
    },
  });
  return {
    routes: clusterRoutes({ live: { kube, view, actions }, workloads: () => topic.state.workloads }),
    topic,
    view,
    stop() {
      actions.stop();
      runner.stop();
      stopView();
    },
  };
}
