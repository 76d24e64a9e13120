// Restarts as tracked actions: the mutation goes through the Agent; the rollout (or the pod's
// replacement) is then followed on the watched caches until done, failed or past its deadline.
// Each step is published on the `cluster` topic; the outcome is appended to the audit log.
import { randomUUID } from 'node:crypto';
import type { Actor, Agent } from '../agent/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Topic } from '../feed/index.ts';
import { OutpostError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { workloadKey, type ActionProgress, type ClusterEvent, type ClusterState, type RestartableKind } from '../protocol/cluster.ts';
import type { ClusterView } from './cluster-view.ts';
import { kubeError } from './kube-errors.ts';
import { podVerdict } from './pod-status.ts';
import { rolloutProgress } from './rollout.ts';
import { podIsRecreated, podOwnerKey, replicaSetOwners } from './workload-model.ts';

export interface ActionsDeps {
  agent: Agent;
  view: ClusterView;
  topic: Topic<ClusterState, ClusterEvent>;
  audit: AuditLog;
  log: Logger;
  rolloutDeadlineMs?: number;
  pollMs?: number;
}

export interface RestartRequest {
  namespace: string;
  kind: RestartableKind;
  name: string;
  /** For a pod nothing recreates: the caller saw the warning and goes ahead. */
  confirm: boolean;
}

type Check = () => { done: boolean; failed: boolean; message: string };

export class Actions {
  readonly #deps: ActionsDeps;
  readonly #follows = new Set<() => void>();

  constructor(deps: ActionsDeps) {
    this.#deps = deps;
  }

  #publish(action: ActionProgress): ActionProgress {
    this.#deps.topic.publish({ kind: 'cluster.action.v1', action });
    return action;
  }

  #audit(actor: Actor, action: string, target: string, outcome: 'success' | 'failure', detail: Record<string, unknown>): void {
    this.#deps.audit.append({ actor: actor.name, role: actor.role, address: actor.address, action, target, outcome, detail });
  }

  /** Performs the mutation and starts following it; resolves once the change is accepted. */
  async restart(actor: Actor, request: RestartRequest): Promise<ActionProgress> {
    const { namespace, kind, name } = request;
    const target = workloadKey(namespace, kind, name);
    const auditAction = kind === 'pod' ? 'pod.delete' : 'workload.restart';
    const caches = this.#deps.view.caches;
    let check: Check;
    let verb: ActionProgress['action'] = 'restart';
    try {
      if (kind === 'pod') {
        verb = 'delete-pod';
        const pod = caches.pods.get(namespace, name);
        if (!pod) throw new OutpostError('workload_not_found', `pod ${namespace}/${name} does not exist (any more)`);
        const recreated = podIsRecreated(pod);
        if (!recreated && !request.confirm) {
          throw new OutpostError('pod_not_recreated', `pod ${namespace}/${name} has no controller: deleting it removes it for good. Confirm to delete it anyway.`);
        }
        const ownerKey = podOwnerKey(pod, replicaSetOwners(caches.replicasets.values()));
        const { uid } = await this.#deps.agent.deletePod(actor, { namespace, name }).catch((e: unknown) => Promise.reject(kubeError(e, `pod ${namespace}/${name}`)));
        check = () => this.#podReplaced(namespace, name, uid, recreated ? ownerKey : null);
      } else {
        const { generation } = await this.#deps.agent.restartWorkload(actor, { namespace, kind, name }).catch((e: unknown) => Promise.reject(kubeError(e, `${kind} ${namespace}/${name}`)));
        const cache = kind === 'deployment' ? caches.deployments : kind === 'statefulset' ? caches.statefulsets : caches.daemonsets;
        check = () => {
          const o = cache.get(namespace, name);
          return o ? rolloutProgress(kind, o, generation) : { done: false, failed: true, message: `${kind} ${namespace}/${name} was deleted` };
        };
      }
    } catch (error) {
      const failure = error instanceof OutpostError ? error : kubeError(error, target);
      if (failure.code !== 'pod_not_recreated') this.#audit(actor, auditAction, target, 'failure', { code: failure.code, message: failure.message });
      throw failure;
    }
    const now = Date.now();
    const action = this.#publish({ id: randomUUID(), target, action: verb, actor: actor.name, phase: 'accepted', message: kind === 'pod' ? 'pod deleted' : 'restart requested', startedAt: now, updatedAt: now });
    this.#audit(actor, auditAction, target, 'success', { actionId: action.id, confirmed: request.confirm });
    this.#follow(actor, action, check);
    return action;
  }

  #podReplaced(namespace: string, name: string, uid: string, ownerKey: string | null): ReturnType<Check> {
    const caches = this.#deps.view.caches;
    const same = caches.pods.get(namespace, name);
    if (same && same.metadata?.uid === uid) return { done: false, failed: false, message: 'pod terminating' };
    if (!ownerKey) return { done: true, failed: false, message: 'pod removed' };
    const owners = replicaSetOwners(caches.replicasets.values());
    const pods = caches.pods.values().filter((p) => podOwnerKey(p, owners) === ownerKey && p.metadata?.uid !== uid);
    const ready = pods.filter((p) => podVerdict(p).ready).length;
    if (pods.length > 0 && ready === pods.length) return { done: true, failed: false, message: `replaced (${ready} ready)` };
    return { done: false, failed: false, message: `waiting for the replacement (${ready} of ${pods.length} ready)` };
  }

  #follow(actor: Actor, action: ActionProgress, check: Check): void {
    const deadline = action.startedAt + (this.#deps.rolloutDeadlineMs ?? 300_000);
    let last = action;
    const finish = (phase: 'done' | 'failed', message: string): void => {
      stop();
      last = this.#publish({ ...last, phase, message, updatedAt: Date.now() });
      this.#audit(actor, `${action.action === 'restart' ? 'workload.restart' : 'pod.delete'}.outcome`, action.target, phase === 'done' ? 'success' : 'failure', { actionId: action.id, message });
    };
    const tick = (): void => {
      try {
        const progress = check();
        if (progress.failed) return finish('failed', progress.message);
        if (progress.done) return finish('done', progress.message);
        if (Date.now() > deadline) return finish('failed', `not done after ${Math.round((deadline - action.startedAt) / 1000)} s: ${progress.message}`);
        if (progress.message !== last.message || last.phase !== 'progressing') last = this.#publish({ ...last, phase: 'progressing', message: progress.message, updatedAt: Date.now() });
      } catch (error) {
        this.#deps.log.error({ err: error, action: action.id }, 'following an action failed');
        finish('failed', 'internal error while following the action');
      }
    };
    const timer = setInterval(tick, this.#deps.pollMs ?? 250);
    const stop = (): void => {
      clearInterval(timer);
      this.#follows.delete(stop);
    };
    this.#follows.add(stop);
  }

  stop(): void {
    for (const stop of [...this.#follows]) stop();
  }
}
