// The Agent boundary (docs/architecture.md): every change to the cluster goes through these verbs, so they can
// move into the privileged process later without the web side changing. Today it runs in-process.

export interface Actor {
  name: string;
  role: string;
  address: string;
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
  /** The same patch as `kubectl rollout restart` (strategic merge, field manager `outpost`). */
  restartWorkload(actor: Actor, target: WorkloadTarget, signal?: AbortSignal): Promise<RestartResult>;
  /** Deletes one pod; the caller has already warned when nothing will recreate it. */
  deletePod(actor: Actor, target: PodTarget, signal?: AbortSignal): Promise<DeleteResult>;
}

export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
export const FIELD_MANAGER = 'outpost';

/** The strategic-merge patch body of a rollout restart (pure). */
export function restartPatch(restartedAt: string): object {
  return { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } } };
}
