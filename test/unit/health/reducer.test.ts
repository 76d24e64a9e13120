import { describe, expect, it } from 'vitest';
import { applyFeedEvent } from '../../../daemon/src/protocol/reducer.ts';
import { initialHealthState, RECENT_POINTS, type HealthSampleV1 } from '../../../daemon/src/protocol/health.ts';
import { healthySample } from './sample.ts';

function sampleEvent(i: number, extra: Partial<HealthSampleV1> = {}): HealthSampleV1 {
  const s = healthySample();
  return {
    kind: 'health.sample.v1', time: s.time + i * 1000, uptimeS: s.uptimeS + i, bootTime: s.bootTime, cpu: { ...s.cpu, totalPct: i }, memory: s.memory,
    disks: [], interfaces: [], point: { cpu: i, memory: 25, load1: 0.5, netRx: 0, netTx: 0, diskRead: 0, diskWrite: 0, tempMax: null }, ...extra,
  };
}

describe('health reducer', () => {
  it('keeps medium and slow parts from earlier events when a delta leaves them out', () => {
    let state = applyFeedEvent('health', initialHealthState(), sampleEvent(0, { filesystems: healthySample().filesystems, identity: { hostname: 'box', os: 'x', kernel: 'k', arch: 'x64', model: null, serial: null } }));
    state = applyFeedEvent('health', state, sampleEvent(1));
    expect(state.sample!.filesystems).toHaveLength(1);
    expect(state.sample!.identity!.hostname).toBe('box');
    expect(state.sample!.cpu.totalPct).toBe(1);
  });

  it('keeps a bounded recent window of the key series', () => {
    let state = initialHealthState();
    for (let i = 0; i < RECENT_POINTS + 30; i += 1) state = applyFeedEvent('health', state, sampleEvent(i));
    expect(state.recent.time).toHaveLength(RECENT_POINTS);
    expect(state.recent.series.cpu[0]).toBe(30);
    expect(state.recent.series.cpu.at(-1)).toBe(RECENT_POINTS + 29);
  });

  it('applies status transitions, identify and cluster events', () => {
    let state = applyFeedEvent('health', initialHealthState(), {
      kind: 'health.status.v1', time: 1, from: 'ok', transitions: 1,
      evaluation: { status: 'warning', reasons: [{ severity: 'warning', kind: 'memory', subject: 'memory', message: 'memory 95 %' }] },
    });
    state = applyFeedEvent('health', state, { kind: 'health.identify.v1', until: 5000 });
    state = applyFeedEvent('health', state, { kind: 'health.cluster.v1', cluster: { nodeReady: true, reason: null } });
    expect(state).toMatchObject({ transitions: 1, identifyUntil: 5000, cluster: { nodeReady: true }, evaluation: { status: 'warning' } });
  });
});
