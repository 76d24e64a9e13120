import { describe, expect, it } from 'vitest';
import { HealthHistoryStore } from '../../../daemon/src/health/history.ts';
import { HEALTH_SERIES } from '../../../daemon/src/protocol/health.ts';

const T0 = 1_800_000_000_000; // a whole minute

describe('health history', () => {
  it('preallocates its memory and reports it; recording never grows it', () => {
    const h = new HealthHistoryStore(HEALTH_SERIES);
    const before = h.memory.bytes;
    // 8 series x (3600 + 1440) float32 plus (3600 + 1440) float64 timestamps plus accumulators
    expect(before).toBe(8 * 5040 * 4 + 5040 * 8 + 8 * 8 + 8 * 4 + 8 * 8);
    for (let i = 0; i < 5000; i += 1) h.record(T0 + i * 1000, { cpu: i });
    expect(h.memory.bytes).toBe(before);
    expect(h.fineLength).toBe(3600);
  });

  it('keeps the last hour at 1 s, oldest first, dropping the oldest', () => {
    const h = new HealthHistoryStore(['cpu'], { fineCapacity: 5 });
    for (let i = 0; i < 8; i += 1) h.record(T0 + i * 1000, { cpu: i });
    const q = h.query('1h', 100);
    expect(q.series.cpu).toEqual([3, 4, 5, 6, 7]);
    expect(q.time).toEqual([3, 4, 5, 6, 7].map((i) => T0 / 1000 + i));
    expect(q.stepS).toBe(1);
  });

  it('averages each minute into the 24 h ring once the minute is over', () => {
    const h = new HealthHistoryStore(['cpu']);
    for (let i = 0; i < 120; i += 1) h.record(T0 + i * 1000, { cpu: i < 60 ? 10 : 30 });
    expect(h.coarseLength).toBe(1); // the second minute is still open
    h.record(T0 + 120_000, { cpu: 0 });
    const q = h.query('24h', 100);
    expect(q.series.cpu).toEqual([10, 30]);
    expect(q.stepS).toBe(60);
    expect(q.time).toEqual([T0 / 1000, T0 / 1000 + 60]);
  });

  it('downsamples to at most the requested points by averaging', () => {
    const h = new HealthHistoryStore(['cpu']);
    for (let i = 0; i < 100; i += 1) h.record(T0 + i * 1000, { cpu: i % 2 === 0 ? 0 : 10 });
    const q = h.query('1h', 10);
    expect(q.series.cpu).toHaveLength(10);
    expect(q.series.cpu!.every((v) => v === 5)).toBe(true);
    expect(q.stepS).toBe(10);
  });

  it('stores a missing value as a gap (null), not zero', () => {
    const h = new HealthHistoryStore(['tempMax']);
    h.record(T0, { tempMax: null });
    h.record(T0 + 1000, { tempMax: 50 });
    expect(h.query('1h', 100).series.tempMax).toEqual([null, 50]);
  });

  it('answers only the series asked for', () => {
    const h = new HealthHistoryStore(HEALTH_SERIES);
    h.record(T0, { cpu: 1, memory: 2 });
    expect(Object.keys(h.query('1h', 10, ['memory']).series)).toEqual(['memory']);
  });

  it('averages the last minute for the evaluator', () => {
    const h = new HealthHistoryStore(['cpu']);
    for (let i = 0; i < 120; i += 1) h.record(T0 + i * 1000, { cpu: i < 60 ? 0 : 90 });
    expect(h.recentMean('cpu', 60)).toBe(90);
    expect(new HealthHistoryStore(['cpu']).recentMean('cpu', 60)).toBeNull();
  });
});
