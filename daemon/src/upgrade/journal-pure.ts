// The upgrade state machine (pure). The journal says which step comes next; `stepFor` reads it,
// an executor acts, `advance` computes the next journal, which is saved before that next step is
// acted on. Invariants:
//  1. Every step is idempotent, so repeating the step the journal names after a crash is safe.
//  2. Before `committing` finishes, the committed version is untouched in the database: any failure
//     (or a crash, through `recover`) leads to rollback phases that restore it.
//  3. After the commit transaction, the only way is forward (pruning, cleanup): a failure there is
//     retried, then skipped with a note, never rolled back.
//  4. Phases with a task list (importing, applying, pruning, rolling_back) never rest on an
//     exhausted cursor: `settle` moves on, so an empty list is simply skipped.
import type { ObjectRef, UpgradeOutcome, UpgradePhase, ReleaseStatus } from '../protocol/upgrade.ts';

export const MAX_RESUMES = 3;
export const MAX_ATTEMPTS = 5;

export interface JournalObject extends ObjectRef {
  key: string;
}

export interface ImageTask {
  file: string;
  /** Index of the file in the bundle manifest (names its staged blob). */
  index: number;
  sha256: string;
  size: number;
  references: string[];
}

export type RollbackTask = { op: 'apply'; object: JournalObject } | { op: 'restore'; object: JournalObject } | { op: 'delete'; object: JournalObject };

export interface VersionPointer {
  bundleId: string;
  version: string;
  sequence: number;
}

export interface Journal {
  phase: UpgradePhase;
  cursor: number;
  /** Tries of the current step that failed (post-commit and rollback phases retry). */
  attempts: number;
  target: VersionPointer;
  from: VersionPointer | null;
  priorStatus: ReleaseStatus;
  images: ImageTask[];
  /** The target's objects in apply order. */
  apply: JournalObject[];
  /** The committed version's objects in apply order (what a rollback re-applies). */
  fromApply: JournalObject[];
  /** Objects of the committed inventory the target no longer has, in delete order. */
  prune: JournalObject[];
  /** Keys that existed in the cluster at preflight: a rollback never deletes them. */
  existed: string[];
  /** Keys of existing objects outside the committed inventory, whose snapshot a rollback restores. */
  adopted: string[];
  /** Normalised references this upgrade pinned that were not pinned before. */
  pinnedByUs: string[];
  rollback: RollbackTask[];
  gate: { stabilityMs: number; timeoutMs: number; startedAt: number | null; workloads: string[]; fromWorkloads: string[] };
  failure: { code: string; message: string } | null;
  /** Things that went wrong without changing the outcome (a prune that kept failing…). */
  notes: string[];
  bytes: { done: number; total: number };
  outcome: UpgradeOutcome | null;
  resumes: number;
}

export type Step =
  | { kind: 'preflight' }
  | { kind: 'import'; image: ImageTask }
  | { kind: 'apply'; object: JournalObject }
  | { kind: 'gate' }
  | { kind: 'commit' }
  | { kind: 'prune'; object: JournalObject }
  | { kind: 'cleanup' }
  | { kind: 'rollback'; task: RollbackTask }
  | { kind: 'rollback-gate' }
  | { kind: 'rollback-cleanup' };

export interface PreflightResult {
  images: ImageTask[];
  apply: JournalObject[];
  fromApply: JournalObject[];
  prune: JournalObject[];
  existed: string[];
  adopted: string[];
  gate: { stabilityMs: number; timeoutMs: number; workloads: string[]; fromWorkloads: string[] };
}

export function newJournal(target: VersionPointer, from: VersionPointer | null, priorStatus: ReleaseStatus): Journal {
  return {
    phase: 'preflight', cursor: 0, attempts: 0, target, from, priorStatus, images: [], apply: [], fromApply: [], prune: [], existed: [], adopted: [],
    pinnedByUs: [], rollback: [], gate: { stabilityMs: 0, timeoutMs: 0, startedAt: null, workloads: [], fromWorkloads: [] }, failure: null, notes: [], bytes: { done: 0, total: 0 }, outcome: null, resumes: 0,
  };
}

function tasksOf(j: Journal): readonly unknown[] | null {
  if (j.phase === 'importing') return j.images;
  if (j.phase === 'applying') return j.apply;
  if (j.phase === 'pruning') return j.prune;
  if (j.phase === 'rolling_back') return j.rollback;
  return null;
}

const NEXT: Partial<Record<UpgradePhase, UpgradePhase>> = { importing: 'applying', applying: 'gating', pruning: 'cleanup' };

function enter(j: Journal, phase: UpgradePhase, now: number): Journal {
  const gate = phase === 'gating' || phase === 'rollback_gating' ? { ...j.gate, startedAt: now } : j.gate;
  return settle({ ...j, phase, cursor: 0, attempts: 0, gate }, now);
}

/** Moves past exhausted task lists (invariant 4). */
function settle(j: Journal, now: number): Journal {
  const tasks = tasksOf(j);
  if (!tasks || j.cursor < tasks.length) return j;
  if (j.phase === 'rolling_back') return enter(j, j.from && j.gate.fromWorkloads.length > 0 ? 'rollback_gating' : 'rollback_cleanup', now);
  return enter(j, NEXT[j.phase] as UpgradePhase, now);
}

/** What the journal says to do now, or null when the upgrade is finished. */
export function stepFor(j: Journal): Step | null {
  switch (j.phase) {
    case 'preflight':
      return { kind: 'preflight' };
    case 'importing':
      return { kind: 'import', image: j.images[j.cursor] as ImageTask };
    case 'applying':
      return { kind: 'apply', object: j.apply[j.cursor] as JournalObject };
    case 'gating':
      return { kind: 'gate' };
    case 'committing':
      return { kind: 'commit' };
    case 'pruning':
      return { kind: 'prune', object: j.prune[j.cursor] as JournalObject };
    case 'cleanup':
      return { kind: 'cleanup' };
    case 'rolling_back':
      return { kind: 'rollback', task: j.rollback[j.cursor] as RollbackTask };
    case 'rollback_gating':
      return { kind: 'rollback-gate' };
    case 'rollback_cleanup':
      return { kind: 'rollback-cleanup' };
    case 'done':
      return null;
  }
}

export type StepResult =
  | { kind: 'preflight'; plan: PreflightResult }
  | { kind: 'import'; newlyPinned: string[] }
  | { kind: 'gate'; ok: true }
  | { kind: 'rollback-gate'; ok: boolean; message: string }
  | { kind: 'done' };

/** The journal after `step` succeeded. */
export function advance(j: Journal, step: Step, result: StepResult, now: number): Journal {
  const next = { ...j, attempts: 0 };
  switch (step.kind) {
    case 'preflight': {
      if (result.kind !== 'preflight') throw new Error('preflight needs its plan');
      const p = result.plan;
      const total = p.images.reduce((n, i) => n + i.size, 0);
      return enter({ ...next, ...p, gate: { ...p.gate, startedAt: null }, bytes: { done: 0, total } }, 'importing', now);
    }
    case 'import': {
      const pinned = result.kind === 'import' ? result.newlyPinned : [];
      return settle({ ...next, cursor: j.cursor + 1, pinnedByUs: [...new Set([...j.pinnedByUs, ...pinned])], bytes: { ...j.bytes, done: j.bytes.done + step.image.size } }, now);
    }
    case 'apply':
    case 'prune':
    case 'rollback':
      return settle({ ...next, cursor: j.cursor + 1 }, now);
    case 'gate':
      return enter(next, 'committing', now);
    case 'commit':
      return enter(next, 'pruning', now);
    case 'cleanup':
      return { ...next, phase: 'done', outcome: 'committed' };
    case 'rollback-gate': {
      const ok = result.kind === 'rollback-gate' && result.ok;
      return enter(ok ? next : { ...next, notes: [...j.notes, `the restored version did not pass the gate: ${result.kind === 'rollback-gate' ? result.message : ''}`] }, 'rollback_cleanup', now);
    }
    case 'rollback-cleanup':
      return { ...next, phase: 'done', outcome: j.failure?.code === 'upgrade.blocked' ? 'refused' : 'rolled_back' };
  }
}

/** Tasks that bring back the committed version: re-apply it, restore adopted objects, delete what only the target created. */
export function rollbackTasks(j: Journal): RollbackTask[] {
  const keep = new Set([...j.existed, ...j.fromApply.map((o) => o.key)]);
  const created = j.apply.filter((o) => !keep.has(o.key));
  const adopted = new Set(j.adopted);
  return [
    ...j.fromApply.map((object): RollbackTask => ({ op: 'apply', object })),
    ...j.apply.filter((o) => adopted.has(o.key)).map((object): RollbackTask => ({ op: 'restore', object })),
    ...[...created].reverse().map((object): RollbackTask => ({ op: 'delete', object })),
  ];
}

const CHANGED_NOTHING: ReadonlySet<UpgradePhase> = new Set(['preflight']);
const BEFORE_APPLY: ReadonlySet<UpgradePhase> = new Set(['importing']);
const AFTER_APPLY_BEGAN: ReadonlySet<UpgradePhase> = new Set(['applying', 'gating', 'committing']);

/** The journal after a step before the commit failed with `failure` (or the agent was interrupted there). */
export function fail(j: Journal, failure: { code: string; message: string }, now: number): Journal {
  const next = { ...j, failure: j.failure ?? failure, attempts: 0 };
  if (CHANGED_NOTHING.has(j.phase)) return { ...next, phase: 'done', outcome: failure.code === 'upgrade.blocked' ? 'refused' : 'rolled_back' };
  if (BEFORE_APPLY.has(j.phase)) return enter(next, 'rollback_cleanup', now);
  if (AFTER_APPLY_BEGAN.has(j.phase)) return enter({ ...next, rollback: rollbackTasks(j) }, 'rolling_back', now);
  throw new Error(`phase ${j.phase} does not roll back`);
}

/** Whether a failure in this phase is retried (then skipped) rather than rolled back. */
export function isRetriedPhase(phase: UpgradePhase): boolean {
  return phase === 'pruning' || phase === 'cleanup' || phase === 'rolling_back' || phase === 'rollback_gating' || phase === 'rollback_cleanup';
}

/** After `MAX_ATTEMPTS` failures of a retried step: note it and move on. */
export function skip(j: Journal, message: string, now: number): Journal {
  const noted = { ...j, attempts: 0, notes: [...j.notes, message] };
  if (tasksOf(j)) return settle({ ...noted, cursor: j.cursor + 1 }, now);
  if (j.phase === 'cleanup') return { ...noted, phase: 'done', outcome: 'committed' };
  if (j.phase === 'rollback_gating') return enter(noted, 'rollback_cleanup', now);
  return { ...noted, phase: 'done', outcome: 'rolled_back' };
}

/** A start found this upgrade unfinished: count the resume, then continue forward or roll back (invariant 2). */
export function recover(j: Journal, now: number): Journal {
  const counted = { ...j, resumes: j.resumes + 1 };
  if (counted.resumes > MAX_RESUMES) {
    return { ...counted, phase: 'done', outcome: 'failed', failure: { code: 'upgrade.resume_limit', message: `the agent stopped ${MAX_RESUMES} times while finishing this upgrade; it was left in phase ${j.phase}` } };
  }
  const interrupted = { code: 'upgrade.interrupted', message: `the agent stopped during ${j.phase}` };
  if (CHANGED_NOTHING.has(j.phase) || BEFORE_APPLY.has(j.phase) || AFTER_APPLY_BEGAN.has(j.phase)) return fail(counted, interrupted, now);
  if (j.phase === 'rollback_gating') return { ...counted, gate: { ...j.gate, startedAt: now } };
  return counted;
}

/** The release's status while and after this journal runs. */
export function releaseStatusOf(j: Journal): ReleaseStatus {
  if (j.outcome === null) return isRetriedPhase(j.phase) && !['pruning', 'cleanup'].includes(j.phase) ? 'rolling_back' : 'upgrading';
  if (j.outcome === 'failed' || j.notes.some((n) => n.startsWith('the restored version') || n.startsWith('rollback:'))) return 'failed';
  if (j.outcome === 'refused') return j.priorStatus;
  if (j.outcome === 'committed') return 'installed';
  return j.from ? 'installed' : 'absent';
}

export function stepLabel(step: Step | null): string {
  if (!step) return 'finished';
  switch (step.kind) {
    case 'import':
      return `import ${step.image.references[0] ?? step.image.file}`;
    case 'apply':
    case 'prune':
      return `${step.kind} ${step.object.kind} ${step.object.namespace ? `${step.object.namespace}/` : ''}${step.object.name}`;
    case 'rollback':
      return `${step.task.op} ${step.task.object.kind} ${step.task.object.namespace ? `${step.task.object.namespace}/` : ''}${step.task.object.name}`;
    default:
      return step.kind;
  }
}

/** Step n of N for progress: every import, apply, the gate, the commit, every prune. */
export function stepNumber(j: Journal): { n: number; of: number } {
  const of = j.images.length + j.apply.length + 2 + j.prune.length;
  const base: Partial<Record<UpgradePhase, number>> = { importing: 0, applying: j.images.length, gating: j.images.length + j.apply.length, committing: j.images.length + j.apply.length + 1, pruning: j.images.length + j.apply.length + 2 };
  if (j.phase === 'preflight') return { n: 0, of };
  if (j.phase === 'cleanup' || j.phase === 'done') return { n: of, of };
  const at = base[j.phase];
  if (at !== undefined) return { n: Math.min(of, at + j.cursor + 1), of };
  return { n: j.cursor + 1, of: Math.max(j.rollback.length, 1) };
}
