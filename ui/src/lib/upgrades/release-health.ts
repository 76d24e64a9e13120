// A release's health, live (pure): its committed version's workloads joined with the cluster topic,
// the way the daemon's GET /api/v1/releases does (upgrade-api/health.ts), plus each workload in
// trouble named with its status and reason so the page can say what is wrong, not only that it is.
import type { ClusterState, ReleaseHealthState, ReleaseInfo } from '@protocol';

export interface ReleaseHealthView {
  state: ReleaseHealthState;
  /** One line per workload in trouble: `dashboard/plant-dashboard: CrashLoopBackOff — …`. */
  trouble: string[];
  summary: string;
}

export function releaseHealth(release: ReleaseInfo, cluster: ClusterState | null): ReleaseHealthView {
  if (!cluster || cluster.status.state === 'none' || cluster.status.state === 'unreachable') {
    return { state: 'unknown', trouble: [], summary: cluster?.status.state === 'unreachable' ? 'unknown: the cluster does not answer' : 'unknown' };
  }
  if (release.workloads.length === 0) return { state: release.version ? 'ok' : 'unknown', trouble: [], summary: release.version ? 'no workloads' : '—' };
  const byKey = new Map(cluster.workloads.map((w) => [w.key, w]));
  const trouble: string[] = [];
  let progressing = 0;
  for (const key of release.workloads) {
    const w = byKey.get(key);
    // Not seen yet (just applied, or the cluster view is catching up): settling, as the daemon says.
    if (!w) {
      progressing += 1;
      continue;
    }
    if (w.severity === 'trouble') trouble.push(`${w.namespace}/${w.name}: ${w.status}${w.reason ? ` — ${w.reason}` : ''}`);
    else if (w.severity === 'progressing') progressing += 1;
  }
  const n = release.workloads.length;
  if (trouble.length > 0) return { state: 'trouble', trouble, summary: `${trouble.length} of ${n} workload${n === 1 ? '' : 's'} in trouble` };
  if (progressing > 0) return { state: 'progressing', trouble, summary: `${progressing} of ${n} settling` };
  return { state: 'ok', trouble, summary: `healthy (${n} workload${n === 1 ? '' : 's'})` };
}

/**
 * The version an admin rollback goes back to, as the engine picks it: the most recently committed
 * kept version other than the running one (keptVersions come newest first). Null: nothing to go to.
 */
export function previousVersion(release: ReleaseInfo): string | null {
  return release.keptVersions.find((k) => k.bundleId !== release.bundleId)?.version ?? null;
}
