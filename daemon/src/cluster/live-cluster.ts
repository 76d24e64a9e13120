// The connected half of the cluster capability, loaded only when a kubeconfig exists. It watches and
// reads logs over the lean client (kube/); changes go through the privileged agent.
import type { Agent } from '../agent/index.ts';
import type { AuditWriter } from '../audit/index.ts';
import type { FeedHub, Topic } from '../feed/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { ClusterEvent, ClusterState } from '../protocol/cluster.ts';
import type { LogsTarget } from '../protocol/logs.ts';
import { initialLogsState, LOGS_TOPIC_PREFIX, parseLogsTopic, reduceLogs, type LogsEvent, type LogsState } from '../protocol/logs.ts';
import { Actions } from './actions.ts';
import { ClusterView } from './cluster-view.ts';
import { connectKube, withDeadline, type KubeClients } from './kube-adapter.ts';
import type { KubeconfigChoice } from './kubeconfig.ts';
import { downloadLogs, followLogs, logTargetProblem } from './logs-adapter.ts';
import type { BackoffPolicy } from './watch-adapter.ts';
import { cachedClusterReader, clusterSupport, type ClusterSupport } from './support-reader.ts';

export interface LiveCluster {
  kube: KubeClients;
  view: ClusterView;
  actions: Actions;
  downloadLogs(target: LogsTarget, options: { tailLines: number; previous: boolean; signal?: AbortSignal }): Promise<string>;
  /** What the support bundle reads: the watch caches, container logs, the server version. */
  support: ClusterSupport;
  stop(): void;
}

export interface LiveClusterOptions {
  hub: FeedHub;
  audit: AuditWriter;
  log: Logger;
  topic: Topic<ClusterState, ClusterEvent>;
  rolloutDeadlineMs?: number;
  backoff?: BackoffPolicy;
  stabilityMs?: number;
  /** The privileged agent's cluster actions: this process's credentials only read. */
  agent: Agent;
}

/** The last line a container wrote (its previous instance after a crash), read with a short deadline. */
async function lastLogLine(kube: KubeClients, target: LogsTarget, previous: boolean): Promise<string | null> {
  const text = await withDeadline(downloadLogs(kube, target, { tailLines: 5, previous }), 5000);
  const line = text.split('\n').map((l) => l.trim()).filter((l) => l !== '').at(-1);
  return line === undefined ? null : line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** Throws when the kubeconfig cannot be loaded. */
export async function startLiveCluster(choice: KubeconfigChoice, options: LiveClusterOptions): Promise<LiveCluster> {
  const kube = await connectKube(choice);
  const log = options.log;
  const view = new ClusterView(kube, options.topic, log, { backoff: options.backoff, stabilityMs: options.stabilityMs });
  const stopView = view.start();
  const actions = new Actions({
    agent: options.agent,
    view,
    topic: options.topic,
    audit: options.audit,
    log,
    rolloutDeadlineMs: options.rolloutDeadlineMs,
    lastLogLine: (target, previous) => lastLogLine(kube, target, previous),
  });
  options.hub.defineDynamic({
    prefix: LOGS_TOPIC_PREFIX,
    policy: 'viewer',
    create(name) {
      const target = parseLogsTopic(name);
      if (!target) return null;
      // Checked in the watched cache before any request: a name that matches nothing holds no stream.
      const problem = logTargetProblem(view, target);
      if (problem) return { refused: 'feed_log_target_not_found', message: problem };
      return {
        initial: initialLogsState(target),
        reduce: (state, event) => reduceLogs(state as LogsState, event as LogsEvent),
        start: (t) => followLogs(kube, view, target, t as Topic<LogsState, LogsEvent>, log),
      };
    },
  });
  return {
    kube,
    view,
    actions,
    downloadLogs: (target, opts) => downloadLogs(kube, target, opts),
    support: clusterSupport(kube, cachedClusterReader(kube, view, () => options.topic.state.status)),
    stop() {
      actions.stop();
      stopView();
    },
  };
}
