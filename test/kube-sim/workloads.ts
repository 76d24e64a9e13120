// StatefulSet (ordered, one pod at a time, highest ordinal updated first), DaemonSet (one pod on
// the one node) and Job controllers.
import { condition, controllerName, createPod, deletePod, isActive, isReady, listAll, ownedBy, setStatus, type Kit } from './controller-kit.ts';
import { templateHash } from './rollout.ts';
import { stamp } from './store.ts';
import { clone, type KObject, type Obj } from './types.ts';

const REV_LABEL = 'controller-revision-hash';

export function syncStatefulSets(kit: Kit): void {
  const info = kit.info('apps/v1', 'StatefulSet');
  const pvcInfo = kit.info('v1', 'PersistentVolumeClaim');
  for (const sts of listAll(kit, 'apps/v1', 'StatefulSet')) {
    if (sts.metadata.deletionTimestamp) continue; // being deleted: its controller stops
    const name = sts.metadata.name;
    const rev = `${name}-${templateHash(sts.spec.template)}`;
    const want = Number(sts.spec.replicas ?? 1);
    const pods = ownedBy(listAll(kit, 'v1', 'Pod'), sts);
    const byOrdinal = new Map<number, KObject>();
    for (const p of pods) byOrdinal.set(Number(p.metadata.name.slice(name.length + 1)), p);
    const ordered = sts.spec.podManagementPolicy !== 'Parallel';
    const source = { component: controllerName('StatefulSet') };
    let blocked = false;
    for (let i = 0; i < want && !blocked; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        for (const claim of sts.spec.volumeClaimTemplates ?? []) ensureClaim(kit, pvcInfo, sts, claim, i);
        const claims = ((sts.spec.volumeClaimTemplates ?? []) as Obj[]).map((c) => ({
          name: c.metadata?.name ?? 'data',
          persistentVolumeClaim: { claimName: `${c.metadata?.name ?? 'data'}-${name}-${i}` },
        }));
        const template = claims.length
          ? { ...sts.spec.template, spec: { ...sts.spec.template.spec, volumes: [...(sts.spec.template.spec?.volumes ?? []), ...claims] } }
          : sts.spec.template;
        const created = createPod(
          kit,
          sts,
          template,
          { name: `${name}-${i}` },
          { [REV_LABEL]: rev, 'apps.kubernetes.io/pod-index': String(i), 'statefulset.kubernetes.io/pod-name': `${name}-${i}` },
        );
        if (created) kit.events.record(sts, 'Normal', 'SuccessfulCreate', `create Pod ${name}-${i} in StatefulSet ${name} successful`, source);
        if (ordered) blocked = true;
      } else if (ordered && !isReady(pod)) blocked = true;
    }
    for (const [i, pod] of [...byOrdinal].sort((a, b) => b[0] - a[0])) {
      if (i < want || pod.metadata.deletionTimestamp) continue;
      deletePod(kit, pod);
      kit.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`, source);
      if (ordered) break;
    }
    const live = pods.filter((p) => !p.metadata.deletionTimestamp && Number(p.metadata.name.slice(name.length + 1)) < want);
    const allReady = live.length === want && live.every(isReady);
    if (allReady && sts.spec.updateStrategy?.type !== 'OnDelete') {
      const partition = Number(sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0);
      const stale = live
        .filter((p) => p.metadata.labels?.[REV_LABEL] !== rev && Number(p.metadata.name.slice(name.length + 1)) >= partition)
        .sort((a, b) => b.metadata.name.localeCompare(a.metadata.name, undefined, { numeric: true }));
      const first = stale[0];
      if (first) {
        deletePod(kit, first);
        kit.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${first.metadata.name} in StatefulSet ${name} successful`, source);
      }
    }
    const updated = live.filter((p) => p.metadata.labels?.[REV_LABEL] === rev);
    const ready = live.filter(isReady).length;
    const current = updated.length === want && allReady ? rev : (sts.status?.currentRevision ?? rev);
    setStatus(kit, info, sts, {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: live.length,
      readyReplicas: ready,
      currentReplicas: current === rev ? updated.length : live.length - updated.length,
      updatedReplicas: updated.length,
      availableReplicas: ready,
      currentRevision: current,
      updateRevision: rev,
      collisionCount: 0,
    });
  }
}

function ensureClaim(kit: Kit, pvcInfo: ReturnType<Kit['info']>, sts: KObject, claim: Obj, ordinal: number): void {
  const name = `${claim.metadata?.name ?? 'data'}-${sts.metadata.name}-${ordinal}`;
  if (kit.api.find(pvcInfo, sts.metadata.namespace, name)) return;
  try {
    // Bound by the volume controller (volumes.ts) once the pod that uses it exists.
    kit.api.create(pvcInfo, sts.metadata.namespace, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: sts.metadata.namespace, labels: clone(sts.spec.selector?.matchLabels ?? {}) },
      spec: { ...clone(claim.spec ?? {}), volumeMode: 'Filesystem' },
    });
  } catch {
    // raced with another tick
  }
}

export function syncDaemonSets(kit: Kit): void {
  const info = kit.info('apps/v1', 'DaemonSet');
  for (const ds of listAll(kit, 'apps/v1', 'DaemonSet')) {
    if (ds.metadata.deletionTimestamp) continue; // being deleted: its controller stops
    const hash = templateHash(ds.spec.template);
    const pods = ownedBy(listAll(kit, 'v1', 'Pod'), ds).filter(isActive);
    const source = { component: controllerName('DaemonSet') };
    const stale = pods.filter((p) => p.metadata.labels?.[REV_LABEL] !== hash);
    const terminating = ownedBy(listAll(kit, 'v1', 'Pod'), ds).some((p) => p.metadata.deletionTimestamp);
    if (pods.length === 0 && !terminating) {
      const pod = createPod(
        kit,
        ds,
        ds.spec.template,
        { generateName: `${ds.metadata.name}-` },
        { [REV_LABEL]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) },
      );
      if (pod) kit.events.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, source);
    } else if (ds.spec.updateStrategy?.type !== 'OnDelete') {
      for (const pod of stale) {
        deletePod(kit, pod);
        kit.events.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`, source);
      }
    }
    for (const extra of pods.slice(1)) deletePod(kit, extra);
    const current = ownedBy(listAll(kit, 'v1', 'Pod'), ds).filter(isActive);
    const ready = current.filter(isReady).length;
    setStatus(kit, info, ds, {
      currentNumberScheduled: Math.min(1, current.length),
      desiredNumberScheduled: 1,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      ...(ready < 1 ? { numberUnavailable: 1 } : {}),
      updatedNumberScheduled: current.filter((p) => p.metadata.labels?.[REV_LABEL] === hash).length,
      observedGeneration: ds.metadata.generation ?? 1,
    });
  }
}

export function syncJobs(kit: Kit): void {
  const info = kit.info('batch/v1', 'Job');
  for (const job of listAll(kit, 'batch/v1', 'Job')) {
    if (job.metadata.deletionTimestamp) continue; // being deleted: its controller stops
    const pods = ownedBy(listAll(kit, 'v1', 'Pod'), job);
    const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const failed =
      pods.filter((p) => p.status?.phase === 'Failed').length +
      pods.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m: number, c: Obj) => m + Number(c.restartCount ?? 0), 0), 0);
    const active = pods.filter(isActive);
    const completions = Number(job.spec.completions ?? 1);
    const old: Obj = job.status ?? {};
    const now = kit.now();
    const done = (old.conditions ?? []).some((c: Obj) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const source = { component: controllerName('Job') };
    const status: Obj = {
      ...clone(old),
      startTime: old.startTime ?? stamp(new Date(now)),
      active: active.length,
      succeeded,
      failed,
      ready: active.filter(isReady).length,
      terminating: 0,
    };
    if (!done && !job.spec.suspend) {
      if (succeeded >= completions) {
        status.completionTime = stamp(new Date(now));
        status.conditions = [
          condition([], 'SuccessCriteriaMet', true, 'CompletionsReached', 'Reached expected number of succeeded pods', now),
          condition([], 'Complete', true, 'CompletionsReached', 'Reached expected number of succeeded pods', now),
        ];
        kit.events.record(job, 'Normal', 'Completed', 'Job completed', source);
        for (const p of active) deletePod(kit, p);
      } else if (failed > Number(job.spec.backoffLimit ?? 6)) {
        status.conditions = [
          condition([], 'FailureTarget', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now),
          condition([], 'Failed', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now),
        ];
        kit.events.record(job, 'Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', source);
        for (const p of active) deletePod(kit, p);
      } else {
        const want = Math.min(Number(job.spec.parallelism ?? 1), completions - succeeded) - active.length;
        for (let i = 0; i < want; i++) {
          const pod = createPod(
            kit,
            job,
            job.spec.template,
            { generateName: `${job.metadata.name}-` },
            {
              'batch.kubernetes.io/job-name': job.metadata.name,
              'job-name': job.metadata.name,
              'batch.kubernetes.io/controller-uid': job.metadata.uid,
              'controller-uid': job.metadata.uid,
            },
          );
          if (pod) kit.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, source);
        }
      }
    }
    if (status.active === 0) delete status.active;
    setStatus(kit, info, job, status);
  }
}
