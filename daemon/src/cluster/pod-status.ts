// One pod's status in a word and a reason, the way a technician needs it (pure).
import type { ContainerInfo, PodInfo, WorkloadSeverity } from '../protocol/cluster.ts';
import { stampMs, type KObject } from './kube-types.ts';

export interface PodVerdict {
  status: string;
  reason: string | null;
  severity: WorkloadSeverity;
  ready: boolean;
  restarts: number;
}

const IMAGE_PROBLEMS = new Set(['ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName']);
const START_PROBLEMS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; running?: object; terminated?: { reason?: string; exitCode?: number; message?: string; finishedAt?: string | Date } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string | Date } };
}

function containerStatuses(pod: KObject): ContainerStatus[] {
  const s = pod.status as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] } | undefined;
  return [...(s?.initContainerStatuses ?? []), ...(s?.containerStatuses ?? [])];
}

function lastExit(c: ContainerStatus): string {
  const t = c.lastState?.terminated ?? c.state?.terminated;
  return t ? `last exit code ${t.exitCode ?? '?'}${t.reason ? ` (${t.reason})` : ''}` : 'no exit recorded yet';
}

export function podVerdict(pod: KObject): PodVerdict {
  const statuses = containerStatuses(pod);
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const phase = String(pod.status?.phase ?? 'Pending');
  const ready = phase === 'Running' && (pod.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  const v = (status: string, reason: string | null, severity: WorkloadSeverity): PodVerdict => ({ status, reason, severity, ready, restarts });
  if (pod.metadata?.deletionTimestamp) return v('Terminating', null, 'progressing');
  if (phase === 'Succeeded') return v('Completed', null, 'done');
  for (const c of statuses) {
    const waiting = c.state?.waiting?.reason;
    if (waiting === 'CrashLoopBackOff') return v('CrashLoopBackOff', `${c.name}: ${lastExit(c)}, restarted ${c.restartCount ?? 0} time${c.restartCount === 1 ? '' : 's'}`, 'trouble');
    if (waiting && IMAGE_PROBLEMS.has(waiting)) return v(waiting, `${c.name}: ${c.state?.waiting?.message ?? `image ${c.image ?? ''} cannot be pulled`}`, 'trouble');
    if (waiting && START_PROBLEMS.has(waiting)) return v(waiting, `${c.name}: ${c.state?.waiting?.message ?? waiting}`, 'trouble');
  }
  for (const c of statuses) {
    if (c.state?.terminated?.reason === 'OOMKilled' || (!c.state?.running && c.lastState?.terminated?.reason === 'OOMKilled') || (c.lastState?.terminated?.reason === 'OOMKilled' && !c.ready)) {
      return v('OOMKilled', `${c.name}: killed for using too much memory (exit code ${c.lastState?.terminated?.exitCode ?? c.state?.terminated?.exitCode ?? 137})`, 'trouble');
    }
  }
  if (phase === 'Failed') return v('Failed', String(pod.status?.message ?? pod.status?.reason ?? 'the pod failed'), 'trouble');
  if (phase === 'Pending') {
    const scheduled = (pod.status?.conditions as { type: string; status: string; reason?: string; message?: string }[] | undefined)?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False') return v('Pending', `not scheduled: ${scheduled.message ?? scheduled.reason ?? 'no node fits'}`, 'trouble');
    const waiting = statuses.find((c) => c.state?.waiting?.reason)?.state?.waiting?.reason;
    return v('Pending', waiting ? `containers ${waiting}` : null, 'progressing');
  }
  if (phase === 'Running' && !ready) {
    const failing = statuses.find((c) => !c.ready);
    return v('NotReady', failing ? `${failing.name} is not ready${(failing.restartCount ?? 0) > 0 ? ` (${lastExit(failing)})` : ''}` : null, 'progressing');
  }
  return v(phase, null, 'ok');
}

function containerState(c: ContainerStatus): string {
  if (c.state?.running) return 'running';
  if (c.state?.waiting) return `waiting: ${c.state.waiting.reason ?? '?'}`;
  if (c.state?.terminated) return `terminated: ${c.state.terminated.reason ?? `exit ${c.state.terminated.exitCode ?? '?'}`}`;
  return 'unknown';
}

export function podInfo(pod: KObject): PodInfo {
  const verdict = podVerdict(pod);
  const statuses = new Map(containerStatuses(pod).map((c) => [c.name, c]));
  const specs = [...((pod.spec?.initContainers as { name: string; image: string }[] | undefined) ?? []), ...((pod.spec?.containers as { name: string; image: string }[] | undefined) ?? [])];
  const containers: ContainerInfo[] = specs.map((spec) => {
    const c = statuses.get(spec.name);
    const last = c?.lastState?.terminated;
    const finished = last?.finishedAt;
    return {
      name: spec.name,
      image: spec.image,
      ready: c?.ready ?? false,
      restarts: c?.restartCount ?? 0,
      state: c ? containerState(c) : 'waiting: not started',
      lastTermination: last ? { reason: last.reason ?? 'Unknown', exitCode: last.exitCode ?? -1, finishedAt: finished instanceof Date ? finished.toISOString() : (finished ?? null) } : null,
    };
  });
  return {
    name: pod.metadata?.name ?? '',
    phase: String(pod.status?.phase ?? 'Pending'),
    status: verdict.status,
    reason: verdict.reason,
    node: (pod.spec?.nodeName as string | undefined) ?? null,
    restarts: verdict.restarts,
    createdAt: stampMs(pod.metadata?.creationTimestamp),
    containers,
  };
}
