// Deletion (part of the API semantics): graceful pod deletion, namespace and CRD teardown, and
// synchronous garbage collection through ownerReferences (Background/Foreground/Orphan).
import type { Api, DeleteOptions } from './api.ts';
import { storageKey, type ResourceInfo } from './resources.ts';
import { stamp } from './store.ts';
import { ApiError, clone, notFound, type KObject, type Obj } from './types.ts';

export function removeObject(api: Api, info: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions = {}): { object: KObject; immediate: boolean } {
  const key = storageKey(info);
  const ns = info.namespaced ? namespace : undefined;
  const current = api.store.peek(key, ns, name);
  if (!current) throw notFound(info.plural, name, info.group);
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== current.metadata.uid) throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) throw new ApiError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
  const policy = options.propagationPolicy ?? 'Background';
  if (info.kind === 'Pod' && options.gracePeriodSeconds !== 0 && current.spec?.nodeName && current.status?.phase !== 'Succeeded' && current.status?.phase !== 'Failed') {
    if (current.metadata.deletionTimestamp) return { object: api.out(info, clone(current)), immediate: false };
    const grace = options.gracePeriodSeconds ?? current.spec.terminationGracePeriodSeconds ?? 30;
    const next = clone(current);
    next.metadata.deletionTimestamp = stamp(new Date(api.store.now().getTime() + grace * 1000));
    next.metadata.deletionGracePeriodSeconds = grace;
    return { object: api.out(info, api.store.update(key, next)), immediate: false };
  }
  if (info.kind === 'Namespace') emptyNamespace(api, name);
  if (info.kind === 'CustomResourceDefinition') dropCrd(api, current);
  const gone = api.store.remove(key, ns, name) as KObject;
  collect(api, current.metadata.uid, policy);
  return { object: api.out(info, gone), immediate: true };
}

function emptyNamespace(api: Api, ns: string): void {
  for (const info of api.registry.all()) {
    if (!info.namespaced) continue;
    for (const obj of api.store.list(storageKey(info), ns, true)) api.store.remove(storageKey(info), ns, obj.metadata.name);
  }
}

function dropCrd(api: Api, crd: KObject): void {
  const group = String(crd.spec?.group);
  const plural = String(crd.spec?.names?.plural);
  const key = `${group}/${plural}`;
  for (const obj of api.store.list(key, undefined, true)) api.store.remove(key, obj.metadata.namespace, obj.metadata.name);
  api.registry.removeCustom(group, plural);
}

/** Garbage collection of dependents whose owners are all gone (synchronous here). */
function collect(api: Api, ownerUid: string, policy: string): void {
  for (const key of api.store.keys()) {
    for (const obj of api.store.list(key, undefined, true)) {
      const refs: Obj[] = obj.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === ownerUid)) continue;
      const info = api.registry.all().find((i) => storageKey(i) === key);
      if (!info) continue;
      if (policy === 'Orphan') {
        const next = clone(obj);
        next.metadata.ownerReferences = refs.filter((r) => r.uid !== ownerUid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        api.store.update(key, next);
        continue;
      }
      const remaining = refs.filter((r) => r.uid !== ownerUid && exists(api, r));
      if (remaining.length === 0) removeObject(api, info, obj.metadata.namespace, obj.metadata.name, { propagationPolicy: 'Background' });
    }
  }
}

function exists(api: Api, ref: Obj): boolean {
  for (const key of api.store.keys()) for (const obj of api.store.list(key, undefined, true)) if (obj.metadata.uid === ref.uid) return true;
  return false;
}
