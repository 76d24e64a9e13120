// Whether a rollout is done, the way `kubectl rollout status` decides it (pure).
import type { WorkloadKind } from '../protocol/cluster.ts';
import type { KObject } from './kube-types.ts';

export interface RolloutProgress {
  done: boolean;
  failed: boolean;
  message: string;
}

const pods = (n: number): string => (n === 1 ? 'pod' : 'pods');

export function rolloutProgress(kind: WorkloadKind, o: KObject, minGeneration = 0): RolloutProgress {
  const generation = Number(o.metadata?.generation ?? 0);
  const observed = Number(o.status?.observedGeneration ?? 0);
  const wait = (message: string): RolloutProgress => ({ done: false, failed: false, message });
  if (observed < Math.max(generation, minGeneration)) return wait('waiting for the controller to see the change');
  const s = o.status ?? {};
  switch (kind) {
    case 'deployment': {
      const conditions = (s.conditions as { type: string; reason?: string; message?: string }[] | undefined) ?? [];
      const stalled = conditions.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
      if (stalled) return { done: false, failed: true, message: stalled.message ?? 'progress deadline exceeded' };
      const want = Number(o.spec?.replicas ?? 1);
      const updated = Number(s.updatedReplicas ?? 0);
      const total = Number(s.replicas ?? 0);
      const available = Number(s.availableReplicas ?? 0);
      if (updated < want) return wait(`${updated} of ${want} new ${pods(want)} created`);
      if (total > updated) return wait(`${total - updated} old ${pods(total - updated)} terminating`);
      if (available < updated) return wait(`${available} of ${updated} new ${pods(updated)} available`);
      return { done: true, failed: false, message: `rolled out (${available} of ${want} available)` };
    }
    case 'statefulset': {
      const want = Number(o.spec?.replicas ?? 1);
      const ready = Number(s.readyReplicas ?? 0);
      const updated = Number(s.updatedReplicas ?? 0);
      if (updated < want) return wait(`${updated} of ${want} ${pods(want)} updated`);
      if (ready < want) return wait(`${ready} of ${want} ${pods(want)} ready`);
      if (s.updateRevision && s.currentRevision !== s.updateRevision) return wait('waiting for the new revision to become current');
      return { done: true, failed: false, message: `rolled out (${ready} of ${want} ready)` };
    }
    case 'daemonset': {
      const want = Number(s.desiredNumberScheduled ?? 0);
      const updated = Number(s.updatedNumberScheduled ?? 0);
      const available = Number(s.numberAvailable ?? 0);
      if (updated < want) return wait(`${updated} of ${want} ${pods(want)} updated`);
      if (available < want) return wait(`${available} of ${want} ${pods(want)} available`);
      return { done: true, failed: false, message: `rolled out (${available} of ${want} available)` };
    }
    default:
      return { done: true, failed: false, message: 'nothing to roll out' };
  }
}
