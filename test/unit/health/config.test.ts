import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../daemon/src/config/schema.ts';
import { DEFAULT_THRESHOLDS } from '../../../daemon/src/health/evaluate.ts';

describe('health and metrics configuration', () => {
  it('defaults the thresholds to the evaluator defaults and the tiers to 1 s / 10 s / 60 s', () => {
    const config = configSchema.parse({});
    expect(config.health.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect([config.health.fastMs, config.health.mediumMs, config.health.slowMs]).toEqual([1000, 10_000, 60_000]);
    expect(config.metrics.scrapeToken).toBeUndefined();
  });

  it('takes one band from the file and keeps the rest at their defaults', () => {
    const config = configSchema.parse({ health: { thresholds: { filesystemPct: { warning: 70 } } } });
    expect(config.health.thresholds.filesystemPct).toEqual({ warning: 70, critical: 95 });
    expect(config.health.thresholds.memoryPct).toEqual(DEFAULT_THRESHOLDS.memoryPct);
  });

  it('reports a warning above its critical level and a short scrape token, each with its path', () => {
    const result = configSchema.safeParse({ health: { thresholds: { memoryPct: { warning: 99, critical: 90 } } }, metrics: { scrapeToken: 'short' } });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['health.thresholds.memoryPct', 'metrics.scrapeToken']));
  });

  it('refuses unknown threshold names', () => {
    expect(configSchema.safeParse({ health: { thresholds: { diskPct: { warning: 1, critical: 2 } } } }).success).toBe(false);
  });
});
