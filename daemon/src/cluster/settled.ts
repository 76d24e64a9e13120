// "Healthy" means settled (pure): the rollout is done, every wanted replica is ready, and no
// container of the workload has started, restarted or crashed within the stability window. One
// predicate serves the workload status, the end of a restart and the upgrade health gate, so the
// three can never disagree. It reads only the objects and `now`: a container's running.startedAt
// and lastState.terminated.finishedAt tell whether it restarted inside the window, so no history
// has to be kept.
import type { WorkloadKind } from '../protocol/cluster.ts';
import { stampMs, type KObject } from './kube-types.ts';
import { rolloutProgress } from './rollout.ts';

export const DEFAULT_STABILITY_MS = 30_000;

/** settled: healthy for the whole window. settling: on its way (or not stable long enough yet). failing: needs a person. */
export type SettledState = 'settled' | 'settling' | 'failing';

export interface ContainerProblem {
  pod: string;
  container: string;
  /** CrashLoopBackOff, Error, OOMKilled, ErrImageNeverPull, CreateContainerConfigError, Restarted… */
  reason: string;
  exitCode: number | null;
  restarts: number;
  /** Unix ms of the last termination, when there was one. */
  finishedAt: number | null;
  message: string;
}

export interface SettledVerdict {
  state: SettledState;
  /** One sentence for a person: why it is not settled, or how long it has been stable. */
  message: string;
  ready: number;
  desired: number;
  /** Containers that crashed, restarted or cannot start: the reasons a restart or gate failed. */
  problems: ContainerProblem[];
  /** Unix ms when the workload will be settled if nothing changes (state settling, all ready). */
  settlesAt: number | null;
}

export interface SettledOptions {
  now: number;
  stabilityMs?: number;
  /**
   * Only changes after this instant count as failures (a restart or an upgrade that began then):
   * a container that crashed before it is history, not a failure of this change.
   */
  since?: number;
  /** The generation the controller must have observed (the one a restart patch produced). */
  minGeneration?: number;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; running?: { startedAt?: string | Date }; terminated?: { reason?: string; exitCode?: number; finishedAt?: string | Date } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string | Date } };
}

/** Waiting reasons that never fix themselves on an air-gapped node. */
const STUCK = new Set(['CrashLoopBackOff', 'ErrImageNeverPull', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/**
 * Kubernetes stamps container and condition times in whole seconds, so a stamp may be up to a
 * second before the moment it stands for. Counting from the end of that second keeps "stable for
 * the window" from being claimed early and a crash just after `since` from being taken for history.
 */
function latestMs(value: string | Date | undefined): number | null {
  const ms = stampMs(value);
  return ms !== null && ms % 1000 === 0 ? ms + 999 : ms;
}

function statusesOf(pod: KObject): ContainerStatus[] {
  const s = pod.status as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] } | undefined;
  return [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? [])];
}

function conditionSince(pod: KObject, type: string): number | null {
  const c = (pod.status?.conditions as { type: string; status: string; lastTransitionTime?: string | Date }[] | undefined)?.find((x) => x.type === type);
  return c?.status === 'True' ? (latestMs(c.lastTransitionTime) ?? 0) : null;
}

function isFailedExit(t: { reason?: string; exitCode?: number } | undefined): boolean {
  return t !== undefined && ((t.exitCode ?? 0) !== 0 || t.reason === 'OOMKilled' || t.reason === 'Error');
}

/** What is wrong with one pod's containers, counting only what happened after `since`. */
export function containerProblems(pod: KObject, since = 0): ContainerProblem[] {
  const name = pod.metadata?.name ?? '';
  const out: ContainerProblem[] = [];
  const init = new Set(((pod.spec?.initContainers as { name: string }[] | undefined) ?? []).map((c) => c.name));
  for (const c of statusesOf(pod)) {
    const restarts = c.restartCount ?? 0;
    const waiting = c.state?.waiting?.reason;
    const current = c.state?.terminated;
    const last = current ?? c.lastState?.terminated;
    const finishedAt = latestMs(last?.finishedAt);
    const base = { pod: name, container: c.name, restarts, exitCode: last?.exitCode ?? null, finishedAt };
    if (waiting && STUCK.has(waiting)) {
      const why = waiting === 'CrashLoopBackOff' ? `exit code ${last?.exitCode ?? '?'}${last?.reason ? ` (${last.reason})` : ''}, restarted ${restarts} time${restarts === 1 ? '' : 's'}` : (c.state?.waiting?.message ?? waiting);
      // A crash loop that began before `since` and has not crashed again since is not this change's failure.
      if (waiting !== 'CrashLoopBackOff' || finishedAt === null || finishedAt >= since) out.push({ ...base, reason: waiting, message: `${c.name}: ${why}` });
      continue;
    }
    // An init container that completed normally is not a problem.
    if (current && init.has(c.name) && !isFailedExit(current)) continue;
    if (isFailedExit(last) && finishedAt !== null && finishedAt >= since) {
      out.push({ ...base, reason: last?.reason ?? 'Error', message: `${c.name}: exit code ${last?.exitCode ?? '?'}${last?.reason ? ` (${last.reason})` : ''}, restarted ${restarts} time${restarts === 1 ? '' : 's'}` });
    }
  }
  return out;
}

function desiredOf(kind: WorkloadKind, o: KObject): number {
  if (kind === 'daemonset') return Number(o.status?.desiredNumberScheduled ?? 0);
  if (kind === 'job') return Number(o.spec?.completions ?? 1);
  if (kind === 'pod') return 1;
  return Number(o.spec?.replicas ?? 1);
}

function jobVerdict(o: KObject, pods: readonly KObject[], since: number): SettledVerdict {
  const desired = desiredOf('job', o);
  const succeeded = Number(o.status?.succeeded ?? 0);
  const conditions = (o.status?.conditions as { type: string; status: string; message?: string }[] | undefined) ?? [];
  const problems = pods.flatMap((p) => containerProblems(p, since));
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) return { state: 'failing', message: `job failed: ${failed.message ?? 'backoff limit reached'}`, ready: succeeded, desired, problems, settlesAt: null };
  if (conditions.some((c) => c.type === 'Complete' && c.status === 'True') || succeeded >= desired) {
    return { state: 'settled', message: `complete (${succeeded} of ${desired})`, ready: succeeded, desired, problems: [], settlesAt: null };
  }
  const stuck = problems.find((p) => p.reason !== 'Error' && p.reason !== 'OOMKilled');
  if (stuck) return { state: 'failing', message: stuck.message, ready: succeeded, desired, problems, settlesAt: null };
  return { state: 'settling', message: `${succeeded} of ${desired} ${desired === 1 ? 'completion' : 'completions'}`, ready: succeeded, desired, problems, settlesAt: null };
}

const allReady = (desired: number): string => (desired === 1 ? 'ready' : `all ${desired} ready`);

/**
 * Whether a workload is settled healthy. `pods` are the workload's pods (any revision); pods being
 * deleted are ignored. For a Job, settled means complete.
 */
export function settledVerdict(kind: WorkloadKind, o: KObject, pods: readonly KObject[], options: SettledOptions): SettledVerdict {
  const stabilityMs = options.stabilityMs ?? DEFAULT_STABILITY_MS;
  const since = options.since ?? 0;
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  if (kind === 'job') return jobVerdict(o, live, since);

  const desired = desiredOf(kind, o);
  const problems = live.flatMap((p) => containerProblems(p, since));
  const ready = live.filter((p) => conditionSince(p, 'Ready') !== null).length;
  const verdict = (state: SettledState, message: string, settlesAt: number | null = null): SettledVerdict => ({ state, message, ready, desired, problems, settlesAt });

  if (problems.length > 0) {
    const first = problems[0] as ContainerProblem;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    return verdict('failing', `${first.pod}: ${first.message}${more}`);
  }
  if (kind !== 'pod') {
    const rollout = rolloutProgress(kind, o, options.minGeneration ?? 0);
    if (rollout.failed) return verdict('failing', rollout.message);
    if (!rollout.done) return verdict('settling', rollout.message);
  } else if (o.status?.phase === 'Succeeded') {
    return verdict('settled', 'completed');
  }
  if (desired === 0) return verdict('settled', 'scaled to zero');
  if (ready < desired) return verdict('settling', `${ready} of ${desired} ${desired === 1 ? 'pod' : 'pods'} ready`);

  // Stable since the latest of: each pod becoming ready, each container (re)starting.
  let stableSince = 0;
  for (const p of live) {
    stableSince = Math.max(stableSince, conditionSince(p, 'Ready') ?? 0);
    for (const c of statusesOf(p)) {
      stableSince = Math.max(stableSince, latestMs(c.state?.running?.startedAt) ?? 0, latestMs(c.lastState?.terminated?.finishedAt) ?? 0);
    }
  }
  const settlesAt = stableSince + stabilityMs;
  if (settlesAt > options.now) {
    const stable = Math.max(0, Math.floor((options.now - stableSince) / 1000));
    return verdict('settling', `${allReady(desired)}; stable for ${stable} s of ${Math.round(stabilityMs / 1000)} s`, settlesAt);
  }
  return verdict('settled', `${allReady(desired)} and stable for ${Math.round(stabilityMs / 1000)} s`);
}
