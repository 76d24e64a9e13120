import { describe, expect, it } from 'vitest';
import type { ClusterState, WorkloadSummary } from '@protocol';
import { previousVersion, releaseHealth } from './release-health.ts';
import { releaseFixture } from './test-fixtures.ts';

const workload = (name: string, severity: WorkloadSummary['severity'], status = 'Running', reason: string | null = null): WorkloadSummary => ({
  key: `dashboard/deployment/${name}`, namespace: 'dashboard', kind: 'deployment', name, ready: 1, desired: 1, restarts: 0, createdAt: null, images: [], status, reason, severity, recreated: true,
});
const cluster = (workloads: WorkloadSummary[], state: ClusterState['status']['state'] = 'connected'): ClusterState => ({
  status: { state, since: 0, lastError: null, source: 'config', server: null }, namespaces: ['dashboard'], workloads, warnings: [], actions: [],
});

describe('release health', () => {
  it('is ok when every workload of the release is healthy', () => {
    expect(releaseHealth(releaseFixture(), cluster([workload('plant-dashboard', 'ok'), workload('exporter', 'ok'), workload('other', 'trouble')]))).toEqual({
      state: 'ok', trouble: [], summary: 'healthy (2 workloads)',
    });
  });

  it('names each workload in trouble with its status and reason', () => {
    const h = releaseHealth(releaseFixture(), cluster([workload('plant-dashboard', 'trouble', 'CrashLoopBackOff', 'dashboard: exit code 1'), workload('exporter', 'ok')]));
    expect(h).toEqual({ state: 'trouble', trouble: ['dashboard/plant-dashboard: CrashLoopBackOff — dashboard: exit code 1'], summary: '1 of 2 workloads in trouble' });
  });

  it('counts a workload not seen yet as settling, as the daemon does', () => {
    expect(releaseHealth(releaseFixture(), cluster([workload('plant-dashboard', 'ok')]))).toMatchObject({ state: 'progressing', summary: '1 of 2 settling' });
  });

  it('does not guess without a cluster', () => {
    expect(releaseHealth(releaseFixture(), null).state).toBe('unknown');
    expect(releaseHealth(releaseFixture(), cluster([], 'unreachable')).summary).toMatch(/does not answer/);
  });

  it('rolls back to the most recently committed other kept version, as the engine does', () => {
    expect(previousVersion(releaseFixture())).toBe('1.0.0');
    // After a rollback to 1.0.0 the one committed before it (1.1.0) comes first among the others.
    const after = releaseFixture({ version: '1.0.0', sequence: 100, bundleId: 'aaaaaaaaaaaaaaaa', keptVersions: [
      { bundleId: 'aaaaaaaaaaaaaaaa', version: '1.0.0', sequence: 100, installedAt: 3_000 },
      { bundleId: 'bbbbbbbbbbbbbbbb', version: '1.1.0', sequence: 110, installedAt: 2_000 },
    ] });
    expect(previousVersion(after)).toBe('1.1.0');
    expect(previousVersion(releaseFixture({ keptVersions: [{ bundleId: 'bbbbbbbbbbbbbbbb', version: '1.1.0', sequence: 110, installedAt: 2_000 }] }))).toBeNull();
  });
});
