// The Agent boundary (docs/architecture.md): every change to the cluster goes through these verbs,
// which the privileged `outpost agent` serves on its socket (or, in tests, inside the web process).
// The agent holds the write identity; the web process only watches.

export interface Actor {
  name: string;
  role: string;
  address: string;
  /** The request that asked (an HTTP request's id): the agent's audit records carry it. */
  requestId?: string;
}

export interface WorkloadTarget {
  namespace: string;
  kind: 'deployment' | 'statefulset' | 'daemonset';
  name: string;
}

export interface PodTarget {
  namespace: string;
  name: string;
}

export interface RestartResult {
  /** The object's generation after the patch: the rollout to follow. */
  generation: number;
  restartedAt: string;
}

export interface DeleteResult {
  uid: string;
}

export interface Agent {
  /** The same patch as `kubectl rollout restart` (strategic merge, field manager `outpost`); audited by the agent. */
  restartWorkload(actor: Actor, target: WorkloadTarget): Promise<RestartResult>;
  /** Deletes one pod (the caller has already warned when nothing will recreate it); audited by the agent. */
  deletePod(actor: Actor, target: PodTarget): Promise<DeleteResult>;
}

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const FIELD_MANAGER = 'outpost';

/** The strategic-merge patch body of a rollout restart (pure). */
export function restartPatch(restartedAt: string): object {
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } };
}
