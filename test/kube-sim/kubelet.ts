// The kubelet of the sim's one node: schedules pods onto it, checks images, runs init containers
// in order, starts containers, makes them ready, crashes/exits them as their annotations say
// (with CrashLoopBackOff), finishes graceful deletions, and writes pod status and events.
// One `tick(now)` advances everything.
import type { Api } from './api.ts';
import { crashBackoff, planContainer } from './behavior.ts';
import type { EventRecorder } from './events.ts';
import type { ImageStore } from './images.ts';
import type { Instance } from './logs.ts';
import { initFailed, initSucceeded, podStatus, type ContainerRuntime, type KubeletTiming, type PodRuntime } from './pod-status.ts';
import { storageKey, type ResourceInfo } from './resources.ts';
import { deepEqual, type KObject, type Obj } from './types.ts';

export type { KubeletTiming } from './pod-status.ts';

const MAX_INSTANCES = 5;

function runtimeOf(spec: Obj, init: boolean, now: number): ContainerRuntime {
  return {
    name: spec.name,
    image: spec.image,
    init,
    state: 'waiting',
    reason: init ? 'PodInitializing' : 'ContainerCreating',
    restartCount: 0,
    startedAt: 0,
    nextStartAt: now,
    nextPullAt: now,
    pullAttempts: 0,
    everStarted: false,
    restartPending: false,
    instances: [],
  };
}

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
    const rt = this.#pods.get(uid);
    const c = [...(rt?.containers ?? []), ...(rt?.init ?? [])].find((x) => x.name === container);
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

  #event(pod: KObject, type: 'Normal' | 'Warning', reason: string, message: string, c?: ContainerRuntime): void {
    const fieldPath = c ? `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}` : undefined;
    this.#events.record(pod, type, reason, message, { component: 'kubelet', host: this.nodeName }, fieldPath);
  }

  #sync(podIn: KObject, now: number): void {
    let pod = podIn;
    if (!pod.spec?.nodeName) {
      const next = structuredClone(pod);
      next.spec.nodeName = this.nodeName;
      pod = this.#api.store.update(storageKey(this.#pod), next);
      this.#events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${this.nodeName}`, {
        component: 'default-scheduler',
      });
    }
    let rt = this.#pods.get(pod.metadata.uid);
    if (!rt) {
      rt = {
        uid: pod.metadata.uid,
        ip: `10.42.0.${this.#nextIp++ % 250 || 250}`,
        startTime: now,
        init: ((pod.spec?.initContainers ?? []) as Obj[]).map((c) => runtimeOf(c, true, now)),
        containers: ((pod.spec?.containers ?? []) as Obj[]).map((c) => runtimeOf(c, false, now)),
      };
      this.#pods.set(pod.metadata.uid, rt);
    }
    if (pod.metadata.deletionTimestamp) return this.#terminate(pod, rt, now);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const pending = rt.init.find((c) => !initSucceeded(c));
    if (pending) {
      if (!initFailed(pending)) this.#step(pod, pending, now);
    } else for (const c of rt.containers) this.#step(pod, c, now);
    this.#writeStatus(pod, rt, now);
  }

  #terminate(pod: KObject, rt: PodRuntime, now: number): void {
    if (rt.killingSince === undefined) {
      rt.killingSince = now;
      for (const c of rt.containers) if (c.state === 'running') this.#event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, c);
    }
    for (const c of [...rt.init, ...rt.containers]) {
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
  }

  /** Advances one container: pull/start when due, stop when its behaviour says so. */
  #step(pod: KObject, c: ContainerRuntime, now: number): void {
    const policy = pod.spec?.restartPolicy ?? 'Always';
    const plan = planContainer(pod, c.name, this.#timing, c.init);
    const specs: Obj[] = (c.init ? pod.spec?.initContainers : pod.spec?.containers) ?? [];
    const pullPolicy = specs.find((x) => x.name === c.name)?.imagePullPolicy ?? 'IfNotPresent';
    if ((c.state === 'waiting' || (c.state === 'terminated' && c.restartPending)) && now >= c.nextStartAt) {
      if (!this.#images.has(c.image)) {
        if (now >= c.nextPullAt) this.#pullFailed(pod, c, pullPolicy, now);
        return;
      }
      if (!c.everStarted || c.pullAttempts > 0) this.#event(pod, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c);
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
      this.#event(pod, 'Normal', 'Created', `Created container: ${c.name}`, c);
      this.#event(pod, 'Normal', 'Started', `Started container ${c.name}`, c);
    }
    if (c.state === 'running' && plan.behavior.kind === 'exit' && now - c.startedAt >= plan.runMs) {
      const code = plan.behavior.code;
      const restart = c.init ? code !== 0 && policy !== 'Never' : policy === 'Always' || (policy === 'OnFailure' && code !== 0);
      this.#stop(c, now, code, plan.behavior.reason);
      if (!restart) return;
      c.restartPending = true;
      const delay = crashBackoff(c.restartCount, this.#timing.backoffBaseMs, this.#timing.backoffMaxMs);
      c.nextStartAt = now + delay;
      if (delay > 0) {
        c.state = 'waiting';
        c.reason = 'CrashLoopBackOff';
        c.message = `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
        this.#event(
          pod,
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          c,
        );
      }
    }
  }

  #pullFailed(pod: KObject, c: ContainerRuntime, pullPolicy: string, now: number): void {
    c.pullAttempts++;
    c.nextPullAt = now + crashBackoff(c.pullAttempts, this.#timing.backoffBaseMs, this.#timing.backoffMaxMs);
    if (pullPolicy === 'Never') {
      c.reason = 'ErrImageNeverPull';
      c.message = `Container image "${c.image}" is not present with pull policy of Never`;
      this.#event(pod, 'Warning', 'ErrImageNeverPull', c.message, c);
      this.#event(pod, 'Warning', 'Failed', 'Error: ErrImageNeverPull', c);
      return;
    }
    this.#event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`, c);
    const cause = `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": dial tcp: lookup registry: no such host (air-gapped)`;
    this.#event(pod, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${cause}`, c);
    if (c.reason === 'ErrImagePull' || c.reason === 'ImagePullBackOff') {
      c.reason = 'ImagePullBackOff';
      c.message = `Back-off pulling image "${c.image}"`;
      this.#event(pod, 'Normal', 'BackOff', c.message, c);
      this.#event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', c);
    } else {
      c.reason = 'ErrImagePull';
      c.message = cause;
      this.#event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', c);
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

  #writeStatus(pod: KObject, rt: PodRuntime, now: number): void {
    const status = podStatus(pod, rt, now, this.#timing);
    if (!deepEqual(pod.status ?? {}, status)) this.#api.writeStatus(this.#pod, pod, status);
  }
}
