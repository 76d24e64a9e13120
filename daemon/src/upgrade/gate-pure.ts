// The health gate's decisions (pure). Each poll hands in one settled verdict per workload (from the
// one predicate, cluster/settled.ts); the tracker says pass (all settled), fail (one failing for
// longer than the grace, or the timeout passed) or keep polling. The grace exists because a pod
// may look stuck for a moment that is not this change's fault (an image the kubelet has not seen
// yet); a crash loop stays failing and fails the gate once the grace is over.
import type { WorkloadRollout } from '../protocol/upgrade.ts';

type Json = Record<string, unknown>;

export interface WorkloadRef {
  key: string;
  namespace: string;
  kind: 'deployment' | 'statefulset' | 'daemonset' | 'job' | 'pod';
  name: string;
  apiVersion: string;
  apiKind: string;
}

const KINDS: Record<WorkloadRef['kind'], [string, string]> = {
  deployment: ['apps/v1', 'Deployment'],
  statefulset: ['apps/v1', 'StatefulSet'],
  daemonset: ['apps/v1', 'DaemonSet'],
  job: ['batch/v1', 'Job'],
  pod: ['v1', 'Pod'],
};

export function parseWorkloadKey(key: string): WorkloadRef | null {
  const [namespace, kind, name] = key.split('/');
  if (!namespace || !name || !kind || !Object.hasOwn(KINDS, kind)) return null;
  const [apiVersion, apiKind] = KINDS[kind as WorkloadRef['kind']];
  return { key, namespace, kind: kind as WorkloadRef['kind'], name, apiVersion, apiKind };
}

/** A label selector (matchLabels and matchExpressions) as the `labelSelector` query parameter. */
export function selectorString(selector: unknown): string | null {
  if (typeof selector !== 'object' || selector === null) return null;
  const s = selector as { matchLabels?: Json; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of s.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(',')})`;
    if (e.operator === 'In') parts.push(`${e.key} in ${values}`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin ${values}`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length > 0 ? parts.join(',') : null;
}

export type GateDecision = { kind: 'pass' } | { kind: 'continue' } | { kind: 'fail'; code: 'upgrade.gate_failed' | 'upgrade.gate_timeout'; message: string; culprits: string[] };

export class GateTracker {
  readonly #since: number;
  readonly #timeoutMs: number;
  readonly #graceMs: number;
  readonly #failingSince = new Map<string, number>();

  constructor(options: { since: number; timeoutMs: number; failingGraceMs: number }) {
    this.#since = options.since;
    this.#timeoutMs = options.timeoutMs;
    this.#graceMs = options.failingGraceMs;
  }

  decide(rollouts: readonly WorkloadRollout[], now: number): GateDecision {
    for (const r of rollouts) {
      if (r.state === 'failing') {
        if (!this.#failingSince.has(r.key)) this.#failingSince.set(r.key, now);
      } else this.#failingSince.delete(r.key);
    }
    const failing = rollouts.filter((r) => r.state === 'failing' && now - (this.#failingSince.get(r.key) ?? now) >= this.#graceMs);
    if (failing.length > 0) {
      const first = failing[0] as WorkloadRollout;
      return { kind: 'fail', code: 'upgrade.gate_failed', message: `${first.key}: ${first.message}${failing.length > 1 ? ` (and ${failing.length - 1} more)` : ''}`, culprits: failing.map((r) => r.key) };
    }
    if (rollouts.every((r) => r.state === 'settled')) return { kind: 'pass' };
    if (now - this.#since >= this.#timeoutMs) {
      const waiting = rollouts.filter((r) => r.state !== 'settled');
      const first = waiting[0] as WorkloadRollout;
      const seconds = Math.round(this.#timeoutMs / 1000);
      return { kind: 'fail', code: 'upgrade.gate_timeout', message: `not settled after ${seconds} s: ${first.key}: ${first.message}${waiting.length > 1 ? ` (and ${waiting.length - 1} more)` : ''}`, culprits: waiting.map((r) => r.key) };
    }
    return { kind: 'continue' };
  }
}
