// Rollout arithmetic (pure), after kubernetes/pkg/controller/deployment/util: surge and
// unavailability fenceposts, how far a rolling update may scale the new ReplicaSet up and the
// old ones down, and the pod-template hash.

export function resolveIntOrPercent(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const text = String(value ?? '');
  const m = /^(\d+)%$/.exec(text);
  if (!m) return Number(text) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function fenceposts(desired: number, maxSurge: unknown, maxUnavailable: unknown): { surge: number; unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge ?? '25%', desired, true);
  let unavailable = resolveIntOrPercent(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, desired) };
}

export interface RsView {
  name: string;
  /** spec.replicas */
  replicas: number;
  /** status.availableReplicas */
  available: number;
}

/** New spec.replicas for the new ReplicaSet (NewRSNewReplicas for RollingUpdate). */
export function newReplicas(desired: number, surge: number, newRs: RsView, all: RsView[]): number {
  if (newRs.replicas > desired) return desired;
  const current = all.reduce((n, rs) => n + rs.replicas, 0);
  const maxTotal = desired + surge;
  if (current >= maxTotal) return newRs.replicas;
  const up = Math.min(maxTotal - current, desired - newRs.replicas);
  return newRs.replicas + Math.max(0, up);
}

/**
 * New spec.replicas for the old ReplicaSets (oldest first), after reconcileOldReplicaSets:
 * unhealthy old replicas go first, then healthy ones while availability stays above the floor.
 */
export function oldReplicas(desired: number, unavailable: number, newRs: RsView, olds: RsView[]): Map<string, number> {
  const out = new Map(olds.map((rs) => [rs.name, rs.replicas]));
  const oldCount = olds.reduce((n, rs) => n + rs.replicas, 0);
  if (oldCount === 0) return out;
  const allCount = oldCount + newRs.replicas;
  const minAvailable = desired - unavailable;
  const newUnavailable = newRs.replicas - newRs.available;
  const maxScaledDown = allCount - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;
  let cleaned = 0;
  for (const rs of olds) {
    if (cleaned >= maxScaledDown) break;
    const current = out.get(rs.name) ?? 0;
    const unhealthy = current - Math.min(rs.available, current);
    if (unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    out.set(rs.name, current - down);
    cleaned += down;
  }
  const available = olds.reduce((n, rs) => n + Math.min(rs.available, out.get(rs.name) ?? 0), 0) + newRs.available;
  if (available <= minAvailable) return out;
  let budget = available - minAvailable;
  for (const rs of olds) {
    if (budget <= 0) break;
    const current = out.get(rs.name) ?? 0;
    const down = Math.min(current, budget);
    out.set(rs.name, current - down);
    budget -= down;
  }
  return out;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** A short stable hash (FNV-1a, 32 bit) in the API server's safe alphabet. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let out = '';
  let n = h;
  do {
    out += SAFE[n % SAFE.length];
    n = Math.floor(n / SAFE.length);
  } while (n > 0);
  return out.slice(0, 10);
}

/** Stable JSON (sorted keys) so equal templates hash equally. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Drops nulls, empty lists and the hash label, so a template read back from a ReplicaSet (as `rollout undo`
 * sends it, with Go's `creationTimestamp: null`) hashes like the original. */
function hashable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hashable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined || k === 'pod-template-hash' || (Array.isArray(v) && v.length === 0)) continue;
      out[k] = hashable(v);
    }
    return out;
  }
  return value;
}

export function templateHash(template: unknown): string {
  return shortHash(stableJson(hashable(template)));
}
