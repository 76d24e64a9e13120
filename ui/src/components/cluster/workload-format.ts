// Small pure helpers the cluster components share.
import { WORKLOAD_KINDS, type WorkloadKind, type WorkloadSeverity, type WorkloadSummary } from '@protocol';

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

const KUBE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export type WorkloadRoute =
  | { view: 'list' }
  | { view: 'detail'; namespace: string; kind: WorkloadKind; name: string }
  /** A hand-typed or stale address that cannot name a workload; `why` says what is wrong with it. */
  | { view: 'invalid'; why: string };

/** What a /workloads… path shows: the list, one workload (/workloads/<namespace>/<kind>/<name>), or nothing. */
export function parseWorkloadPath(path: string): WorkloadRoute {
  let parts: string[];
  try {
    parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  } catch {
    return { view: 'invalid', why: 'the address is not readable' };
  }
  if (parts.length === 1) return { view: 'list' };
  if (parts.length !== 4) return { view: 'invalid', why: 'a workload address reads /workloads/namespace/kind/name' };
  const [, namespace, kind, name] = parts as [string, string, string, string];
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
    return { view: 'invalid', why: `“${kind}” is not a kind of workload (${WORKLOAD_KINDS.join(', ')})` };
  }
  if (!KUBE_NAME.test(namespace)) return { view: 'invalid', why: `“${namespace}” cannot be a namespace name` };
  if (!KUBE_NAME.test(name)) return { view: 'invalid', why: `“${name}” cannot be a ${kind} name` };
  return { view: 'detail', namespace, kind: kind as WorkloadKind, name };
}

/** Kubernetes' own namespaces and k3s's (its packaged coredns, traefik, metrics-server, local-path live in kube-system). */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

export function isSystemNamespace(namespace: string): boolean {
  return SYSTEM_NAMESPACES.has(namespace);
}
