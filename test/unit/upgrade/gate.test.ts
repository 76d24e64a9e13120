import { describe, expect, it } from 'vitest';
import { GateTracker, parseWorkloadKey, selectorString } from '../../../daemon/src/upgrade/gate-pure.ts';
import type { WorkloadRollout } from '../../../daemon/src/protocol/upgrade.ts';

const r = (key: string, state: WorkloadRollout['state'], message: string = state): WorkloadRollout => ({ key, state, message, ready: 0, desired: 1 });

describe('the health gate', () => {
  it('passes only when every workload is settled', () => {
    const gate = new GateTracker({ since: 0, timeoutMs: 10_000, failingGraceMs: 1000 });
    expect(gate.decide([r('a/deployment/x', 'settled'), r('a/job/y', 'settling')], 100)).toEqual({ kind: 'continue' });
    expect(gate.decide([r('a/deployment/x', 'settled'), r('a/job/y', 'settled')], 200)).toEqual({ kind: 'pass' });
  });

  it('fails a workload that stays failing past the grace, naming it', () => {
    const gate = new GateTracker({ since: 0, timeoutMs: 60_000, failingGraceMs: 1000 });
    expect(gate.decide([r('a/deployment/x', 'failing', 'CrashLoopBackOff')], 100).kind).toBe('continue');
    expect(gate.decide([r('a/deployment/x', 'failing', 'CrashLoopBackOff')], 900).kind).toBe('continue');
    expect(gate.decide([r('a/deployment/x', 'failing', 'CrashLoopBackOff')], 1100)).toEqual({ kind: 'fail', code: 'upgrade.gate_failed', message: 'a/deployment/x: CrashLoopBackOff', culprits: ['a/deployment/x'] });
  });

  it('forgives a moment of failing that fixes itself (an image the kubelet had not seen yet)', () => {
    const gate = new GateTracker({ since: 0, timeoutMs: 60_000, failingGraceMs: 1000 });
    gate.decide([r('a/deployment/x', 'failing')], 100);
    gate.decide([r('a/deployment/x', 'settling')], 500);
    expect(gate.decide([r('a/deployment/x', 'failing')], 1200).kind).toBe('continue');
  });

  it('times out with what is still not settled', () => {
    const gate = new GateTracker({ since: 1000, timeoutMs: 5000, failingGraceMs: 1000 });
    expect(gate.decide([r('a/deployment/x', 'settled'), r('a/statefulset/db', 'settling', '1 of 3 pods ready')], 6000)).toEqual({
      kind: 'fail',
      code: 'upgrade.gate_timeout',
      message: 'not settled after 5 s: a/statefulset/db: 1 of 3 pods ready',
      culprits: ['a/statefulset/db'],
    });
  });

  it('reads workload keys and turns selectors into a labelSelector', () => {
    expect(parseWorkloadKey('ns/deployment/web')).toMatchObject({ apiVersion: 'apps/v1', apiKind: 'Deployment', namespace: 'ns', name: 'web' });
    expect(parseWorkloadKey('kube-system/job/helm-install-x')).toMatchObject({ apiVersion: 'batch/v1', apiKind: 'Job' });
    expect(parseWorkloadKey('ns/cronjob/x')).toBeNull();
    expect(selectorString({ matchLabels: { app: 'web', tier: 'fe' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] })).toBe('app=web,tier=fe,env in (a,b),!canary');
    expect(selectorString(undefined)).toBeNull();
  });
});
