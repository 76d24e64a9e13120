// Small pure helpers the cluster components share.
import type { WorkloadSeverity, WorkloadSummary } from '@protocol';

export function severityBadge(severity: WorkloadSeverity): string {
  return severity === 'trouble' ? 'badge crit' : severity === 'progressing' ? 'badge warn' : 'badge ok';
}

export function age(createdAt: number | null, now: number): string {
  if (createdAt === null) return '–';
  const s = Math.max(0, Math.floor((now - createdAt) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export function workloadPath(w: Pick<WorkloadSummary, 'namespace' | 'kind' | 'name'>): string {
  return `/workloads/${encodeURIComponent(w.namespace)}/${w.kind}/${encodeURIComponent(w.name)}`;
}

export function matchesFilter(w: WorkloadSummary, text: string, namespace: string): boolean {
  if (namespace !== '' && w.namespace !== namespace) return false;
  const q = text.trim().toLowerCase();
  if (q === '') return true;
  return [w.name, w.namespace, w.kind, w.status, w.reason ?? '', ...w.images].some((s) => s.toLowerCase().includes(q));
}

export const RESTARTABLE = new Set(['deployment', 'statefulset', 'daemonset', 'pod']);
