import { describe, expect, it } from 'vitest';
import { initialUpgradeState } from '@protocol';
import { KIOSK_OUTCOME_MS, kioskUpgradeView } from './kiosk-upgrade.ts';
import { recordFixture } from './test-fixtures.ts';

describe('the kiosk’s upgrade band', () => {
  it('shows a running upgrade: what, from → to, the stage and one percent', () => {
    const current = recordFixture({ phase: 'applying', step: { n: 7, of: 10, label: 'apply Deployment dashboard/plant-dashboard', imports: 2 }, actor: 'usb:PLANT-STICK' });
    expect(kioskUpgradeView({ ...initialUpgradeState(), current }, 5_000)).toEqual({
      kind: 'running', title: 'Upgrading plant-dashboard', versions: '1.0.0 → 1.1.0', phase: 'Applying', percent: 60, step: 'step 7 of 10: apply Deployment dashboard/plant-dashboard', by: 'usb:PLANT-STICK', tone: 'neutral',
    });
    expect(kioskUpgradeView({ ...initialUpgradeState(), current: { ...current, phase: 'rolling_back' } }, 5_000)).toMatchObject({ title: 'Rolling back plant-dashboard', tone: 'warn' });
  });

  it('keeps the outcome for half an hour, with the first failing pod’s reason', () => {
    const done = recordFixture({
      outcome: 'rolled_back', code: 'upgrade.gate_failed', finishedAt: 10_000, toVersion: '1.2.0', fromVersion: '1.1.0',
      reasons: [{ object: 'dashboard/deployment/plant-dashboard', pod: 'p', container: 'dashboard', reason: 'CrashLoopBackOff', message: '', exitCode: 3, logs: [], events: [] }],
    });
    const state = { ...initialUpgradeState(), recent: [done] };
    expect(kioskUpgradeView(state, 10_000 + KIOSK_OUTCOME_MS - 1)).toMatchObject({
      kind: 'outcome', title: 'Rolled back: plant-dashboard', tone: 'warn', headline: '1.2.0 was NOT installed; 1.1.0 runs again.',
      why: 'dashboard/deployment/plant-dashboard: CrashLoopBackOff (exit code 3)',
    });
    expect(kioskUpgradeView(state, 10_000 + KIOSK_OUTCOME_MS + 1)).toBeNull();
    expect(kioskUpgradeView(state, null)).toBeNull();
    expect(kioskUpgradeView({ ...state, recent: [{ ...done, outcome: 'committed', reasons: [] }] }, 11_000)).toMatchObject({ tone: 'ok', why: null });
  });

  it('shows nothing before the state arrives or when nothing happened', () => {
    expect(kioskUpgradeView(null, 1)).toBeNull();
    expect(kioskUpgradeView(initialUpgradeState(), 1)).toBeNull();
  });
});
