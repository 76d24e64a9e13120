// Adapter: the Agent running inside the daemon, with the daemon's own Kubernetes credentials.
// Every verb goes through the one mutation lane.
// Only types from the client library: the agent's front door must not load it (~80 MB) for callers
// that never restart anything (the CLI, the upgrade engine); the caller hands in the patch options.
import type { AppsV1Api, ConfigurationOptions, CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../lib/logger.ts';
import { FIELD_MANAGER, restartPatch, type Actor, type Agent, type DeleteResult, type PodTarget, type RestartResult, type WorkloadTarget } from './agent.ts';
import type { ExclusiveRunner } from './exclusive-runner.ts';

export interface InProcessAgentDeps {
  core: CoreV1Api;
  apps: AppsV1Api;
  runner: ExclusiveRunner;
  log: Logger;
  deadlineMs?: number;
  now?: () => Date;
  /** `setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)`: sends a strategic merge patch, as kubectl does. */
  strategicPatch: ConfigurationOptions;
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (the lane's deadline or stop). */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

interface Patched {
  metadata?: { generation?: number };
}

export function inProcessAgent(deps: InProcessAgentDeps): Agent {
  const deadlineMs = deps.deadlineMs ?? 15_000;
  const now = deps.now ?? (() => new Date());
  const strategic = deps.strategicPatch;
  return {
    restartWorkload(actor: Actor, target: WorkloadTarget): Promise<RestartResult> {
      return deps.runner.run(
        async (signal) => {
          const restartedAt = now().toISOString().replace(/\.\d{3}Z$/, 'Z');
          const request = { name: target.name, namespace: target.namespace, body: restartPatch(restartedAt), fieldManager: FIELD_MANAGER };
          let patched: Patched;
          if (target.kind === 'deployment') patched = await unlessAborted(deps.apps.patchNamespacedDeployment(request, strategic), signal);
          else if (target.kind === 'statefulset') patched = await unlessAborted(deps.apps.patchNamespacedStatefulSet(request, strategic), signal);
          else patched = await unlessAborted(deps.apps.patchNamespacedDaemonSet(request, strategic), signal);
          deps.log.info({ actor: actor.name, target }, 'workload restart patched');
          return { generation: Number(patched.metadata?.generation ?? 0), restartedAt };
        },
        { preempt: true, deadlineMs, label: `restart ${target.namespace}/${target.kind}/${target.name}` },
      );
    },
    deletePod(actor: Actor, target: PodTarget): Promise<DeleteResult> {
      return deps.runner.run(
        async (signal) => {
          const pod = await unlessAborted(deps.core.readNamespacedPod({ name: target.name, namespace: target.namespace }), signal);
          await unlessAborted(deps.core.deleteNamespacedPod({ name: target.name, namespace: target.namespace }), signal);
          deps.log.info({ actor: actor.name, target }, 'pod deleted');
          return { uid: pod.metadata?.uid ?? '' };
        },
        { preempt: true, deadlineMs, label: `delete pod ${target.namespace}/${target.name}` },
      );
    },
  };
}
