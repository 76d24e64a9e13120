import { describe, expect, it } from 'vitest';
import { advance, fail, MAX_RESUMES, newJournal, recover, releaseStatusOf, rollbackTasks, skip, stepFor, stepNumber, type Journal, type JournalObject, type PreflightResult, type Step, type StepResult } from '../../../daemon/src/upgrade/journal-pure.ts';

const obj = (kind: string, name: string): JournalObject => ({ apiVersion: 'v1', kind, name, namespace: 'app', key: `core/${kind}/app/${name}` });
const ns: JournalObject = { apiVersion: 'v1', kind: 'Namespace', name: 'app', key: 'core/Namespace//app' };
const cfg = obj('ConfigMap', 'cfg');
const web = obj('Deployment', 'web');
const newOnly = obj('Deployment', 'new-only');
const oldOnly = obj('Deployment', 'old-only');

const PLAN: PreflightResult = {
  images: [{ file: 'images/web.tar', index: 2, sha256: 'a'.repeat(64), size: 100, references: ['registry.local/web:2'] }],
  apply: [ns, cfg, web, newOnly],
  fromApply: [ns, cfg, web, oldOnly],
  prune: [oldOnly],
  existed: [ns.key, cfg.key, web.key, oldOnly.key],
  adopted: [],
  gate: { stabilityMs: 1000, timeoutMs: 60_000, workloads: ['app/deployment/web', 'app/deployment/new-only'], fromWorkloads: ['app/deployment/web', 'app/deployment/old-only'] },
};
const FROM = { bundleId: 'b0', version: '1.0.0', sequence: 10 };
const TARGET = { bundleId: 'b1', version: '1.1.0', sequence: 11 };

function resultFor(step: Step): StepResult {
  if (step.kind === 'preflight') return { kind: 'preflight', plan: PLAN };
  if (step.kind === 'import') return { kind: 'import', newlyPinned: ['registry.local/web:2'] };
  if (step.kind === 'gate') return { kind: 'gate', ok: true };
  if (step.kind === 'rollback-gate') return { kind: 'rollback-gate', ok: true, message: 'settled' };
  return { kind: 'done' };
}

/** Runs the machine until done or until `stopAt` is the phase; returns the steps taken. */
function run(j: Journal, stopAt?: string): { j: Journal; steps: string[] } {
  const steps: string[] = [];
  for (let step = stepFor(j); step && j.phase !== stopAt; step = stepFor(j)) {
    steps.push(step.kind === 'apply' || step.kind === 'prune' ? `${step.kind} ${step.object.name}` : step.kind === 'rollback' ? `${step.task.op} ${step.task.object.name}` : step.kind);
    j = advance(j, step, resultFor(step), 1000);
  }
  return { j, steps };
}

describe('the upgrade journal', () => {
  it('walks an upgrade to committed: preflight, import, apply in order, gate, commit, prune, cleanup', () => {
    const { j, steps } = run(newJournal(TARGET, FROM, 'installed'));
    expect(steps).toEqual(['preflight', 'import', 'apply app', 'apply cfg', 'apply web', 'apply new-only', 'gate', 'commit', 'prune old-only', 'cleanup']);
    expect(j).toMatchObject({ phase: 'done', outcome: 'committed', pinnedByUs: ['registry.local/web:2'], bytes: { done: 100, total: 100 } });
    expect(releaseStatusOf(j)).toBe('installed');
  });

  it('skips phases with nothing to do', () => {
    let j = newJournal(TARGET, null, 'absent');
    j = advance(j, { kind: 'preflight' }, { kind: 'preflight', plan: { ...PLAN, images: [], prune: [], fromApply: [], existed: [] } }, 1);
    expect(j.phase).toBe('applying');
  });

  it('starts the gate clock when the gate phase is entered', () => {
    const { j } = run(newJournal(TARGET, FROM, 'installed'), 'gating');
    expect(j.phase).toBe('gating');
    expect(j.gate.startedAt).toBe(1000);
  });

  it('a failure at preflight refuses without touching anything', () => {
    const j = fail(newJournal(TARGET, FROM, 'installed'), { code: 'upgrade.blocked', message: '2 blocking problems' }, 1);
    expect(j).toMatchObject({ phase: 'done', outcome: 'refused' });
    expect(releaseStatusOf(j)).toBe('installed');
  });

  it('a failure while importing only cleans up images, then ends rolled back', () => {
    const importing = run(newJournal(TARGET, FROM, 'installed'), 'applying').j;
    const failed = fail({ ...importing, phase: 'importing', cursor: 0 }, { code: 'upgrade.import_failed', message: 'x' }, 5);
    expect(failed.phase).toBe('rollback_cleanup');
    const { j, steps } = run(failed);
    expect(steps).toEqual(['rollback-cleanup']);
    expect(j).toMatchObject({ outcome: 'rolled_back', failure: { code: 'upgrade.import_failed' } });
  });

  it('a failure after apply began re-applies the old version, deletes only what the new one created, gates the old one', () => {
    const gating = run(newJournal(TARGET, FROM, 'installed'), 'gating').j;
    const failed = fail(gating, { code: 'upgrade.gate_failed', message: 'web crash-loops' }, 5);
    expect(failed.phase).toBe('rolling_back');
    expect(releaseStatusOf(failed)).toBe('rolling_back');
    const { j, steps } = run(failed);
    expect(steps).toEqual(['apply app', 'apply cfg', 'apply web', 'apply old-only', 'delete new-only', 'rollback-gate', 'rollback-cleanup']);
    expect(j).toMatchObject({ outcome: 'rolled_back', failure: { code: 'upgrade.gate_failed' } });
    expect(releaseStatusOf(j)).toBe('installed');
  });

  it('a first install rolls back to nothing: deletes everything it created, in reverse order', () => {
    const first = { ...newJournal(TARGET, null, 'absent'), phase: 'applying' as const, apply: [ns, cfg, web], existed: [] };
    expect(rollbackTasks(first).map((t) => `${t.op} ${t.object.name}`)).toEqual(['delete web', 'delete cfg', 'delete app']);
    const { j } = run(fail(first, { code: 'upgrade.apply_failed', message: 'x' }, 1));
    expect(j.outcome).toBe('rolled_back');
    expect(releaseStatusOf(j)).toBe('absent');
  });

  it('restores the snapshot of an object the release adopted instead of deleting it', () => {
    const adopting = { ...newJournal(TARGET, null, 'absent'), phase: 'applying' as const, apply: [cfg, web], existed: [cfg.key], adopted: [cfg.key] };
    expect(rollbackTasks(adopting).map((t) => `${t.op} ${t.object.name}`)).toEqual(['restore cfg', 'delete web']);
  });

  it.each(['importing', 'applying', 'gating', 'committing'] as const)('recovers a crash during %s by rolling back', (phase) => {
    const j = recover({ ...run(newJournal(TARGET, FROM, 'installed'), phase).j }, 9);
    expect(j.resumes).toBe(1);
    expect(j.failure?.code).toBe('upgrade.interrupted');
    expect(j.phase).toBe(phase === 'importing' ? 'rollback_cleanup' : 'rolling_back');
  });

  it('recovers a crash during preflight as rolled back with nothing to undo', () => {
    expect(recover(newJournal(TARGET, FROM, 'installed'), 1)).toMatchObject({ phase: 'done', outcome: 'rolled_back', failure: { code: 'upgrade.interrupted' } });
  });

  it.each(['pruning', 'cleanup'] as const)('recovers a crash during %s forward: the commit stands', (phase) => {
    const at = run(newJournal(TARGET, FROM, 'installed'), phase).j;
    const j = recover(at, 9);
    expect(j.phase).toBe(phase);
    expect(run(j).j.outcome).toBe('committed');
  });

  it('continues a rollback after a crash and restarts the rollback gate clock', () => {
    const rolling = fail(run(newJournal(TARGET, FROM, 'installed'), 'gating').j, { code: 'upgrade.gate_failed', message: 'x' }, 5);
    expect(recover(rolling, 9)).toMatchObject({ phase: 'rolling_back', cursor: 0, resumes: 1 });
    const gate = { ...rolling, phase: 'rollback_gating' as const };
    expect(recover(gate, 77).gate.startedAt).toBe(77);
  });

  it(`stops after ${MAX_RESUMES} resumes and marks the release failed`, () => {
    let j = run(newJournal(TARGET, FROM, 'installed'), 'gating').j;
    j = recover(j, 1);
    for (let i = 1; i < MAX_RESUMES; i += 1) j = recover(j, 1);
    expect(j.outcome).toBeNull();
    j = recover(j, 1);
    expect(j).toMatchObject({ phase: 'done', outcome: 'failed', failure: { code: 'upgrade.resume_limit' } });
    expect(releaseStatusOf(j)).toBe('failed');
  });

  it('skips a prune that keeps failing with a note, still committed', () => {
    const pruning = run(newJournal(TARGET, FROM, 'installed'), 'pruning').j;
    const j = run(skip(pruning, 'prune: Deployment app/old-only kept failing', 1)).j;
    expect(j).toMatchObject({ outcome: 'committed', notes: ['prune: Deployment app/old-only kept failing'] });
  });

  it('marks the release failed when the restored version does not pass its gate', () => {
    const rolling = fail(run(newJournal(TARGET, FROM, 'installed'), 'gating').j, { code: 'upgrade.gate_failed', message: 'x' }, 5);
    let j = rolling;
    for (let step = stepFor(j); step; step = stepFor(j)) j = advance(j, step, step.kind === 'rollback-gate' ? { kind: 'rollback-gate', ok: false, message: 'old-only crash-loops' } : resultFor(step), 1);
    expect(j.outcome).toBe('rolled_back');
    expect(releaseStatusOf(j)).toBe('failed');
  });

  it('counts steps n of N across the forward phases', () => {
    const j = run(newJournal(TARGET, FROM, 'installed'), 'gating').j;
    expect(stepNumber(j)).toEqual({ n: 6, of: 1 + 4 + 2 + 1 });
  });
});
