// The namespace controller and the garbage collector's foreground pass, run every tick: a
// Terminating namespace has its contents deleted (pods gracefully) and goes once nothing is left
// in it (objects whose finalizers never clear keep it Terminating, as on a real cluster); an
// owner waiting with `foregroundDeletion` loses the finalizer once its dependents are gone.
import type { Kit } from './controller-kit.ts';
import { deleteDependent, dependentsOf, FOREGROUND, removeObject } from './deletion.ts';
import { storageKey, type ResourceInfo } from './resources.ts';
import { stamp } from './store.ts';
import { ApiError, clone, type KObject, type Obj } from './types.ts';

function namespacedResources(kit: Kit): ResourceInfo[] {
  const seen = new Set<string>();
  return kit.api.registry.all().filter((info) => {
    const key = storageKey(info);
    if (!info.namespaced || info.review || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function terminate(kit: Kit, ns: KObject): void {
  const name = ns.metadata.name;
  const remaining = new Map<string, number>();
  let finalizers = 0;
  for (const info of namespacedResources(kit)) {
    const label = info.group ? `${info.plural}.${info.group}` : info.plural;
    for (const obj of kit.api.store.list(storageKey(info), name, true)) {
      remaining.set(label, (remaining.get(label) ?? 0) + 1);
      if (obj.metadata.finalizers?.length) finalizers++;
      if (obj.metadata.deletionTimestamp) continue;
      try {
        removeObject(kit.api, info, name, obj.metadata.name, { propagationPolicy: 'Background' });
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    }
  }
  const nsInfo = kit.info('v1', 'Namespace');
  if (remaining.size === 0) {
    kit.api.store.remove(storageKey(nsInfo), undefined, name);
    return;
  }
  const now = stamp(new Date(kit.now()));
  const c = (type: string, status: boolean, reason: string, message: string): Obj => ({
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: now,
    reason,
    message,
  });
  const what = [...remaining].map(([r, n]) => `${r} has ${n} resource instances`).join(', ');
  const conditions = [
    c('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'),
    c('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    c('NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    c('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${what}`),
    c(
      'NamespaceFinalizersRemaining',
      finalizers > 0,
      finalizers > 0 ? 'SomeFinalizersRemain' : 'ContentHasNoFinalizers',
      finalizers > 0 ? `Some content in the namespace has finalizers remaining: ${finalizers} objects` : 'All content-preserving finalizers finished',
    ),
  ];
  const old: Obj[] = ns.status?.conditions ?? [];
  const kept = conditions.map((x) => ({ ...x, lastTransitionTime: old.find((o) => o.type === x.type && o.status === x.status)?.lastTransitionTime ?? now }));
  kit.api.writeStatus(nsInfo, ns, { ...ns.status, phase: 'Terminating', conditions: kept });
}

/** Owners deleted in the foreground: delete what they still own, drop the finalizer when nothing is left. */
function foreground(kit: Kit): void {
  const seen = new Set<string>();
  for (const info of kit.api.registry.all()) {
    const key = storageKey(info);
    if (info.review || seen.has(key)) continue;
    seen.add(key);
    for (const obj of [...kit.api.store.scan(key)]) {
      if (!obj.metadata.deletionTimestamp || !(obj.metadata.finalizers ?? []).includes(FOREGROUND)) continue;
      const dependents = dependentsOf(kit.api, obj.metadata.uid);
      for (const dep of dependents) deleteDependent(kit.api, dep, 'Foreground');
      if (dependents.length > 0) continue;
      const next = clone(obj);
      next.metadata.finalizers = next.metadata.finalizers.filter((f: string) => f !== FOREGROUND);
      kit.api.replace(info, obj.metadata.namespace, obj.metadata.name, next);
    }
  }
}

export function syncTermination(kit: Kit): void {
  foreground(kit);
  const nsInfo = kit.info('v1', 'Namespace');
  for (const ns of kit.api.store.list(storageKey(nsInfo), undefined, true)) if (ns.metadata.deletionTimestamp) terminate(kit, ns);
}
