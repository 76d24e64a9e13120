// Adapter: the cluster actions of the Agent, run by the agent with its write identity over the
// upgrade engine's lean REST client (node:https with the kubeconfig's credentials; no
// @kubernetes/client-node). Every action goes through the one mutation lane (a restart during an
// upgrade is refused as busy) and is audited here, with the actor and request id it was given.
import { OutpostError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { kubeError } from '../cluster/kube-errors.ts';
import { workloadKey } from '../protocol/cluster.ts';
import type { ObjectRef } from '../protocol/upgrade.ts';
import { restartPatch, type Actor, type Agent, type DeleteResult, type PodTarget, type RestartResult, type WorkloadTarget } from './agent.ts';
import type { ExclusiveRunner } from './exclusive-runner.ts';
import type { UpgradeAuditEntry } from './upgrade-agent.ts';

/** What the actions need of the REST client (upgrade/kube-rest.ts implements it). */
export interface KubeWritePort {
  get(ref: ObjectRef): Promise<Record<string, unknown> | null>;
  strategicPatch(ref: ObjectRef, body: object): Promise<Record<string, unknown>>;
  remove(ref: ObjectRef): Promise<boolean>;
}

export interface KubeAgentDeps {
  /** The write identity's client, or null with the reason (no kubeconfig, unusable one). */
  kube: KubeWritePort | null;
  kubeProblem: string | null;
  runner: ExclusiveRunner;
  log: Logger;
  audit(entry: Omit<UpgradeAuditEntry, 'action'> & { action: string }): void;
  deadlineMs?: number;
  now?: () => Date;
}

const KIND = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet' } as const;

/** Settles with `promise`, or rejects as soon as `signal` aborts (the lane's deadline or stop). */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The REST client's failures in the shape kubeError() reads (status and the server's message, or the network code). */
function asKubeFailure(error: unknown): unknown {
  const e = error as { name?: string; status?: number; message?: string; code?: string };
  if (e?.name === 'KubeApiError') return { statusCode: e.status, body: { message: e.message }, message: e.message };
  if (typeof e?.code === 'string') return { message: e.message, cause: { code: e.code, message: e.message } };
  return error;
}

export function kubeAgent(deps: KubeAgentDeps): Agent {
  const deadlineMs = deps.deadlineMs ?? 15_000;
  const now = deps.now ?? (() => new Date());
  const write = (): KubeWritePort => {
    if (deps.kube) return deps.kube;
    throw new OutpostError('cluster_not_configured', `the agent has no write identity for the cluster: ${deps.kubeProblem ?? 'no kubeconfig'}`);
  };
  const act = async <T extends object>(actor: Actor, action: string, target: string, what: string, task: (kube: KubeWritePort, signal: AbortSignal) => Promise<T>): Promise<T> => {
    const request = actor.requestId ? { requestId: actor.requestId } : {};
    try {
      const kube = write();
      const result = await deps.runner.run((signal) => unlessAborted(task(kube, signal), signal), { preempt: true, deadlineMs, label: `${action} ${target}` });
      deps.audit({ actor, action, target, outcome: 'success', detail: { ...request, ...result, step: 'the cluster accepted the change; the outcome follows' } });
      deps.log.info({ actor: actor.name, target, ...request }, `${action}: accepted`);
      return result;
    } catch (error) {
      const failure = error instanceof OutpostError ? error : kubeError(asKubeFailure(error), what);
      deps.audit({ actor, action, target, outcome: 'failure', detail: { ...request, code: failure.code, message: failure.message } });
      throw failure;
    }
  };
  return {
    restartWorkload(actor: Actor, target: WorkloadTarget): Promise<RestartResult> {
      const ref = { apiVersion: 'apps/v1', kind: KIND[target.kind], namespace: target.namespace, name: target.name };
      return act(actor, 'workload.restart', workloadKey(target.namespace, target.kind, target.name), `${target.kind} ${target.namespace}/${target.name}`, async (kube) => {
        const restartedAt = now().toISOString().replace(/\.\d{3}Z$/, 'Z');
        const patched = (await kube.strategicPatch(ref, restartPatch(restartedAt))) as { metadata?: { generation?: number } };
        return { generation: Number(patched.metadata?.generation ?? 0), restartedAt };
      });
    },
    deletePod(actor: Actor, target: PodTarget): Promise<DeleteResult> {
      const ref = { apiVersion: 'v1', kind: 'Pod', namespace: target.namespace, name: target.name };
      return act(actor, 'pod.delete', workloadKey(target.namespace, 'pod', target.name), `pod ${target.namespace}/${target.name}`, async (kube) => {
        const pod = (await kube.get(ref)) as { metadata?: { uid?: string } } | null;
        if (!pod) throw new OutpostError('workload_not_found', `pod ${target.namespace}/${target.name} does not exist (any more)`);
        if (!(await kube.remove(ref))) throw new OutpostError('workload_not_found', `pod ${target.namespace}/${target.name} does not exist (any more)`);
        return { uid: pod.metadata?.uid ?? '' };
      });
    },
  };
}
