// Deletion (part of the API semantics): graceful pod deletion, finalizers (an object with
// finalizers only gets a deletionTimestamp; it goes when the last one is removed), Namespaces
// going Terminating (termination.ts empties them), propagation through ownerReferences —
// Background (dependents deleted at once), Foreground (the owner waits with the
// `foregroundDeletion` finalizer until its dependents are gone), Orphan — and `dryRun=All`.
import type { Api, DeleteOptions } from './api.ts';
import { storageKey, type ResourceInfo } from './resources.ts';
import { stamp } from './store.ts';
import { ApiError, clone, notFound, type KObject, type Obj } from './types.ts';

export const FOREGROUND = 'foregroundDeletion';

export function removeObject(
  api: Api,
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions = {},
): { object: KObject; immediate: boolean } {
  const key = storageKey(info);
  const ns = info.namespaced ? namespace : undefined;
  const current = api.store.peek(key, ns, name);
  if (!current) throw notFound(info.plural, name, info.group);
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== current.metadata.uid)
    throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
    throw new ApiError(
      409,
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  const policy = options.propagationPolicy ?? 'Background';
  const now = api.store.now();
  const marked = (extra: Obj = {}): KObject => {
    const next = clone(current);
    next.metadata.deletionTimestamp ??= stamp(now);
    next.metadata.deletionGracePeriodSeconds ??= 0;
    Object.assign(next.metadata, extra);
    return next;
  };
  const runningPod = info.kind === 'Pod' && current.spec?.nodeName && current.status?.phase !== 'Succeeded' && current.status?.phase !== 'Failed';
  if (current.metadata.deletionTimestamp && !(runningPod && options.gracePeriodSeconds === 0))
    return { object: api.out(info, clone(current)), immediate: false };
  if (runningPod && options.gracePeriodSeconds !== 0) {
    const grace = options.gracePeriodSeconds ?? current.spec.terminationGracePeriodSeconds ?? 30;
    const next = marked({ deletionTimestamp: stamp(new Date(now.getTime() + grace * 1000)), deletionGracePeriodSeconds: grace });
    if (options.dryRun) return { object: api.out(info, next), immediate: false };
    return { object: api.out(info, api.store.update(key, next)), immediate: false };
  }
  if (info.kind === 'Namespace') {
    const next = clone(current);
    next.metadata.deletionTimestamp = stamp(now);
    next.status = { ...next.status, phase: 'Terminating' };
    if (options.dryRun) return { object: api.out(info, next), immediate: false };
    return { object: api.out(info, api.store.update(key, next)), immediate: false };
  }
  const finalizers: string[] = [...(current.metadata.finalizers ?? [])];
  if (policy === 'Foreground' && dependentsOf(api, current.metadata.uid).length > 0 && !finalizers.includes(FOREGROUND)) finalizers.push(FOREGROUND);
  if (options.dryRun) return { object: api.out(info, finalizers.length ? marked({ finalizers }) : clone(current)), immediate: finalizers.length === 0 };
  if (policy === 'Orphan') orphan(api, current.metadata.uid);
  if (finalizers.length > 0) {
    const saved = api.store.update(key, marked({ finalizers }));
    if (finalizers.includes(FOREGROUND)) for (const dep of dependentsOf(api, current.metadata.uid)) deleteDependent(api, dep, 'Foreground');
    return { object: api.out(info, saved), immediate: false };
  }
  if (info.kind === 'CustomResourceDefinition') dropCrd(api, current);
  const gone = api.store.remove(key, ns, name) as KObject;
  if (policy !== 'Orphan')
    for (const dep of dependentsOf(api, current.metadata.uid)) if (!ownedElsewhere(api, dep, current.metadata.uid)) deleteDependent(api, dep, 'Background');
  return { object: api.out(info, gone), immediate: true };
}

/** After an update: an object being deleted whose last finalizer went is removed now (pods and namespaces have their own). */
export function finishDeletion(api: Api, info: ResourceInfo, obj: KObject): void {
  if (!obj.metadata.deletionTimestamp || (obj.metadata.finalizers ?? []).length > 0 || info.kind === 'Pod' || info.kind === 'Namespace') return;
  if (!api.store.peek(storageKey(info), obj.metadata.namespace, obj.metadata.name)) return;
  if (info.kind === 'CustomResourceDefinition') dropCrd(api, obj);
  api.store.remove(storageKey(info), obj.metadata.namespace, obj.metadata.name);
  for (const dep of dependentsOf(api, obj.metadata.uid)) if (!ownedElsewhere(api, dep, obj.metadata.uid)) deleteDependent(api, dep, 'Background');
}

function dropCrd(api: Api, crd: KObject): void {
  const group = String(crd.spec?.group);
  const plural = String(crd.spec?.names?.plural);
  const key = `${group}/${plural}`;
  for (const obj of api.store.list(key, undefined, true)) api.store.remove(key, obj.metadata.namespace, obj.metadata.name);
  api.registry.removeCustom(group, plural);
}

export interface Dependent {
  info: ResourceInfo;
  obj: KObject;
}

/** Objects with an ownerReference to `uid`. */
export function dependentsOf(api: Api, uid: string): Dependent[] {
  const out: Dependent[] = [];
  const seen = new Set<string>();
  for (const info of api.registry.all()) {
    const key = storageKey(info);
    if (info.review || seen.has(key)) continue;
    seen.add(key);
    for (const obj of api.store.scan(key)) if ((obj.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === uid)) out.push({ info, obj });
  }
  return out;
}

function exists(api: Api, uid: string): boolean {
  for (const key of api.store.keys()) for (const obj of api.store.scan(key)) if (obj.metadata.uid === uid) return true;
  return false;
}

/** True when the dependent has another owner that still exists (the GC keeps it then). */
function ownedElsewhere(api: Api, dep: Dependent, goneUid: string): boolean {
  return (dep.obj.metadata.ownerReferences ?? []).some((r: Obj) => r.uid !== goneUid && exists(api, r.uid));
}

export function deleteDependent(api: Api, dep: Dependent, policy: 'Background' | 'Foreground'): void {
  if (dep.obj.metadata.deletionTimestamp) return;
  try {
    removeObject(api, dep.info, dep.obj.metadata.namespace, dep.obj.metadata.name, { propagationPolicy: policy });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) throw error;
  }
}

function orphan(api: Api, uid: string): void {
  for (const dep of dependentsOf(api, uid)) {
    const next = clone(dep.obj);
    next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r: Obj) => r.uid !== uid);
    if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
    api.store.update(storageKey(dep.info), next);
  }
}
