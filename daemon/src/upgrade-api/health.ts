// A release's health from the cluster view (pure): its workloads joined with the cluster topic's
// summaries. The agent says what a release holds; the web side says how it is doing.
import type { WorkloadSummary } from '../protocol/cluster.ts';
import type { ReleaseInfo, ReleaseWithHealth } from '../protocol/upgrade.ts';

export function withHealth(release: ReleaseInfo, workloads: readonly WorkloadSummary[], clusterKnown: boolean): ReleaseWithHealth {
  if (!clusterKnown || release.workloads.length === 0) return { ...release, health: { state: release.workloads.length === 0 && clusterKnown ? 'ok' : 'unknown', trouble: [], missing: [] } };
  const byKey = new Map(workloads.map((w) => [w.key, w]));
  const mine = release.workloads.map((key) => ({ key, w: byKey.get(key) }));
  const missing = mine.filter((x) => !x.w).map((x) => x.key);
  const trouble = mine.filter((x) => x.w?.severity === 'trouble').map((x) => x.key);
  const progressing = mine.some((x) => x.w?.severity === 'progressing');
  const state = trouble.length > 0 ? 'trouble' : progressing || missing.length > 0 ? 'progressing' : 'ok';
  return { ...release, health: { state, trouble, missing } };
}
