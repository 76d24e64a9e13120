// Shared pieces of the workload controllers: owner references, pods from templates, readiness.
import type { Api } from './api.ts';
import type { EventRecorder } from './events.ts';
import { storageKey, type ResourceInfo } from './resources.ts';
import { stamp } from './store.ts';
import { clone, type KObject, type Obj } from './types.ts';

export interface Kit {
  api: Api;
  events: EventRecorder;
  now: () => number;
  info: (apiVersion: string, kind: string) => ResourceInfo;
}

export function ownerRef(owner: KObject): Obj {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export function ownedBy(objects: KObject[], owner: KObject): KObject[] {
  return objects.filter((o) => (o.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === owner.metadata.uid && r.controller));
}

export function isReady(pod: Obj): boolean {
  return !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

export const isActive = (pod: Obj): boolean => !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

export function createPod(kit: Kit, owner: KObject, template: Obj, name: { generateName?: string; name?: string }, extraLabels: Obj = {}): KObject | undefined {
  const info = kit.info('v1', 'Pod');
  const meta = template.metadata ?? {};
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...name,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...extraLabels },
      ...(meta.annotations ? { annotations: clone(meta.annotations) } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: clone(template.spec ?? {}),
  };
  try {
    return kit.api.create(info, owner.metadata.namespace, pod);
  } catch (error) {
    kit.events.record(owner, 'Warning', 'FailedCreate', `Error creating: ${(error as Error).message}`, { component: controllerName(owner.kind) });
    return undefined;
  }
}

export function deletePod(kit: Kit, pod: KObject): void {
  const info = kit.info('v1', 'Pod');
  try {
    kit.api.remove(info, pod.metadata.namespace, pod.metadata.name);
  } catch {
    // already gone
  }
}

export function controllerName(kind: string): string {
  return (
    {
      ReplicaSet: 'replicaset-controller',
      Deployment: 'deployment-controller',
      StatefulSet: 'statefulset-controller',
      DaemonSet: 'daemonset-controller',
      Job: 'job-controller',
    }[kind] ?? 'controller-manager'
  );
}

export function setStatus(kit: Kit, info: ResourceInfo, obj: KObject, status: Obj): void {
  kit.api.writeStatus(info, obj, status);
}

export function listAll(kit: Kit, apiVersion: string, kind: string): KObject[] {
  return kit.api.store.list(storageKey(kit.info(apiVersion, kind)), undefined, true);
}

/** A condition list with lastTransitionTime kept when the status did not change. */
export function condition(old: Obj[] | undefined, type: string, status: boolean, reason: string, message: string, now: number, withUpdate = false): Obj {
  const prev = (old ?? []).find((c) => c.type === type);
  const s = status ? 'True' : 'False';
  const same = prev && prev.status === s && prev.reason === reason;
  const time = stamp(new Date(now));
  return {
    type,
    status: s,
    ...(withUpdate ? { lastUpdateTime: same ? prev.lastUpdateTime : time } : {}),
    lastTransitionTime: prev && prev.status === s ? prev.lastTransitionTime : time,
    reason,
    message,
  };
}
