// The `cluster` feed topic and the workload API bodies: connection state, workload summaries
// (trouble first), recent warnings and the progress of restarts. Pure; shared with the UI.

export type ClusterConnection = 'none' | 'connecting' | 'connected' | 'degraded' | 'unreachable';

export interface ClusterStatus {
  state: ClusterConnection;
  /** Unix ms since the state holds. */
  since: number;
  lastError: string | null;
  /** Where the credentials came from (`config`, `KUBECONFIG`, `in-cluster`, `k3s`, `rke2`, `home`). */
  source: string | null;
  server: string | null;
}

export const WORKLOAD_KINDS = ['deployment', 'statefulset', 'daemonset', 'job', 'pod'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
export const RESTARTABLE_KINDS = ['deployment', 'statefulset', 'daemonset', 'pod'] as const;
export type RestartableKind = (typeof RESTARTABLE_KINDS)[number];

/** trouble: needs a person; progressing: changing by itself; ok; done: finished (jobs). */
export type WorkloadSeverity = 'trouble' | 'progressing' | 'ok' | 'done';

export interface WorkloadSummary {
  /** `namespace/kind/name` */
  key: string;
  namespace: string;
  kind: WorkloadKind;
  name: string;
  ready: number;
  desired: number;
  restarts: number;
  /** Unix ms of creation. */
  createdAt: number | null;
  images: string[];
  /** One word: Running, CrashLoopBackOff, ErrImageNeverPull, OOMKilled, Pending, Progressing… */
  status: string;
  /** Why, in a sentence, when there is something to say. */
  reason: string | null;
  severity: WorkloadSeverity;
  /** For a bare pod: whether something (a controller) would recreate it after a delete. */
  recreated: boolean;
}

export interface WarningEvent {
  uid: string;
  namespace: string;
  /** `Kind/name` of the object it is about. */
  object: string;
  reason: string;
  message: string;
  count: number;
  /** Unix ms of the last occurrence. */
  time: number;
  type: 'Normal' | 'Warning';
}

export type ActionPhase = 'accepted' | 'progressing' | 'done' | 'failed';

export interface ActionProgress {
  id: string;
  /** The workload key. */
  target: string;
  action: 'restart' | 'delete-pod';
  actor: string;
  phase: ActionPhase;
  message: string;
  startedAt: number;
  updatedAt: number;
}

export interface ClusterState {
  status: ClusterStatus;
  namespaces: string[];
  workloads: WorkloadSummary[];
  warnings: WarningEvent[];
  actions: ActionProgress[];
}

export type ClusterEvent =
  | { kind: 'cluster.status.v1'; status: ClusterStatus }
  | { kind: 'cluster.upsert.v1'; workloads: WorkloadSummary[] }
  | { kind: 'cluster.remove.v1'; keys: string[] }
  | { kind: 'cluster.namespaces.v1'; namespaces: string[] }
  | { kind: 'cluster.warning.v1'; event: WarningEvent }
  | { kind: 'cluster.action.v1'; action: ActionProgress };

export const MAX_WARNINGS = 50;
export const MAX_ACTIONS = 20;

const RANK: Record<WorkloadSeverity, number> = { trouble: 0, progressing: 1, ok: 2, done: 3 };

/** Within trouble: what keeps failing while it runs (crash loops, OOM kills) before what never starts. */
const CRASHING = new Set(['CrashLoopBackOff', 'Crashed', 'OOMKilled', 'Failed', 'RolloutFailed', 'Error']);

function troubleRank(w: WorkloadSummary): number {
  return w.severity === 'trouble' && CRASHING.has(w.status) ? 0 : 1;
}

/** Trouble first (crashing before not starting), then changing, then fine, then finished; by namespace and name within. */
export function compareWorkloads(a: WorkloadSummary, b: WorkloadSummary): number {
  return RANK[a.severity] - RANK[b.severity] || troubleRank(a) - troubleRank(b) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind);
}

export function workloadKey(namespace: string, kind: WorkloadKind, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

export function initialClusterState(status: ClusterStatus): ClusterState {
  return { status, namespaces: [], workloads: [], warnings: [], actions: [] };
}

export function reduceCluster(state: ClusterState, event: ClusterEvent): ClusterState {
  switch (event.kind) {
    case 'cluster.status.v1':
      return { ...state, status: event.status };
    case 'cluster.upsert.v1': {
      const changed = new Map(event.workloads.map((w) => [w.key, w]));
      const kept = state.workloads.filter((w) => !changed.has(w.key));
      return { ...state, workloads: [...kept, ...changed.values()].sort(compareWorkloads) };
    }
    case 'cluster.remove.v1': {
      const gone = new Set(event.keys);
      return { ...state, workloads: state.workloads.filter((w) => !gone.has(w.key)) };
    }
    case 'cluster.namespaces.v1':
      return { ...state, namespaces: event.namespaces };
    case 'cluster.warning.v1':
      return { ...state, warnings: [event.event, ...state.warnings.filter((w) => w.uid !== event.event.uid)].slice(0, MAX_WARNINGS) };
    case 'cluster.action.v1':
      return { ...state, actions: [event.action, ...state.actions.filter((a) => a.id !== event.action.id)].slice(0, MAX_ACTIONS) };
  }
}

export interface ContainerInfo {
  name: string;
  image: string;
  ready: boolean;
  restarts: number;
  /** running | waiting: <reason> | terminated: <reason> */
  state: string;
  lastTermination: { reason: string; exitCode: number; finishedAt: string | null } | null;
}

export interface PodInfo {
  name: string;
  phase: string;
  status: string;
  reason: string | null;
  node: string | null;
  restarts: number;
  createdAt: number | null;
  containers: ContainerInfo[];
}

export interface WorkloadDetail {
  workload: WorkloadSummary;
  /** Owner chain of the first pod, e.g. ['Pod/x', 'ReplicaSet/y', 'Deployment/z']. */
  owners: string[];
  pods: PodInfo[];
  events: WarningEvent[];
}

export interface RestartAccepted {
  action: ActionProgress;
}
