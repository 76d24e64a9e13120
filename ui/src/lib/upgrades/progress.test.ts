import { describe, expect, it } from 'vitest';
import type { WorkloadRollout } from '@protocol';
import { kindVerb, outcomeView, secondsToSettle, stagesOf, stepLine, upgradePercent } from './progress.ts';
import { recordFixture } from './test-fixtures.ts';

const w = (state: WorkloadRollout['state'], settlesAt: number | null = null): WorkloadRollout => ({ key: `ns/deployment/${state}`, state, message: state, ready: 1, desired: 1, settlesAt });

describe('upgrade percent', () => {
  // 2 imports, 5 applies, gate, commit, 1 prune: 10 steps.
  const at = (over: Parameters<typeof recordFixture>[0]) => upgradePercent(recordFixture(over));

  it('weighs the imports by bytes, then counts steps, and never says 100 before the outcome', () => {
    expect(at({ phase: 'preflight' })).toBe(0);
    expect(at({ phase: 'importing', step: { n: 1, of: 10, label: '', imports: 2 }, bytes: { done: 0, total: 400 } })).toBe(0);
    expect(at({ phase: 'importing', step: { n: 1, of: 10, label: '', imports: 2 }, bytes: { done: 100, total: 400 } })).toBe(5);
    expect(at({ phase: 'importing', step: { n: 2, of: 10, label: '', imports: 2 }, bytes: { done: 400, total: 400 } })).toBe(20);
    expect(at({ phase: 'applying', step: { n: 3, of: 10, label: '', imports: 2 } })).toBe(20);
    expect(at({ phase: 'applying', step: { n: 7, of: 10, label: '', imports: 2 } })).toBe(60);
    expect(at({ phase: 'gating', step: { n: 8, of: 10, label: '', imports: 2 }, workloads: [w('settled'), w('settling')] })).toBe(75);
    expect(at({ phase: 'committing', step: { n: 9, of: 10, label: '', imports: 2 } })).toBe(80);
    expect(at({ phase: 'cleanup', step: { n: 10, of: 10, label: '', imports: 2 } })).toBe(99);
    expect(at({ phase: 'done', outcome: 'committed' })).toBe(100);
  });

  it('only moves forward through a whole upgrade', () => {
    const phases = [
      recordFixture({ phase: 'preflight' }),
      ...[0, 100, 250, 399, 400].map((done) => recordFixture({ phase: 'importing', step: { n: done < 200 ? 1 : 2, of: 10, label: '', imports: 2 }, bytes: { done, total: 400 } })),
      ...[3, 4, 5, 6, 7].map((n) => recordFixture({ phase: 'applying', step: { n, of: 10, label: '', imports: 2 } })),
      recordFixture({ phase: 'gating', step: { n: 8, of: 10, label: '', imports: 2 }, workloads: [w('settling'), w('settling')] }),
      recordFixture({ phase: 'gating', step: { n: 8, of: 10, label: '', imports: 2 }, workloads: [w('settled'), w('settled')] }),
      recordFixture({ phase: 'committing', step: { n: 9, of: 10, label: '', imports: 2 } }),
      recordFixture({ phase: 'pruning', step: { n: 10, of: 10, label: '', imports: 2 } }),
      recordFixture({ phase: 'cleanup', step: { n: 10, of: 10, label: '', imports: 2 } }),
    ].map(upgradePercent);
    expect([...phases].sort((a, b) => a - b)).toEqual(phases);
    expect(Math.max(...phases)).toBeLessThan(100);
  });

  it('falls back to steps when the daemon does not say how many imports there are', () => {
    expect(upgradePercent(recordFixture({ phase: 'importing', step: { n: 2, of: 10, label: '' }, bytes: { done: 5, total: 10 } }))).toBe(10);
  });

  it('counts a rollback on its own scale', () => {
    expect(upgradePercent(recordFixture({ phase: 'rolling_back', step: { n: 1, of: 4, label: '' } }))).toBe(0);
    expect(upgradePercent(recordFixture({ phase: 'rolling_back', step: { n: 3, of: 4, label: '' } }))).toBe(45);
    expect(upgradePercent(recordFixture({ phase: 'rollback_gating', step: { n: 1, of: 1, label: '' }, workloads: [w('settled')] }))).toBe(99);
  });
});

describe('stages, countdown and words', () => {
  it('marks the stages done, now and next, and switches to a rollback’s own stages', () => {
    expect(stagesOf('applying').map((s) => `${s.name}:${s.state}`)).toEqual(['Check:done', 'Import:done', 'Apply:now', 'Health gate:next', 'Commit:next', 'Clean up:next']);
    expect(stagesOf('rollback_gating').map((s) => `${s.name}:${s.state}`)).toEqual(['Restore:done', 'Health gate:now', 'Clean up:next']);
  });

  it('counts down to settled on the device clock, only while settling', () => {
    expect(secondsToSettle(w('settling', 10_000), 3_500)).toBe(7);
    expect(secondsToSettle(w('settling', 10_000), 12_000)).toBe(0);
    expect(secondsToSettle(w('settled', 10_000), 3_000)).toBeNull();
    expect(secondsToSettle(w('settling', null), 3_000)).toBeNull();
  });

  it('never words a rollback as a success', () => {
    const base = recordFixture({ fromVersion: '1.1.0', toVersion: '1.2.0' });
    expect(outcomeView({ ...base, outcome: 'committed' })).toMatchObject({ word: 'Committed', tone: 'ok' });
    const back = outcomeView({ ...base, outcome: 'rolled_back' });
    expect(back).toEqual({ word: 'Rolled back', tone: 'warn', headline: '1.2.0 was NOT installed: plant-dashboard runs 1.1.0 again.' });
    expect(outcomeView({ ...base, outcome: 'rolled_back', fromVersion: null }).headline).toBe('1.2.0 was NOT installed: nothing of plant-dashboard stays installed.');
    expect(outcomeView({ ...base, outcome: 'refused' })).toMatchObject({ word: 'Refused', tone: 'neutral' });
    expect(outcomeView({ ...base, outcome: 'failed' })).toMatchObject({ word: 'Failed', tone: 'crit' });
    expect(outcomeView({ ...base, kind: 'rollback', outcome: 'committed' })).toMatchObject({ word: 'Rollback committed', tone: 'ok' });
  });

  it('counts steps only where the engine counts them, and words its own labels', () => {
    expect(stepLine(recordFixture({ phase: 'applying', step: { n: 3, of: 7, label: 'apply Deployment ns/web' } }))).toBe('step 3 of 7: apply Deployment ns/web');
    expect(stepLine(recordFixture({ phase: 'gating', step: { n: 6, of: 7, label: 'gate' } }))).toBe('step 6 of 7: waiting for every workload to settle healthy');
    expect(stepLine(recordFixture({ phase: 'rollback_gating', step: { n: 1, of: 4, label: 'rollback-gate' } }))).toBe('waiting for the restored version to settle healthy');
  });

  it('titles a running upgrade by what it does', () => {
    expect(kindVerb(recordFixture({ fromVersion: null }))).toBe('Installing');
    expect(kindVerb(recordFixture())).toBe('Upgrading');
    expect(kindVerb(recordFixture({ phase: 'rolling_back' }))).toBe('Rolling back');
    expect(kindVerb(recordFixture({ kind: 'rollback', phase: 'applying' }))).toBe('Rolling back on request');
  });
});
