import { describe, expect, it } from 'vitest';
import { containerProblems, settledVerdict } from '../../../daemon/src/cluster/settled.ts';
import type { KObject } from '../../../daemon/src/cluster/kube-types.ts';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const at = (msAgo: number): string => new Date(NOW - msAgo).toISOString();

function deployment(replicas = 1, status: object = { observedGeneration: 2, replicas, updatedReplicas: replicas, availableReplicas: replicas, readyReplicas: replicas }): KObject {
  return { metadata: { namespace: 'a', name: 'web', generation: 2 }, spec: { replicas }, status };
}
function pod(name: string, container: object, readySince: number | null): KObject {
  const conditions = readySince === null ? [{ type: 'Ready', status: 'False', lastTransitionTime: at(1000) }] : [{ type: 'Ready', status: 'True', lastTransitionTime: at(readySince) }];
  return { metadata: { namespace: 'a', name, uid: name }, spec: { containers: [{ name: 'app' }] }, status: { phase: 'Running', conditions, containerStatuses: [{ name: 'app', ...container }] } };
}
const runningFor = (ms: number, restarts = 0) => ({ ready: true, restartCount: restarts, state: { running: { startedAt: at(ms) } } });

describe('settled predicate', () => {
  it('is settled when every replica is ready and nothing restarted within the window', () => {
    const v = settledVerdict('deployment', deployment(2), [pod('p1', runningFor(60_000), 55_000), pod('p2', runningFor(90_000), 80_000)], { now: NOW });
    expect(v.state).toBe('settled');
    expect(v.ready).toBe(2);
  });

  it('is still settling while the newest container has run for less than the window', () => {
    const v = settledVerdict('deployment', deployment(1), [pod('p1', runningFor(10_000), 8_000)], { now: NOW, stabilityMs: 30_000 });
    expect(v.state).toBe('settling');
    // Kubernetes stamps whole seconds: counted from the end of the stamped second.
    expect(v.settlesAt).toBe(NOW - 8_000 + 999 + 30_000);
    expect(v.message).toMatch(/stable for 7 s of 30 s/);
  });

  it('counts a crash loop as failing between crashes, while the container briefly runs and is ready', () => {
    const between = { ready: true, restartCount: 4, state: { running: { startedAt: at(2_000) } }, lastState: { terminated: { exitCode: 3, reason: 'Error', finishedAt: at(2_500) } } };
    const v = settledVerdict('deployment', deployment(1), [pod('p1', between, 1_000)], { now: NOW, since: NOW - 600_000 });
    expect(v.state).toBe('failing');
    expect(v.problems[0]).toMatchObject({ pod: 'p1', container: 'app', exitCode: 3, restarts: 4 });
  });

  it('reports CrashLoopBackOff with the exit code', () => {
    const waiting = { ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: at(5_000) } } };
    const v = settledVerdict('deployment', deployment(1, { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 0 }), [pod('p1', waiting, null)], { now: NOW });
    expect(v.state).toBe('failing');
    expect(v.message).toMatch(/exit code 1 \(Error\), restarted 5 times/);
  });

  it('ignores a crash that finished before the change began', () => {
    const old = { ready: true, restartCount: 1, state: { running: { startedAt: at(120_000) } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: at(121_000) } } };
    expect(containerProblems(pod('p1', old, 100_000), NOW - 60_000)).toEqual([]);
    expect(settledVerdict('deployment', deployment(1), [pod('p1', old, 100_000)], { now: NOW, since: NOW - 60_000 }).state).toBe('settled');
  });

  it('fails at once on an image the node does not have (no registry will ever bring it)', () => {
    const missing = { ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImageNeverPull', message: 'image "x:1" is not present' } } };
    const v = settledVerdict('deployment', deployment(1, { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 0 }), [pod('p1', missing, null)], { now: NOW });
    expect(v.state).toBe('failing');
    expect(v.problems[0]?.reason).toBe('ErrImageNeverPull');
  });

  it('waits for the controller to observe the restart generation', () => {
    const v = settledVerdict('deployment', deployment(1), [pod('p1', runningFor(60_000), 60_000)], { now: NOW, minGeneration: 3 });
    expect(v.state).toBe('settling');
  });

  it('judges a job by completion', () => {
    const job: KObject = { metadata: { name: 'j' }, spec: { completions: 1 }, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } };
    expect(settledVerdict('job', job, [], { now: NOW }).state).toBe('settled');
    const failed: KObject = { metadata: { name: 'j' }, spec: { completions: 1 }, status: { conditions: [{ type: 'Failed', status: 'True', message: 'BackoffLimitExceeded' }] } };
    expect(settledVerdict('job', failed, [], { now: NOW }).state).toBe('failing');
  });

  it('does not call a workload stable early because of a whole-second stamp, nor a crash in the same second as the change history', () => {
    const v = settledVerdict('deployment', deployment(1), [pod('p1', runningFor(30_000), 30_000)], { now: NOW, stabilityMs: 30_000 });
    expect(v.state).toBe('settling');
    expect(settledVerdict('deployment', deployment(1), [pod('p1', runningFor(31_000), 31_000)], { now: NOW, stabilityMs: 30_000 }).state).toBe('settled');
    const crashedThisSecond = { ready: true, restartCount: 1, state: { running: { startedAt: at(0) } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: at(1_000) } } };
    expect(containerProblems(pod('p1', crashedThisSecond, 0), NOW - 600)).toHaveLength(1);
  });

  it('treats a scaled-down workload as settled', () => {
    expect(settledVerdict('deployment', deployment(0), [], { now: NOW }).state).toBe('settled');
  });
});
