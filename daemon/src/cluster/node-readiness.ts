// The Kubernetes node's Ready condition, for the health verdict. Pure over the watched Node objects.
import type { KObject } from './kube-types.ts';

interface NodeCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

/** null when unknown (no node seen yet); otherwise whether every node is Ready, and why not. */
export function nodeReadiness(nodes: readonly KObject[]): { nodeReady: boolean; reason: string | null } | null {
  if (nodes.length === 0) return null;
  for (const node of nodes) {
    const conditions = ((node as { status?: { conditions?: NodeCondition[] } }).status?.conditions ?? []) as NodeCondition[];
    const ready = conditions.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') {
      const name = node.metadata?.name ?? 'node';
      const why = ready ? (ready.reason ?? ready.message ?? `Ready=${ready.status}`) : 'no Ready condition';
      return { nodeReady: false, reason: `${name} NotReady (${why})` };
    }
  }
  return { nodeReady: true, reason: null };
}
