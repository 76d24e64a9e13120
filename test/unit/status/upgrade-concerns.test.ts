import { describe, expect, it } from 'vitest';
import { ROLLED_BACK_MEMORY_MS, upgradeConcerns } from '../../../daemon/src/status/upgrade-concerns.ts';
import type { ReleaseInfo, UpgradeState } from '../../../daemon/src/protocol/upgrade.ts';

const NOW = Date.parse('2026-12-02T10:00:00Z');

function release(partial: Partial<ReleaseInfo>): ReleaseInfo {
  return {
    name: 'app',
    version: '1.0.0',
    sequence: 1,
    bundleId: 'b1',
    installedAt: NOW - 86_400_000,
    installedBy: 'tech',
    status: 'installed',
    message: null,
    since: NOW - 86_400_000,
    lastOutcome: null,
    keptVersions: [],
    workloads: [],
    objects: 3,
    images: [],
    ...partial,
  };
}
const state = (...releases: ReleaseInfo[]): UpgradeState => ({ current: null, releases, bundles: [], recent: [] });

describe('what upgrades add to the device verdict', () => {
  it('says nothing about a release that is installed and whose last upgrade committed', () => {
    const committed = { upgradeId: 'u1', outcome: 'committed' as const, code: null, message: 'committed', at: NOW - 1000 };
    expect(upgradeConcerns(state(release({ lastOutcome: committed })), NOW)).toEqual([]);
  });

  it('makes a failed release critical, naming the release, its version and why', () => {
    const [c] = upgradeConcerns(state(release({ status: 'failed', message: 'the agent crashed 3 times resuming 1.1.0', since: NOW - 5000 })), NOW);
    expect(c).toEqual({ severity: 'critical', subject: 'release/app', message: 'release app failed (running 1.0.0): the agent crashed 3 times resuming 1.1.0', since: NOW - 5000 });
  });

  it('warns about a rolled-back upgrade for a day, then forgets it', () => {
    const rolledBack = { upgradeId: 'u2', outcome: 'rolled_back' as const, code: 'upgrade.gate_failed', message: 'web: exit code 1 (Error)', at: NOW - 60_000 };
    const [c] = upgradeConcerns(state(release({ lastOutcome: rolledBack })), NOW);
    expect(c).toMatchObject({ severity: 'warning', message: 'the upgrade of app was rolled back (running 1.0.0): web: exit code 1 (Error)', since: NOW - 60_000 });
    expect(upgradeConcerns(state(release({ lastOutcome: { ...rolledBack, at: NOW - ROLLED_BACK_MEMORY_MS - 1 } })), NOW)).toEqual([]);
  });

  it('warns while a release rolls back, and ignores refused upgrades (nothing changed)', () => {
    expect(upgradeConcerns(state(release({ status: 'rolling_back', since: NOW })), NOW)[0]).toMatchObject({ severity: 'warning', message: 'release app is rolling back (running 1.0.0)' });
    const refused = { upgradeId: 'u3', outcome: 'refused' as const, code: 'upgrade.blocked', message: 'blocked', at: NOW };
    expect(upgradeConcerns(state(release({ lastOutcome: refused })), NOW)).toEqual([]);
  });
});
