// Pod status from the kubelet's runtime view (pure): container statuses, init container
// statuses, conditions and phase, shaped as the real kubelet writes them.
import { planContainer } from './behavior.ts';
import type { Instance } from './logs.ts';
import { stamp } from './store.ts';
import type { KObject, Obj } from './types.ts';

export interface KubeletTiming {
  readyAfterMs: number;
  runMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  terminationMs: number;
}

export interface ContainerRuntime {
  name: string;
  image: string;
  init: boolean;
  state: 'waiting' | 'running' | 'terminated';
  reason: string;
  message?: string;
  restartCount: number;
  startedAt: number;
  nextStartAt: number;
  nextPullAt: number;
  pullAttempts: number;
  everStarted: boolean;
  restartPending: boolean;
  exitCode?: number;
  finishedAt?: number;
  last?: { exitCode: number; reason: string; startedAt: number; finishedAt: number };
  instances: Instance[];
}

export interface PodRuntime {
  uid: string;
  ip: string;
  startTime: number;
  init: ContainerRuntime[];
  containers: ContainerRuntime[];
  killingSince?: number;
}

export const initSucceeded = (c: ContainerRuntime): boolean => c.state === 'terminated' && c.exitCode === 0 && !c.restartPending;

/** An init container that failed and will not be restarted (restartPolicy Never). */
export const initFailed = (c: ContainerRuntime): boolean => c.state === 'terminated' && c.exitCode !== 0 && !c.restartPending;

function hex(seed: string, len: number): string {
  let out = '';
  let h = 2166136261;
  let s = seed;
  while (out.length < len) {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    out += h.toString(16).padStart(8, '0');
    s += out.length;
  }
  return out.slice(0, len);
}

const cid = (pod: KObject, c: ContainerRuntime, delta = 0): string => `containerd://${hex(`${pod.metadata.uid}/${c.name}/${c.restartCount + delta}`, 64)}`;

function containerStatus(pod: KObject, c: ContainerRuntime, now: number, timing: KubeletTiming, initialized: boolean): Obj {
  const plan = planContainer(pod, c.name, timing, c.init);
  const ready = c.init
    ? initSucceeded(c)
    : c.state === 'running' && plan.behavior.kind !== 'never-ready' && now - c.startedAt >= plan.readyAfterMs && !pod.metadata.deletionTimestamp;
  let state: Obj;
  if (c.state === 'running') state = { running: { startedAt: stamp(new Date(c.startedAt)) } };
  else if (c.state === 'terminated')
    state = {
      terminated: {
        exitCode: c.exitCode ?? 0,
        reason: c.reason,
        startedAt: stamp(new Date(c.startedAt)),
        finishedAt: stamp(new Date(c.finishedAt ?? now)),
        containerID: cid(pod, c),
      },
    };
  else
    state = {
      waiting: {
        reason: !c.init && !initialized && !c.everStarted ? 'PodInitializing' : c.reason || 'ContainerCreating',
        ...(c.message ? { message: c.message } : {}),
      },
    };
  const last = c.state === 'terminated' ? undefined : c.last;
  return {
    name: c.name,
    state,
    lastState: last
      ? {
          terminated: {
            exitCode: last.exitCode,
            reason: last.reason,
            startedAt: stamp(new Date(last.startedAt)),
            finishedAt: stamp(new Date(last.finishedAt)),
            containerID: cid(pod, c, -1),
          },
        }
      : {},
    ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.everStarted ? `${c.image.split(':')[0]}@sha256:${hex(c.image, 64)}` : '',
    ...(c.everStarted ? { containerID: cid(pod, c) } : {}),
    started: c.state === 'running',
  };
}

export function podStatus(pod: KObject, rt: PodRuntime, now: number, timing: KubeletTiming): Obj {
  const initialized = rt.init.every(initSucceeded);
  const statuses = rt.containers.map((c) => containerStatus(pod, c, now, timing, initialized));
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const allReady = initialized && statuses.length > 0 && statuses.every((s) => s.ready);
  const anyRunning = rt.containers.some((c) => c.state === 'running');
  const allDone = rt.containers.every((c) => c.state === 'terminated');
  const allStartedOnce = rt.containers.every((c) => c.everStarted);
  let phase = 'Pending';
  if (rt.init.some(initFailed)) phase = 'Failed';
  else if (!initialized) phase = 'Pending';
  else if (allDone && policy !== 'Always') phase = rt.containers.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
  else if (allStartedOnce || anyRunning) phase = 'Running';
  const old: Obj = pod.status ?? {};
  const cond = (type: string, value: boolean, reason?: string): Obj => {
    const prev = (old.conditions ?? []).find((x: Obj) => x.type === type);
    const status = value ? 'True' : 'False';
    const changed = !prev || prev.status !== status;
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: changed ? stamp(new Date(now)) : prev.lastTransitionTime,
      ...(reason && !value ? { reason } : {}),
    };
  };
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const notReady = completed ? 'PodCompleted' : 'ContainersNotReady';
  return {
    phase,
    conditions: [
      cond('PodReadyToStartContainers', !completed),
      cond('Initialized', initialized || completed, 'ContainersNotInitialized'),
      cond('Ready', allReady, notReady),
      cond('ContainersReady', allReady, notReady),
      cond('PodScheduled', true),
    ],
    hostIP: '10.0.0.10',
    hostIPs: [{ ip: '10.0.0.10' }],
    podIP: rt.ip,
    podIPs: [{ ip: rt.ip }],
    startTime: stamp(new Date(rt.startTime)),
    ...(rt.init.length ? { initContainerStatuses: rt.init.map((c) => containerStatus(pod, c, now, timing, initialized)) } : {}),
    containerStatuses: statuses,
    qosClass: old.qosClass ?? 'BestEffort',
  };
}
