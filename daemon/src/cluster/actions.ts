// Restarts as tracked actions, judged by their outcome: the mutation goes through the Agent (the
// privileged process, which audits what it did with the actor and request id), then the workload is
// followed on the watched caches until it is settled healthy (settled.ts: rolled out, every replica
// ready, nothing restarting for the stability window) — "done" — or a new container fails —
// "failed", with the exit code and the failing container's last log line — or the deadline passes.
// Each step is published on the `cluster` topic; the audit log gets the real outcome, and the
// refusals that never reached the agent. At most one action per workload runs at a time
// (`restart_in_progress`).
import { randomUUID } from 'node:crypto';
import type { Actor, Agent } from '../agent/index.ts';
import type { AuditWriter } from '../audit/index.ts';
import type { Topic } from '../feed/index.ts';
import { OutpostError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { workloadKey, type ActionProgress, type ClusterEvent, type ClusterState, type RestartableKind, type WorkloadKind } from '../protocol/cluster.ts';
import type { LogsTarget } from '../protocol/logs.ts';
import type { ClusterView } from './cluster-view.ts';
import { kubeError } from './kube-errors.ts';
import type { KObject } from './kube-types.ts';
import { podVerdict } from './pod-status.ts';
import { settledVerdict, type ContainerProblem } from './settled.ts';
import { podIsRecreated, podOwnerKey, podsOf, replicaSetOwners } from './workload-model.ts';

export interface ActionsDeps {
  agent: Agent;
  view: ClusterView;
  topic: Topic<ClusterState, ClusterEvent>;
  audit: AuditWriter;
  log: Logger;
  rolloutDeadlineMs?: number;
  pollMs?: number;
  /** The last line a (crashed) container wrote, or null; must answer within its own deadline. */
  lastLogLine?: (target: LogsTarget, previous: boolean) => Promise<string | null>;
}

export interface RestartRequest {
  namespace: string;
  kind: RestartableKind;
  name: string;
  /** For a pod nothing recreates: the caller saw the warning and goes ahead. */
  confirm: boolean;
}

type Progress = { state: 'waiting' | 'done'; message: string } | { state: 'failed'; message: string; problem: ContainerProblem | null };
type Check = () => Progress;

const requestOf = (actor: Actor) => (actor.requestId ? { requestId: actor.requestId } : {});

const CACHE_OF = { deployment: 'deployments', statefulset: 'statefulsets', daemonset: 'daemonsets', job: 'jobs' } as const;

export class Actions {
  readonly #deps: ActionsDeps;
  readonly #follows = new Set<() => void>();
  /** Workload key -> the action still running on it. */
  readonly #running = new Map<string, ActionProgress>();

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
    const running = this.#running.get(target);
    if (running) {
      const asked = `asked by ${running.actor} at ${new Date(running.startedAt).toISOString()}`;
      throw new OutpostError('restart_in_progress', `a restart of ${kind} ${namespace}/${name} is still running (${asked}); wait for its outcome`);
    }
    const view = this.#deps.view;
    const caches = view.caches;
    let check: Check;
    let verb: ActionProgress['action'] = 'restart';
    const startedAt = Date.now();
    // Once the agent has the request it audits it, success or failure; only what never reached it is audited here.
    let agentAudited = false;
    const viaAgent = <T>(call: Promise<T>, what: string): Promise<T> =>
      call.catch((e: unknown) => {
        agentAudited = !(e instanceof OutpostError && e.code === 'agent_unavailable');
        return Promise.reject(kubeError(e, what));
      });
    try {
      if (view.status.state === 'unreachable') {
        throw new OutpostError('cluster_unreachable', 'the Kubernetes API server does not answer (it may be restarting); restarts wait until it is back');
      }
      if (kind === 'pod') {
        verb = 'delete-pod';
        const pod = caches.pods.get(namespace, name);
        if (!pod) throw new OutpostError('workload_not_found', `pod ${namespace}/${name} does not exist (any more)`);
        const recreated = podIsRecreated(pod);
        if (!recreated && !request.confirm) {
          const why = `pod ${namespace}/${name} has no controller: deleting it removes it for good. Confirm to delete it anyway.`;
          throw new OutpostError('pod_not_recreated', why);
        }
        const ownerKey = podOwnerKey(pod, replicaSetOwners(caches.replicasets.values()));
        const { uid } = await viaAgent(this.#deps.agent.deletePod(actor, { namespace, name }), `pod ${namespace}/${name}`);
        check = () => this.#podReplaced(namespace, name, uid, recreated ? ownerKey : null, startedAt);
      } else {
        const before = new Set(podsOf(target, view.objects()).map((p) => p.metadata?.uid));
        const { generation } = await viaAgent(this.#deps.agent.restartWorkload(actor, { namespace, kind, name }), `${kind} ${namespace}/${name}`);
        check = () => {
          const o = caches[CACHE_OF[kind]].get(namespace, name);
          if (!o) return { state: 'failed', message: `${kind} ${namespace}/${name} was deleted`, problem: null };
          // Judged on the pods the restart made: an old pod crashing on its way out is not this restart's failure.
          const pods = podsOf(target, view.objects()).filter((p) => !before.has(p.metadata?.uid));
          return this.#judge(kind, o, pods, { since: startedAt, minGeneration: generation });
        };
      }
    } catch (error) {
      const failure = error instanceof OutpostError ? error : kubeError(error, target);
      if (failure.code !== 'pod_not_recreated' && !agentAudited) this.#audit(actor, auditAction, target, 'failure', { ...requestOf(actor), code: failure.code, message: failure.message });
      throw failure;
    }
    const now = Date.now();
    const message = kind === 'pod' ? 'pod deleted' : 'restart requested';
    const action = this.#publish({ id: randomUUID(), target, action: verb, actor: actor.name, phase: 'accepted', message, startedAt, updatedAt: now });
    this.#running.set(target, action);
    this.#follow(actor, action, check);
    return action;
  }

  #judge(kind: WorkloadKind, o: KObject, pods: readonly KObject[], options: { since: number; minGeneration?: number }): Progress {
    const verdict = settledVerdict(kind, o, pods, { now: this.#deps.view.now(), stabilityMs: this.#deps.view.stabilityMs, ...options });
    if (verdict.state === 'settled') return { state: 'done', message: verdict.message };
    if (verdict.state === 'failing') return { state: 'failed', message: verdict.message, problem: verdict.problems[0] ?? null };
    return { state: 'waiting', message: verdict.message };
  }

  #podReplaced(namespace: string, name: string, uid: string, ownerKey: string | null, since: number): Progress {
    const caches = this.#deps.view.caches;
    const same = caches.pods.get(namespace, name);
    if (same && same.metadata?.uid === uid) return { state: 'waiting', message: 'pod terminating' };
    if (!ownerKey) return { state: 'done', message: 'pod removed' };
    const pods = podsOf(ownerKey, this.#deps.view.objects()).filter((p) => p.metadata?.uid !== uid);
    const [, kind, ownerName] = ownerKey.split('/') as [string, WorkloadKind, string];
    const owner = kind !== 'pod' ? caches[CACHE_OF[kind]].get(namespace, ownerName) : undefined;
    if (owner) return this.#judge(kind, owner, pods, { since });
    // An owner Outpost does not model (a bare ReplicaSet…): the replacement being ready is all it can tell.
    const ready = pods.filter((p) => podVerdict(p).ready).length;
    if (pods.length > 0 && ready === pods.length) return { state: 'done', message: `replaced (${ready} ready)` };
    return { state: 'waiting', message: `waiting for the replacement (${ready} of ${pods.length} ready)` };
  }

  /** "exit code 1 (Error); last log line: …" for the container that failed, within the log reader's deadline. */
  async #explain(problem: ContainerProblem | null, verdictMessage: string, namespace: string): Promise<string> {
    if (!problem) return verdictMessage;
    const message =
      problem.exitCode !== null && problem.finishedAt !== null
        ? `container ${problem.container} of ${problem.pod} failed: exit code ${problem.exitCode}${problem.reason === 'OOMKilled' ? ' (OOMKilled)' : ''}`
        : `container ${problem.container} of ${problem.pod}: ${problem.message.replace(`${problem.container}: `, '')}`;
    if (!this.#deps.lastLogLine) return message;
    const target = { namespace, pod: problem.pod, container: problem.container };
    try {
      // A container that crashed and was started again keeps its crash in the previous log.
      const previous = problem.restarts > 0 ? await this.#deps.lastLogLine(target, true).catch(() => null) : null;
      const line = previous ?? (await this.#deps.lastLogLine(target, false));
      return line ? `${message}; last log line: ${line}` : message;
    } catch (error) {
      this.#deps.log.warn({ err: error, target }, 'could not read the failed container’s log');
      return message;
    }
  }

  #follow(actor: Actor, action: ActionProgress, check: Check): void {
    const deadline = action.startedAt + (this.#deps.rolloutDeadlineMs ?? 300_000);
    const namespace = action.target.split('/')[0] ?? '';
    let last = action;
    let finishing = false;
    const finish = async (phase: 'done' | 'failed', message: string, problem: ContainerProblem | null): Promise<void> => {
      finishing = true;
      clearInterval(timer);
      try {
        const text = phase === 'failed' ? await this.#explain(problem, message, namespace) : message;
        // Stopped meanwhile (the daemon is shutting down): the audit log may be closed already.
        if (!this.#follows.has(stop)) return;
        stop();
        last = this.#publish({ ...last, phase, message: text, updatedAt: Date.now() });
        const outcome = phase === 'done' ? 'success' : 'failure';
        const auditAction = `${action.action === 'restart' ? 'workload.restart' : 'pod.delete'}.outcome`;
        this.#audit(actor, auditAction, action.target, outcome, { ...requestOf(actor), actionId: action.id, reason: text, exitCode: problem?.exitCode ?? null });
      } catch (error) {
        stop();
        this.#deps.log.error({ err: error, action: action.id }, 'recording the outcome of an action failed');
      }
    };
    const tick = (): void => {
      if (finishing) return;
      let progress: Progress;
      try {
        progress = check();
      } catch (error) {
        this.#deps.log.error({ err: error, action: action.id }, 'following an action failed');
        void finish('failed', 'Outpost could not follow the restart (see its log)', null);
        return;
      }
      if (progress.state === 'failed') return void finish('failed', progress.message, progress.problem);
      if (progress.state === 'done') return void finish('done', progress.message, null);
      if (Date.now() > deadline) {
        return void finish('failed', `not settled after ${Math.round((deadline - action.startedAt) / 1000)} s: ${progress.message}`, null);
      }
      if (progress.message !== last.message || last.phase !== 'progressing') {
        last = this.#publish({ ...last, phase: 'progressing', message: progress.message, updatedAt: Date.now() });
      }
    };
    const timer = setInterval(tick, this.#deps.pollMs ?? 500);
    const stop = (): void => {
      clearInterval(timer);
      this.#follows.delete(stop);
      if (this.#running.get(action.target)?.id === action.id) this.#running.delete(action.target);
    };
    this.#follows.add(stop);
  }

  stop(): void {
    for (const stop of [...this.#follows]) stop();
  }
}
