// Deployment and ReplicaSet controllers: template hash → ReplicaSet, rolling update (maxSurge /
// maxUnavailable) or Recreate, revision annotations, and the status `kubectl rollout status` reads.
import { condition, controllerName, createPod, deletePod, isActive, isReady, listAll, ownedBy, ownerRef, setStatus, type Kit } from './controller-kit.ts';
import { fenceposts, newReplicas, oldReplicas, templateHash } from './rollout.ts';
import { fromLabelSelector, matches } from './selectors.ts';
import { clone, deepEqual, type KObject, type Obj } from './types.ts';

const REVISION = 'deployment.kubernetes.io/revision';

export function syncReplicaSets(kit: Kit): void {
  const pods = listAll(kit, 'v1', 'Pod');
  const rsInfo = kit.info('apps/v1', 'ReplicaSet');
  for (const rs of listAll(kit, 'apps/v1', 'ReplicaSet')) {
    if (rs.metadata.deletionTimestamp) continue; // being deleted: its controller stops
    const mine = ownedBy(pods, rs).filter((p) => p.metadata.namespace === rs.metadata.namespace);
    const active = mine.filter(isActive);
    const want = Number(rs.spec?.replicas ?? 1);
    const source = { component: controllerName('ReplicaSet') };
    if (active.length < want) {
      for (let i = active.length; i < want; i++) {
        const pod = createPod(kit, rs, rs.spec.template, { generateName: `${rs.metadata.name}-` });
        if (pod) kit.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, source);
      }
    } else if (active.length > want) {
      const victims = [...active].sort(
        (a, b) => Number(isReady(a)) - Number(isReady(b)) || String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
      );
      for (const pod of victims.slice(0, active.length - want)) {
        deletePod(kit, pod);
        kit.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, source);
      }
    }
    const now = ownedBy(listAll(kit, 'v1', 'Pod'), rs).filter(isActive);
    const ready = now.filter(isReady).length;
    const sel = fromLabelSelector(rs.spec?.selector);
    setStatus(kit, rsInfo, rs, {
      replicas: now.length,
      fullyLabeledReplicas: now.filter((p) => matches(sel, p.metadata.labels ?? {})).length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    });
  }
}

function newRsFor(kit: Kit, d: KObject, hash: string, revision: number, replicas: number): KObject | undefined {
  const template = clone(d.spec.template);
  template.metadata ??= {};
  template.metadata.labels = { ...(template.metadata.labels ?? {}), 'pod-template-hash': hash };
  const selector = clone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: template.metadata.labels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas),
        'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + 1),
        [REVISION]: String(revision),
      },
      ownerReferences: [ownerRef(d)],
    },
    spec: { replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  try {
    return kit.api.create(kit.info('apps/v1', 'ReplicaSet'), d.metadata.namespace, rs);
  } catch {
    return undefined;
  }
}

function scale(kit: Kit, d: KObject, rs: KObject, replicas: number): void {
  const from = Number(rs.spec?.replicas ?? 0);
  if (from === replicas) return;
  const next = clone(rs);
  next.spec.replicas = replicas;
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas) };
  kit.api.writeObject(kit.info('apps/v1', 'ReplicaSet'), next);
  kit.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`, {
    component: controllerName('Deployment'),
  });
}

export function syncDeployments(kit: Kit): void {
  const dInfo = kit.info('apps/v1', 'Deployment');
  const allRs = listAll(kit, 'apps/v1', 'ReplicaSet');
  for (const d of listAll(kit, 'apps/v1', 'Deployment')) {
    if (d.metadata.deletionTimestamp) continue; // being deleted: its controller stops
    const owned = ownedBy(allRs, d).sort(
      (a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)) || a.metadata.name.localeCompare(b.metadata.name),
    );
    const hash = templateHash(d.spec.template);
    let newRs = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
    const olds = owned.filter((rs) => rs !== newRs);
    const desired = Number(d.spec.replicas ?? 1);
    const strategy: Obj = d.spec.strategy ?? {};
    const { surge, unavailable } = fenceposts(desired, strategy.rollingUpdate?.maxSurge, strategy.rollingUpdate?.maxUnavailable);
    const maxRevision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    const paused = d.spec.paused === true;
    if (!newRs && !paused) {
      const oldTotal = olds.reduce((n, rs) => n + Number(rs.spec.replicas ?? 0), 0);
      const initial =
        strategy.type === 'Recreate' ? (oldTotal === 0 ? desired : 0) : oldTotal === 0 ? desired : Math.max(0, Math.min(desired, desired + surge - oldTotal));
      newRs = newRsFor(kit, d, hash, maxRevision + 1, initial);
      if (newRs && initial > 0)
        kit.events.record(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${newRs.metadata.name} from 0 to ${initial}`, {
          component: controllerName('Deployment'),
        });
    } else if (newRs && !paused) {
      const view = (rs: KObject): { name: string; replicas: number; available: number } => ({
        name: rs.metadata.name,
        replicas: Number(rs.spec.replicas ?? 0),
        available: Number(rs.status?.availableReplicas ?? 0),
      });
      if (Number(newRs.metadata.annotations?.[REVISION] ?? 0) < maxRevision && olds.length > 0) {
        const next = clone(newRs);
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: String(maxRevision + 1) };
        kit.api.writeObject(kit.info('apps/v1', 'ReplicaSet'), next);
      }
      if (strategy.type === 'Recreate') {
        const oldActive = olds.some((rs) => Number(rs.spec.replicas ?? 0) > 0 || Number(rs.status?.replicas ?? 0) > 0);
        for (const rs of olds) scale(kit, d, rs, 0);
        if (!oldActive) scale(kit, d, newRs, desired);
      } else {
        const target = newReplicas(desired, surge, view(newRs), owned.map(view));
        if (target !== Number(newRs.spec.replicas ?? 0)) scale(kit, d, newRs, target);
        else {
          const plan = oldReplicas(desired, unavailable, view(newRs), olds.map(view));
          for (const rs of olds) scale(kit, d, rs, plan.get(rs.metadata.name) ?? 0);
        }
      }
    }
    writeDeploymentStatus(kit, dInfo, d, newRs, olds, desired, unavailable);
    pruneHistory(kit, d, olds);
  }
}

function writeDeploymentStatus(
  kit: Kit,
  dInfo: ReturnType<Kit['info']>,
  d: KObject,
  newRsIn: KObject | undefined,
  oldsIn: KObject[],
  desired: number,
  unavailable: number,
): void {
  const fresh = (rs: KObject): KObject => kit.api.find(kit.info('apps/v1', 'ReplicaSet'), rs.metadata.namespace, rs.metadata.name) ?? rs;
  const newRs = newRsIn ? fresh(newRsIn) : undefined;
  const all = [...oldsIn.map(fresh), ...(newRs ? [newRs] : [])];
  const sum = (f: (rs: KObject) => number): number => all.reduce((n, rs) => n + f(rs), 0);
  const replicas = sum((rs) => Number(rs.status?.replicas ?? 0));
  const available = sum((rs) => Number(rs.status?.availableReplicas ?? 0));
  const ready = sum((rs) => Number(rs.status?.readyReplicas ?? 0));
  const updated = Number(newRs?.status?.replicas ?? 0);
  const now = kit.now();
  const old: Obj[] = d.status?.conditions ?? [];
  const complete = updated === desired && replicas === desired && available === desired;
  const conditions = [
    available >= desired - unavailable
      ? condition(old, 'Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now, true)
      : condition(old, 'Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now, true),
    progressing(d, newRs?.metadata.name ?? d.metadata.name, complete, { replicas, updated, available, ready }, now),
  ];
  const status: Obj = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
    ...(desired - available > 0 ? { unavailableReplicas: desired - available } : {}),
    conditions,
  };
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
  if (!deepEqual(stripTimes(d.status), stripTimes(status))) setStatus(kit, dInfo, d, status);
  const revision = newRs?.metadata.annotations?.[REVISION];
  if (revision && d.metadata.annotations?.[REVISION] !== revision) {
    const next = clone(d);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: revision };
    kit.api.writeObject(dInfo, next);
  }
}

/**
 * The Progressing condition: NewReplicaSetAvailable when complete; ReplicaSetUpdated, refreshed
 * whenever the counts move; ProgressDeadlineExceeded once they stood still longer than
 * spec.progressDeadlineSeconds (what `kubectl rollout status` reports as a failed rollout).
 */
function progressing(d: KObject, rsName: string, complete: boolean, counts: Record<string, number>, now: number): Obj {
  const old: Obj[] = d.status?.conditions ?? [];
  const prev = old.find((c) => c.type === 'Progressing');
  if (complete) return condition(old, 'Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, now, true);
  const s: Obj = d.status ?? {};
  const moved =
    (s.observedGeneration ?? 0) !== (d.metadata.generation ?? 1) ||
    counts.replicas !== (s.replicas ?? 0) ||
    counts.updated !== (s.updatedReplicas ?? 0) ||
    counts.available !== (s.availableReplicas ?? 0) ||
    counts.ready !== (s.readyReplicas ?? 0);
  const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (moved || !prev || prev.reason === 'NewReplicaSetAvailable') {
    return { ...condition(old, 'Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, now, true), lastUpdateTime: stamp };
  }
  const deadline = Number(d.spec.progressDeadlineSeconds ?? 600) * 1000;
  if (prev.reason === 'ReplicaSetUpdated' && now - Date.parse(prev.lastUpdateTime) > deadline) {
    return condition(old, 'Progressing', false, 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`, now, true);
  }
  return prev;
}

function stripTimes(status: Obj | undefined): unknown {
  if (!status) return status;
  return { ...status, conditions: (status.conditions ?? []).map((c: Obj) => ({ ...c, lastUpdateTime: undefined, lastTransitionTime: undefined })) };
}

function pruneHistory(kit: Kit, d: KObject, olds: KObject[]): void {
  const limit = Number(d.spec.revisionHistoryLimit ?? 10);
  const idle = olds.filter((rs) => Number(rs.spec.replicas ?? 0) === 0 && Number(rs.status?.replicas ?? 0) === 0);
  for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
    try {
      kit.api.remove(kit.info('apps/v1', 'ReplicaSet'), rs.metadata.namespace, rs.metadata.name);
    } catch {
      // already gone
    }
  }
}

export { deletePod };
