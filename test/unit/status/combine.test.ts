import { describe, expect, it } from 'vitest';
import { combineStatus, MAX_WORKLOAD_REASONS, sameVerdict, type StatusInputs, type StatusRules } from '../../../daemon/src/status/combine.ts';
import type { ClusterStatus, WorkloadSummary } from '../../../daemon/src/protocol/cluster.ts';
import type { HealthEvaluation } from '../../../daemon/src/protocol/health.ts';
import { initialStatusState, reduceStatus, type DeviceVerdict } from '../../../daemon/src/protocol/status.ts';

const START = Date.parse('2026-12-02T08:00:00Z');
const RULES: StatusRules = { clusterGraceMs: 60_000, clusterBootGraceMs: 300_000, samplerStallMs: 5_000 };
const FINE: HealthEvaluation = { status: 'ok', reasons: [] };

function connection(state: ClusterStatus['state'], since: number, lastError: string | null = null): ClusterStatus {
  return { state, since, lastError, source: 'config', server: 'https://127.0.0.1:6443' };
}

function workload(name: string, status: string, ready: number, desired = 1, reason: string | null = null, severity: WorkloadSummary['severity'] = 'trouble'): WorkloadSummary {
  return { key: `ingest/deployment/${name}`, namespace: 'ingest', kind: 'deployment', name, ready, desired, restarts: 0, createdAt: START, images: [], status, reason, severity, recreated: true };
}

/** Ten minutes after start, a sample a second ago, a connected cluster, nothing wrong. */
function inputs(over: Partial<StatusInputs> = {}, now = START + 600_000): StatusInputs {
  return {
    now,
    startedAt: START,
    node: { evaluation: FINE, lastSampleAt: now - 1000 },
    cluster: { status: connection('connected', START + 2000), everConnected: true, workloads: [workload('sensor-ingester', 'Running', 2, 2, null, 'ok')] },
    upgrade: [],
    outpost: [],
    ...over,
  };
}

describe('the device verdict', () => {
  it('is ok only when no source says otherwise', () => {
    expect(combineStatus(inputs(), RULES, null)).toEqual({ status: 'ok', reasons: [], since: START + 600_000 });
  });

  it('names each workload in trouble: critical when it crash-loops or has no ready replica, warning when only degraded', () => {
    const cluster = {
      status: connection('connected', START),
      everConnected: true,
      workloads: [
        workload('opcua-bridge', 'CrashLoopBackOff', 1, 1, 'bridge: last exit code 1 (Error), restarted 4 times'),
        workload('report-exporter', 'ErrImageNeverPull', 0, 1, 'exporter: image not present'),
        workload('sensor-ingester', 'Degraded', 1, 2, '1 of 2 pods ready'),
        workload('mqtt-broker', 'Running', 1, 1, null, 'ok'),
      ],
    };
    const v = combineStatus(inputs({ cluster }), RULES, null);
    expect(v.status).toBe('critical');
    expect(v.reasons.map((r) => [r.source, r.severity, r.message])).toEqual([
      ['workloads', 'critical', 'ingest/opcua-bridge: CrashLoopBackOff — bridge: last exit code 1 (Error), restarted 4 times'],
      ['workloads', 'critical', 'ingest/report-exporter: ErrImageNeverPull — exporter: image not present'],
      ['workloads', 'warning', 'ingest/sensor-ingester: Degraded — 1 of 2 pods ready'],
    ]);
  });

  it('takes the node’s reasons from the health evaluation with their severity', () => {
    const evaluation: HealthEvaluation = { status: 'warning', reasons: [{ severity: 'warning', kind: 'filesystem', subject: '/var', message: '/var at 93 %' }] };
    const v = combineStatus(inputs({ node: { evaluation, lastSampleAt: START + 599_000 } }), RULES, null);
    expect(v).toMatchObject({ status: 'warning', reasons: [{ source: 'node', severity: 'warning', subject: 'filesystem:/var', message: '/var at 93 %' }] });
  });

  it('calls a stalled sampler an Outpost fault, and one that never sampled too', () => {
    const stalled = combineStatus(inputs({ node: { evaluation: FINE, lastSampleAt: START + 590_000 } }), RULES, null);
    expect(stalled.status).toBe('critical');
    expect(stalled.reasons[0]).toMatchObject({ source: 'outpost', subject: 'sampler', since: START + 590_000 });
    expect(combineStatus(inputs({ node: { evaluation: FINE, lastSampleAt: START + 596_000 } }), RULES, null).status).toBe('ok');
    const never = combineStatus(inputs({ node: { evaluation: FINE, lastSampleAt: null } }, START + 6_000), RULES, null);
    expect(never.reasons[0]?.message).toMatch(/has not measured the node since it started/);
  });

  describe('the cluster connection', () => {
    const lost = (heldMs: number, everConnected = true, state: ClusterStatus['state'] = 'unreachable') => {
      const now = START + 600_000;
      return combineStatus(inputs({ cluster: { status: connection(state, now - heldMs, 'connect ECONNREFUSED 127.0.0.1:6443'), everConnected, workloads: [] } }, now), RULES, null);
    };

    it('is a warning at once when a connection is lost, critical after the grace period', () => {
      expect(lost(5_000)).toMatchObject({ status: 'warning', reasons: [{ source: 'cluster', message: 'The Kubernetes API is not answering (Outpost keeps retrying): connect ECONNREFUSED 127.0.0.1:6443' }] });
      expect(lost(60_000).status).toBe('critical');
    });

    it('does not mind a partial connection for the grace period, then warns', () => {
      expect(lost(30_000, true, 'degraded').status).toBe('ok');
      expect(lost(61_000, true, 'degraded').reasons[0]).toMatchObject({ severity: 'warning', message: expect.stringMatching(/answers only in part/) });
    });

    it('treats an API server that is down at boot as normal at first, then a warning, then critical', () => {
      const boot = (sinceStart: number) =>
        combineStatus(inputs({ cluster: { status: connection('connecting', START + 100), everConnected: false, workloads: [] }, node: { evaluation: FINE, lastSampleAt: START + sinceStart - 500 } }, START + sinceStart), RULES, null);
      expect(boot(30_000).status).toBe('ok');
      expect(boot(90_000)).toMatchObject({ status: 'warning', reasons: [{ message: 'The Kubernetes API has not answered since Outpost started', since: START }] });
      expect(boot(300_000).status).toBe('critical');
    });

    it('marks workloads as last known while the API does not answer', () => {
      const now = START + 600_000;
      const v = combineStatus(inputs({ cluster: { status: connection('unreachable', now - 1000), everConnected: true, workloads: [workload('opcua-bridge', 'CrashLoopBackOff', 0)] } }, now), RULES, null);
      expect(v.reasons.find((r) => r.source === 'workloads')?.message).toMatch(/\(last known\)$/);
    });
  });

  it('carries upgrade failures and Outpost faults handed in by other capabilities', () => {
    const v = combineStatus(
      inputs({
        upgrade: [{ severity: 'critical', subject: 'plant-line', message: 'upgrade to plant-line 1.4.0 failed and was rolled back', since: START + 500_000 }],
        outpost: [{ severity: 'critical', subject: 'cluster-capability', message: 'Outpost cannot watch the cluster: kubeconfig /etc/x does not exist', since: null }],
      }),
      RULES,
      null,
    );
    expect(v.reasons.map((r) => r.source)).toEqual(['outpost', 'upgrade']);
    expect(v.reasons[1]?.since).toBe(START + 500_000);
  });

  it('keeps a reason’s since and the status’s since while they hold, even when the message changes', () => {
    const first = combineStatus(inputs({ cluster: { status: connection('connected', START), everConnected: true, workloads: [workload('opcua-bridge', 'CrashLoopBackOff', 0, 1, 'restarted 4 times')] } }), RULES, null);
    const later = combineStatus(inputs({ cluster: { status: connection('connected', START), everConnected: true, workloads: [workload('opcua-bridge', 'CrashLoopBackOff', 0, 1, 'restarted 5 times')] } }, START + 660_000), RULES, first);
    expect(later.reasons[0]).toMatchObject({ since: first.reasons[0]?.since, message: expect.stringMatching(/5 times/) });
    expect(later.since).toBe(first.since);
    expect(sameVerdict(first, later)).toBe(false);
  });

  it('sorts trouble first and bounds the reasons, summing up the rest of the workloads', () => {
    const many = Array.from({ length: 50 }, (_, i) => workload(`w${String(i).padStart(2, '0')}`, 'Degraded', 1, 2));
    const evaluation: HealthEvaluation = { status: 'critical', reasons: [{ severity: 'critical', kind: 'memory', subject: 'memory', message: 'memory 98 %' }] };
    const v = combineStatus(inputs({ node: { evaluation, lastSampleAt: START + 599_500 }, cluster: { status: connection('connected', START), everConnected: true, workloads: many } }), RULES, null);
    expect(v.reasons[0]?.message).toBe('memory 98 %');
    expect(v.reasons.filter((r) => r.source === 'workloads')).toHaveLength(MAX_WORKLOAD_REASONS + 1);
    expect(v.reasons.at(-1)?.message).toBe('and 30 more workloads in trouble (see the Workloads page)');
  });

  it('is applied by the shared reducer as the topic state', () => {
    const verdict: DeviceVerdict = { status: 'warning', reasons: [], since: 5 };
    expect(reduceStatus(initialStatusState(1), { kind: 'status.verdict.v1', verdict })).toEqual(verdict);
  });
});
