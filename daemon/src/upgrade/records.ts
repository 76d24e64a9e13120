// The wire shape of an upgrade (pure): a journal row plus the live per-workload rollout.
import type { UpgradeRecord, WorkloadRollout } from '../protocol/upgrade.ts';
import type { UpgradeRow } from './journal.ts';
import { stepFor, stepLabel, stepNumber } from './journal-pure.ts';

export function recordOf(row: UpgradeRow, workloads: WorkloadRollout[] = []): UpgradeRecord {
  const j = row.journal;
  const { n, of } = stepNumber(j);
  return {
    id: row.id,
    kind: row.kind,
    release: row.release,
    bundleId: row.bundleId,
    fromVersion: row.fromVersion,
    toVersion: row.toVersion,
    actor: row.actor,
    startedAt: row.startedAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
    phase: j.phase,
    step: { n, of, label: stepLabel(stepFor(j)), imports: j.images.length },
    bytes: j.bytes,
    message: [row.message, ...j.notes.filter((note) => !row.message.includes(note))].filter((m) => m !== '').join('; '),
    workloads: row.outcome === null ? workloads : [],
    resumes: row.resumes,
    outcome: row.outcome,
    code: row.code,
    reasons: row.reasons,
  };
}
