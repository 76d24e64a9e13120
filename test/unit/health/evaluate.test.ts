import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, evaluateHealth, sameEvaluation } from '../../../daemon/src/health/evaluate.ts';
import { healthySample } from './sample.ts';

const t = DEFAULT_THRESHOLDS;
const fs = (mount: string, usedPct: number, inodesUsedPct = 0) => ({
  mount, device: '/dev/x', fstype: 'ext4', sizeBytes: 100, availBytes: 100 - usedPct, usedBytes: usedPct, usedPct, inodesTotal: 1000, inodesFree: 1000 - inodesUsedPct * 10, readOnly: false,
});

describe('health evaluation', () => {
  it('is ok with no reasons for a healthy node', () => {
    expect(evaluateHealth({ sample: healthySample(), thresholds: t })).toEqual({ status: 'ok', reasons: [] });
  });

  it('warns about a filesystem past its warning level, naming the mount', () => {
    const e = evaluateHealth({ sample: healthySample({ filesystems: [fs('/var', 93)] }), thresholds: t });
    expect(e.status).toBe('warning');
    expect(e.reasons.map((r) => r.message)).toEqual(['/var at 93 %']);
  });

  it('is critical when a filesystem is past the critical level', () => {
    expect(evaluateHealth({ sample: healthySample({ filesystems: [fs('/data', 96)] }), thresholds: t }).status).toBe('critical');
  });

  it('warns about exhausted inodes even when space is fine', () => {
    const e = evaluateHealth({ sample: healthySample({ filesystems: [fs('/var', 10, 90)] }), thresholds: t });
    expect(e.reasons.map((r) => r.message)).toEqual(['/var inodes at 90 %']);
  });

  it('reports memory pressure as "memory N %"', () => {
    const e = evaluateHealth({ sample: healthySample({ memory: { totalBytes: 100, availableBytes: 5, usedPct: 95, swapTotalBytes: 0, swapFreeBytes: 0 } }), thresholds: t });
    expect(e).toMatchObject({ status: 'warning', reasons: [{ kind: 'memory', message: 'memory 95 %' }] });
  });

  it('names the sensor and its critical mark when a chip is past it', () => {
    const sensors = [{ id: 'hwmon:coretemp/temp2', label: 'cpu0', celsius: 101, highC: 80, criticalC: 100 }];
    const e = evaluateHealth({ sample: healthySample({ sensors }), thresholds: t });
    expect(e.reasons[0]).toMatchObject({ severity: 'critical', message: 'cpu0 at 101 °C (critical 100 °C)' });
  });

  it('warns at a chip\'s own high mark before the configured default', () => {
    const sensors = [{ id: 's', label: 'cpu0', celsius: 96, highC: 90, criticalC: 105 }];
    const e = evaluateHealth({ sample: healthySample({ sensors }), thresholds: t });
    expect(e.reasons[0]).toMatchObject({ severity: 'warning', message: 'cpu0 at 96 °C (high 90 °C, critical 105 °C)' });
  });

  it('falls back to the configured temperatures for a sensor without marks', () => {
    const sensors = [{ id: 's', label: 'board', celsius: 96, highC: null, criticalC: null }];
    expect(evaluateHealth({ sample: healthySample({ sensors }), thresholds: t }).reasons[0]!.message).toBe('board at 96 °C (critical 95 °C)');
  });

  it('says the clock is not synchronised only when something says so', () => {
    const unsynced = healthySample({ clock: { synchronised: false, source: 'timedatectl', timezone: 'UTC', offsetMs: null } });
    expect(evaluateHealth({ sample: unsynced, thresholds: t }).reasons.map((r) => r.message)).toEqual(['clock not synchronised']);
    const unknown = healthySample({ clock: { synchronised: null, source: 'unknown', timezone: 'UTC', offsetMs: null } });
    expect(evaluateHealth({ sample: unknown, thresholds: t }).status).toBe('ok');
  });

  it('lets the configuration ignore an unsynchronised clock (air-gapped without NTP)', () => {
    const unsynced = healthySample({ clock: { synchronised: false, source: 'timedatectl', timezone: 'UTC', offsetMs: null } });
    expect(evaluateHealth({ sample: unsynced, thresholds: { ...t, clockUnsynchronised: 'ok' } }).status).toBe('ok');
  });

  it('is critical when the cluster says the node is NotReady, and ignores a missing cluster', () => {
    const e = evaluateHealth({ sample: healthySample(), thresholds: t, cluster: { nodeReady: false, reason: 'KubeletNotReady' } });
    expect(e).toMatchObject({ status: 'critical', reasons: [{ kind: 'cluster', message: 'node NotReady: KubeletNotReady' }] });
    expect(evaluateHealth({ sample: healthySample(), thresholds: t, cluster: null }).status).toBe('ok');
  });

  it('judges CPU on the minute mean, not one busy second', () => {
    const busy = healthySample({ cpu: { totalPct: 100, perCorePct: [100], load: [1, 1, 1], freqMhz: null } });
    expect(evaluateHealth({ sample: busy, thresholds: t, cpuMeanPct: 40 }).status).toBe('ok');
    expect(evaluateHealth({ sample: busy, thresholds: t, cpuMeanPct: 99 }).reasons[0]!.message).toBe('cpu 99 % over the last minute');
  });

  it('reports swap use only when swap exists', () => {
    const m = { totalBytes: 100, availableBytes: 50, usedPct: 50, swapTotalBytes: 100, swapFreeBytes: 10 };
    expect(evaluateHealth({ sample: healthySample({ memory: m }), thresholds: t }).reasons[0]!.message).toBe('swap 90 %');
  });

  it('lists critical reasons before warnings and takes the worst status', () => {
    const e = evaluateHealth({ sample: healthySample({ filesystems: [fs('/var', 90), fs('/data', 99)] }), thresholds: t });
    expect(e.status).toBe('critical');
    expect(e.reasons.map((r) => r.severity)).toEqual(['critical', 'warning']);
  });

  it('honours configured thresholds', () => {
    const strict = { ...t, filesystemPct: { warning: 40, critical: 60 } };
    expect(evaluateHealth({ sample: healthySample(), thresholds: strict }).reasons.map((r) => r.message)).toEqual(['/ at 50 %']);
  });

  it('compares evaluations by status and reason texts', () => {
    const a = evaluateHealth({ sample: healthySample({ filesystems: [fs('/var', 93)] }), thresholds: t });
    const b = evaluateHealth({ sample: healthySample({ filesystems: [fs('/var', 94)] }), thresholds: t });
    expect(sameEvaluation(a, a)).toBe(true);
    expect(sameEvaluation(a, b)).toBe(false);
  });
});
