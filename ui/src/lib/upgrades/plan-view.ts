// A plan as the page shows it (pure): blockers first with their meaning, the checks in one list, the
// object diff grouped (added, changed, removed; unchanged kept apart to fold away), image and disk
// totals, and the sentence that says why Apply is not possible when it is not.
import type { PlannedObject, PlanProblem, UpgradePlan } from '@protocol';
import { explainProblem } from './codes.ts';

export interface ShownProblem extends PlanProblem {
  explanation: string;
}

export interface PlanCheckRow {
  name: string;
  value: string;
  ok: boolean | null;
}

export interface PlanSummary {
  blockers: ShownProblem[];
  warnings: ShownProblem[];
  checks: PlanCheckRow[];
  objects: { added: PlannedObject[]; changed: PlannedObject[]; removed: PlannedObject[]; unchanged: PlannedObject[] };
  images: { count: number; toImport: number; bytes: number; bytesToImport: number };
  disk: { needed: number; free: number | null; reserve: number | null; usable: number | null; ok: boolean };
}

export function formatSize(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

const objectName = (o: { kind: string; namespace?: string; name: string }) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
export { objectName };

export function summarizePlan(plan: UpgradePlan): PlanSummary {
  const shown = (p: PlanProblem): ShownProblem => ({ ...p, explanation: explainProblem(p.code) });
  const byChange = (change: PlannedObject['change']) => plan.objects.filter((o) => o.change === change);
  const toImport = plan.images.filter((i) => !i.present && !i.imported);
  const d = plan.disk;
  const usable = d.freeBytes === null ? null : Math.max(0, d.freeBytes - (d.reserveBytes ?? 0));
  const from = plan.from ? `${plan.from.version} (sequence ${plan.from.sequence})` : 'nothing installed';
  return {
    blockers: plan.problems.filter((p) => p.blocking).map(shown),
    warnings: plan.problems.filter((p) => !p.blocking).map(shown),
    checks: [
      { name: 'Release', value: `${plan.release}: ${from} → ${plan.to.version} (sequence ${plan.to.sequence})`, ok: null },
      { name: 'Sequence', value: `${plan.sequence.offered}; installed ${plan.sequence.installed}, floor ${plan.sequence.floor}`, ok: plan.sequence.ok },
      { name: 'Expires', value: plan.expiry.expires, ok: plan.expiry.ok },
      { name: 'Architecture', value: `needs ${plan.architecture.required}; the node is ${plan.architecture.actual ?? 'unknown'}`, ok: plan.architecture.ok },
      { name: 'Kubernetes', value: `needs ${plan.kubernetes.required}; the cluster runs ${plan.kubernetes.actual ?? 'unknown'}`, ok: plan.kubernetes.ok },
      { name: 'Outpost', value: `needs ${plan.outpost.required}; this is ${plan.outpost.actual ?? 'unknown'}`, ok: plan.outpost.ok },
    ],
    objects: { added: byChange('added'), changed: byChange('changed'), removed: byChange('removed'), unchanged: byChange('unchanged') },
    images: {
      count: plan.images.length,
      toImport: toImport.length,
      bytes: plan.images.reduce((n, i) => n + i.size, 0),
      bytesToImport: toImport.reduce((n, i) => n + i.size, 0),
    },
    disk: { needed: d.neededBytes, free: d.freeBytes, reserve: d.reserveBytes, usable, ok: d.ok },
  };
}

/** Why the plan cannot be applied now, or null when it can. */
export function whyNotApply(plan: UpgradePlan, running: { release: string; toVersion: string } | null): string | null {
  if (plan.blocking > 0) return `${plan.blocking} blocking problem${plan.blocking === 1 ? '' : 's'} (listed at the top) must be fixed first; nothing will change until then.`;
  if (running) return `The upgrade of ${running.release} to ${running.toVersion} is running; one upgrade at a time.`;
  return null;
}

/** What the confirmation asks: release and both versions. */
export function confirmQuestion(plan: UpgradePlan): string {
  const verb = plan.kind === 'rollback' ? 'Roll back' : plan.kind === 'install' ? 'Install' : 'Apply';
  return `${verb} ${plan.release} ${plan.from?.version ?? '(nothing installed)'} → ${plan.to.version}?`;
}

/** The steps in words, for the confirmation. */
export function stepsInWords(plan: UpgradePlan): string {
  const s = summarizePlan(plan);
  const parts = [
    s.images.toImport > 0 ? `import ${s.images.toImport} image${s.images.toImport === 1 ? '' : 's'} (${formatSize(s.images.bytesToImport)})` : null,
    `apply ${plan.objects.length - s.objects.removed.length} object${plan.objects.length - s.objects.removed.length === 1 ? '' : 's'}`,
    s.objects.removed.length > 0 ? `remove ${s.objects.removed.length} the new version no longer has` : null,
    `wait until every workload is ready and stable for ${plan.gate.stabilitySeconds} s (at most ${plan.gate.timeoutSeconds} s)`,
  ].filter((p): p is string => p !== null);
  return `${plan.steps} steps: ${parts.join(', ')}.`;
}

/** What happens if the health gate fails, for the confirmation. */
export function ifItFails(plan: UpgradePlan): string {
  if (!plan.from) return `If a workload does not settle healthy, everything ${plan.to.version} added is removed again.`;
  return `If a workload does not settle healthy, ${plan.from.version} is restored.`;
}
