// The kubelet of the sim's one node: schedules pods onto it, checks images, starts containers,
// makes them ready, crashes/exits them as their annotations say (with CrashLoopBackOff), finishes
// graceful deletions, and writes pod status and events. One `tick(now)` advances everything.
import type { Api } from './api.ts';
import { crashBackoff, planContainer } from './behavior.ts';
import type { EventRecorder } from './events.ts';
import type { ImageStore } from './images.ts';
import type { Instance } from './logs.ts';
import { storageKey, type ResourceInfo } from './resources.ts';
import { stamp } from './store.ts';
import { deepEqual, type KObject, type Obj } from './types.ts';

export interface KubeletTiming {
  readyAfterMs: number;
  runMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  terminationMs: number;
}

interface ContainerRuntime {
  name: string;
  image: string;
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

interface PodRuntime {
  uid: string;
  ip: string;
  startTime: number;
  containers: ContainerRuntime[];
  killingSince?: number;
}

const MAX_INSTANCES = 5;

export class Kubelet {
  readonly nodeName: string;
  #api: Api;
  #events: EventRecorder;
  #images: ImageStore;
  #timing: KubeletTiming;
  #pods = new Map<string, PodRuntime>();
  #nextIp = 2;
  #pod: ResourceInfo;

  constructor(api: Api, events: EventRecorder, images: ImageStore, timing: KubeletTiming, nodeName: string) {
    this.#api = api;
    this.#events = events;
    this.#images = images;
    this.#timing = timing;
    this.nodeName = nodeName;
    this.#pod = api.info('v1', 'Pod');
  }

  /** Log instances of a container (oldest first), for pods/log. */
  instances(uid: string, container: string): { instances: Instance[]; image: string; state: string; reason: string } | undefined {
    const c = this.#pods.get(uid)?.containers.find((x) => x.name === container);
    return c ? { instances: c.instances, image: c.image, state: c.state, reason: c.reason } : undefined;
  }

  tick(now: number): void {
    const key = storageKey(this.#pod);
    const live = new Set<string>();
    for (const pod of this.#api.store.list(key, undefined, true)) {
      live.add(pod.metadata.uid);
      if (pod.spec?.nodeName && pod.spec.nodeName !== this.nodeName) continue;
      this.#sync(pod, now);
    }
    for (const uid of this.#pods.keys()) if (!live.has(uid)) this.#pods.delete(uid);
  }

  #event(pod: KObject, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): void {
    this.#events.record(pod, type, reason, message, { component: 'kubelet', host: this.nodeName }, container ? `spec.containers{${container}}` : undefined);
  }

  #sync(podIn: KObject, now: number): void {
    let pod = podIn;
    if (!pod.spec?.nodeName) {
      const next = structuredClone(pod);
      next.spec.nodeName = this.nodeName;
      pod = this.#api.store.update(storageKey(this.#pod), next);
      this.#events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${this.nodeName}`, { component: 'default-scheduler' });
    }
    let rt = this.#pods.get(pod.metadata.uid);
    if (!rt) {
      const specContainers: Obj[] = pod.spec?.containers ?? [];
      rt = {
        uid: pod.metadata.uid,
        ip: `10.42.0.${this.#nextIp++ % 250 || 250}`,
        startTime: now,
        containers: specContainers.map((c) => ({ name: c.name, image: c.image, state: 'waiting', reason: 'ContainerCreating', restartCount: 0, startedAt: 0, nextStartAt: now, nextPullAt: now, pullAttempts: 0, everStarted: false, restartPending: false, instances: [] })),
      };
      this.#pods.set(pod.metadata.uid, rt);
    }
    if (pod.metadata.deletionTimestamp) {
      if (rt.killingSince === undefined) {
        rt.killingSince = now;
        for (const c of rt.containers) if (c.state === 'running') this.#event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, c.name);
      }
      for (const c of rt.containers) {
        if (c.state === 'running') {
          this.#stop(c, now, 0, 'Completed');
          const inst = c.instances[c.instances.length - 1];
          if (inst) inst.killed = true;
        }
        c.restartPending = false;
      }
      if (now - rt.killingSince >= this.#timing.terminationMs) {
        this.#api.store.remove(storageKey(this.#pod), pod.metadata.namespace, pod.metadata.name);
        this.#pods.delete(rt.uid);
        return;
      }
      this.#writeStatus(pod, rt, now);
      return;
    }
    const policy = pod.spec?.restartPolicy ?? 'Always';
    for (const c of rt.containers) {
      const plan = planContainer(pod, c.name, this.#timing);
      const pullPolicy = (pod.spec?.containers ?? []).find((x: Obj) => x.name === c.name)?.imagePullPolicy ?? 'IfNotPresent';
      if ((c.state === 'waiting' || (c.state === 'terminated' && c.restartPending)) && now >= c.nextStartAt) {
        if (!this.#images.has(c.image)) {
          if (now >= c.nextPullAt) this.#pullFailed(pod, c, pullPolicy, now);
          continue;
        }
        if (!c.everStarted || c.pullAttempts > 0) this.#event(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c.name);
        c.pullAttempts = 0;
        c.restartPending = false;
        if (c.everStarted) c.restartCount++;
        c.state = 'running';
        c.reason = '';
        delete c.message;
        c.startedAt = now;
        c.everStarted = true;
        c.instances.push({ index: c.restartCount, start: now });
        if (c.instances.length > MAX_INSTANCES) c.instances.shift();
        this.#event(pod, 'Normal', 'Created', `Created container: ${c.name}`, c.name);
        this.#event(pod, 'Normal', 'Started', `Started container ${c.name}`, c.name);
      }
      if (c.state === 'running' && plan.behavior.kind === 'exit' && now - c.startedAt >= plan.runMs) {
        const restart = policy === 'Always' || (policy === 'OnFailure' && plan.behavior.code !== 0);
        this.#stop(c, now, plan.behavior.code, plan.behavior.reason);
        if (restart) {
          c.restartPending = true;
          const delay = crashBackoff(c.restartCount, this.#timing.backoffBaseMs, this.#timing.backoffMaxMs);
          c.nextStartAt = now + delay;
          if (delay > 0) {
            c.state = 'waiting';
            c.reason = 'CrashLoopBackOff';
            c.message = `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
            this.#event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, c.name);
          }
        }
      }
    }
    this.#writeStatus(pod, rt, now);
  }

  #pullFailed(pod: KObject, c: ContainerRuntime, pullPolicy: string, now: number): void {
    c.pullAttempts++;
    c.nextPullAt = now + crashBackoff(c.pullAttempts, this.#timing.backoffBaseMs, this.#timing.backoffMaxMs);
    if (pullPolicy === 'Never') {
      c.reason = 'ErrImageNeverPull';
      c.message = `Container image "${c.image}" is not present with pull policy of Never`;
      this.#event(pod, 'Warning', 'ErrImageNeverPull', c.message, c.name);
      this.#event(pod, 'Warning', 'Failed', 'Error: ErrImageNeverPull', c.name);
      return;
    }
    this.#event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, c.name);
    const cause = `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": dial tcp: lookup registry: no such host (air-gapped)`;
    this.#event(pod, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${cause}`, c.name);
    if (c.reason === 'ErrImagePull' || c.reason === 'ImagePullBackOff') {
      c.reason = 'ImagePullBackOff';
      c.message = `Back-off pulling image "${c.image}"`;
      this.#event(pod, 'Normal', 'BackOff', c.message, c.name);
      this.#event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', c.name);
    } else {
      c.reason = 'ErrImagePull';
      c.message = cause;
      this.#event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', c.name);
    }
  }

  #stop(c: ContainerRuntime, now: number, code: number, reason: string): void {
    if (c.state !== 'running') return;
    const inst = c.instances[c.instances.length - 1];
    if (inst) Object.assign(inst, { end: now, exitCode: code, reason });
    c.last = { exitCode: code, reason, startedAt: c.startedAt, finishedAt: now };
    c.state = 'terminated';
    c.reason = reason;
    c.exitCode = code;
    c.finishedAt = now;
  }

  #containerStatus(pod: KObject, c: ContainerRuntime, now: number): Obj {
    const plan = planContainer(pod, c.name, this.#timing);
    const ready = c.state === 'running' && plan.behavior.kind !== 'never-ready' && now - c.startedAt >= plan.readyAfterMs && !pod.metadata.deletionTimestamp;
    let state: Obj;
    if (c.state === 'running') state = { running: { startedAt: stamp(new Date(c.startedAt)) } };
    else if (c.state === 'terminated') state = { terminated: { exitCode: c.exitCode ?? 0, reason: c.reason, startedAt: stamp(new Date(c.startedAt)), finishedAt: stamp(new Date(c.finishedAt ?? now)), containerID: this.#cid(pod, c) } };
    else state = { waiting: { reason: c.reason || 'ContainerCreating', ...(c.message ? { message: c.message } : {}) } };
    const lastTerminated = c.state === 'terminated' ? undefined : c.last;
    return {
      name: c.name,
      state,
      lastState: lastTerminated ? { terminated: { exitCode: lastTerminated.exitCode, reason: lastTerminated.reason, startedAt: stamp(new Date(lastTerminated.startedAt)), finishedAt: stamp(new Date(lastTerminated.finishedAt)), containerID: this.#cid(pod, c, -1) } } : {},
      ready,
      restartCount: c.restartCount,
      image: c.image,
      imageID: c.everStarted ? `${c.image.split(':')[0]}@sha256:${this.#hex(c.image, 64)}` : '',
      ...(c.everStarted ? { containerID: this.#cid(pod, c) } : {}),
      started: c.state === 'running',
    };
  }

  #hex(seed: string, len: number): string {
    let out = '';
    let h = 2166136261;
    while (out.length < len) {
      for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
      out += h.toString(16).padStart(8, '0');
      seed += out.length;
    }
    return out.slice(0, len);
  }

  #cid(pod: KObject, c: ContainerRuntime, delta = 0): string {
    return `containerd://${this.#hex(`${pod.metadata.uid}/${c.name}/${c.restartCount + delta}`, 64)}`;
  }

  #writeStatus(pod: KObject, rt: PodRuntime, now: number): void {
    const statuses = rt.containers.map((c) => this.#containerStatus(pod, c, now));
    const policy = pod.spec?.restartPolicy ?? 'Always';
    const allReady = statuses.length > 0 && statuses.every((s) => s.ready);
    const anyRunning = rt.containers.some((c) => c.state === 'running');
    const allDone = rt.containers.every((c) => c.state === 'terminated');
    const allStartedOnce = rt.containers.every((c) => c.everStarted);
    let phase = 'Pending';
    if (allDone && policy !== 'Always') phase = rt.containers.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
    else if (allStartedOnce || anyRunning) phase = 'Running';
    const old: Obj = pod.status ?? {};
    const cond = (type: string, value: boolean, reason?: string): Obj => {
      const prev = (old.conditions ?? []).find((x: Obj) => x.type === type);
      const status = value ? 'True' : 'False';
      const changed = !prev || prev.status !== status;
      return { type, status, lastProbeTime: null, lastTransitionTime: changed ? stamp(new Date(now)) : prev.lastTransitionTime, ...(reason && !value ? { reason } : {}) };
    };
    const completed = phase === 'Succeeded' || phase === 'Failed';
    const conditions = [
      cond('PodReadyToStartContainers', !completed),
      cond('Initialized', true),
      cond('Ready', allReady, completed ? 'PodCompleted' : 'ContainersNotReady'),
      cond('ContainersReady', allReady, completed ? 'PodCompleted' : 'ContainersNotReady'),
      cond('PodScheduled', true),
    ];
    const status: Obj = {
      phase,
      conditions,
      hostIP: '10.0.0.10',
      hostIPs: [{ ip: '10.0.0.10' }],
      podIP: rt.ip,
      podIPs: [{ ip: rt.ip }],
      startTime: stamp(new Date(rt.startTime)),
      containerStatuses: statuses,
      qosClass: old.qosClass ?? 'BestEffort',
    };
    if (!deepEqual(old, status)) this.#api.writeStatus(this.#pod, pod, status);
  }
}
