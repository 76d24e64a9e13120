// Kubernetes Events as the UI shows them (pure).
import type { WarningEvent } from '../protocol/cluster.ts';
import { stampMs, type KEvent } from './kube-types.ts';

export const MAX_EVENTS = 1000;

export function toWarningEvent(e: KEvent): WarningEvent {
  const time = stampMs(e.lastTimestamp) ?? stampMs(e.eventTime) ?? stampMs(e.firstTimestamp) ?? stampMs(e.metadata?.creationTimestamp) ?? 0;
  return {
    uid: e.metadata?.uid ?? `${e.metadata?.namespace ?? ''}/${e.metadata?.name ?? ''}`,
    namespace: e.involvedObject?.namespace ?? e.metadata?.namespace ?? '',
    object: `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`,
    reason: e.reason ?? '',
    message: (e.message ?? '').slice(0, 1024),
    count: e.count ?? 1,
    time,
    type: e.type === 'Warning' ? 'Warning' : 'Normal',
  };
}

/** Newest first, optionally only warnings, only of these objects (`Kind/name` in `namespace`). */
export function selectEvents(events: readonly KEvent[], filter: { type?: 'Warning' | 'Normal'; namespace?: string; objects?: ReadonlySet<string>; limit?: number }): WarningEvent[] {
  const out = events
    .map(toWarningEvent)
    .filter((e) => (filter.type ? e.type === filter.type : true))
    .filter((e) => (filter.namespace ? e.namespace === filter.namespace : true))
    .filter((e) => (filter.objects ? filter.objects.has(e.object) : true))
    .sort((a, b) => b.time - a.time);
  return out.slice(0, filter.limit ?? 200);
}
