// Pure parts of the newer controllers: cron schedules, the tiny chart renderer, and the CronJob
// controller driven by a fake clock (no controller loop: `tick()` by hand).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RenderError, renderChart, renderTemplate } from './chart-render.ts';
import { Cluster } from './cluster.ts';
import { parseSchedule, scheduledTimes } from './cron.ts';
import type { Obj } from './types.ts';

const at = (iso: string): Date => new Date(iso);
const times = (spec: string, from: string, to: string): string[] =>
  scheduledTimes(parseSchedule(spec), at(from), at(to)).map((d) => d.toISOString().slice(0, 16));

describe('cron schedules', () => {
  it('finds the times in a window for steps, ranges, lists, names and macros', () => {
    expect(times('*/15 * * * *', '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z')).toEqual([
      '2026-01-01T00:15',
      '2026-01-01T00:30',
      '2026-01-01T00:45',
      '2026-01-01T01:00',
    ]);
    expect(times('0 3 * * *', '2026-01-01T00:00:00Z', '2026-01-03T12:00:00Z')).toEqual(['2026-01-01T03:00', '2026-01-02T03:00', '2026-01-03T03:00']);
    expect(times('30 8 * * MON-FRI', '2026-01-02T00:00:00Z', '2026-01-06T00:00:00Z')).toEqual(['2026-01-02T08:30', '2026-01-05T08:30']);
    expect(times('0 0 1,15 * *', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')).toEqual(['2026-01-15T00:00', '2026-02-01T00:00']);
    expect(times('@hourly', '2026-01-01T00:00:00Z', '2026-01-01T02:30:00Z')).toEqual(['2026-01-01T01:00', '2026-01-01T02:00']);
    expect(times('0 0 1 JAN *', '2025-06-01T00:00:00Z', '2026-06-01T00:00:00Z')).toEqual(['2026-01-01T00:00']);
    expect(times('0 0 13 * 5', '2026-02-01T00:00:00Z', '2026-03-14T00:00:00Z')).toEqual([
      '2026-02-06T00:00',
      '2026-02-13T00:00',
      '2026-02-20T00:00',
      '2026-02-27T00:00',
      '2026-03-06T00:00',
      '2026-03-13T00:00',
    ]);
  });

  it('rejects malformed schedules', () => {
    for (const bad of ['* * * *', '61 * * * *', '*/0 * * * *', '5-1 * * * *', 'x * * * *']) expect(() => parseSchedule(bad), bad).toThrow();
  });
});

describe('chart rendering', () => {
  const scope = { Release: { Name: 'r', Namespace: 'ns' }, Chart: { Name: 'c', Version: '1.2.3' }, Values: { a: { b: 7 }, s: 'x' } };
  it('renders lookups with quote and default, trims with dashes, and drops comments', () => {
    expect(renderTemplate('name: {{ .Release.Name }}-{{ .Values.a.b }}', scope)).toBe('name: r-7');
    expect(renderTemplate('v: {{ .Chart.Version | quote }} d: {{ .Values.none | default "z" }}', scope)).toBe('v: "1.2.3" d: z');
    expect(renderTemplate('a:\n  {{- /* note */}}\n  b: 1', scope)).toBe('a:\n  b: 1');
  });

  it('refuses what it does not implement instead of guessing', () => {
    expect(() => renderTemplate('{{ include "x" . }}', scope)).toThrow(RenderError);
    expect(() => renderTemplate('{{ if .Values.s }}y{{ end }}', scope)).toThrow(/only .Release, .Chart and .Values/);
    expect(() => renderTemplate('{{ .Values.s | upper }}', scope)).toThrow(/only the quote and default/);
  });

  it('reads a packaged chart: values merged from the chart, valuesContent and set; crds and templates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kube-sim-chart-'));
    try {
      mkdirSync(join(dir, 'c', 'templates'), { recursive: true });
      writeFileSync(join(dir, 'c', 'Chart.yaml'), 'name: c\nversion: 0.1.0\n');
      writeFileSync(join(dir, 'c', 'values.yaml'), 'n: 1\nm: 1\nk: 1\n');
      writeFileSync(
        join(dir, 'c', 'templates', 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\ndata: {n: "{{ .Values.n }}", m: "{{ .Values.m }}", k: "{{ .Values.k }}"}\n',
      );
      execFileSync('tar', ['-czf', join(dir, 'c.tgz'), '-C', dir, 'c']);
      const out = renderChart(readFileSync(join(dir, 'c.tgz')), { name: 'rel', namespace: 'ns' }, 'm: 2\nk: 2\n', { k: 3 });
      expect(out.objects).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rel' }, data: { n: '1', m: '2', k: '3' } }]);
      expect(out.chart).toMatchObject({ name: 'c', version: '0.1.0' });
      expect(() => renderChart(Buffer.from('not a chart'), { name: 'r', namespace: 'n' }, '')).toThrow(RenderError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CronJob controller', () => {
  const template = (annotations: Obj = {}): Obj => ({
    spec: { template: { metadata: { annotations }, spec: { restartPolicy: 'Never', containers: [{ name: 'r', image: 'x:1' }] } } },
  });
  function start(spec: Obj): { cluster: Cluster; advance: (ms: number) => void; jobs: () => Obj[]; reasons: () => string[] } {
    let now = at('2026-03-01T02:58:30Z');
    const cluster = new Cluster({ now: () => now, timing: { readyAfterMs: 0, runMs: 0, terminationMs: 0 } });
    cluster.api.create(cluster.api.info('batch/v1', 'CronJob'), 'default', { metadata: { name: 'report' }, spec: { schedule: '*/1 * * * *', ...spec } });
    const advance = (ms: number): void => {
      now = new Date(now.getTime() + ms);
      for (let t = 0; t < 6; t++) cluster.tick();
    };
    const jobs = (): Obj[] => cluster.list('batch/v1', 'Job', 'default');
    const reasons = (): string[] =>
      cluster
        .list('v1', 'Event', 'default')
        .filter((e) => e.involvedObject.kind === 'CronJob')
        .map((e) => e.reason);
    return { cluster, advance, jobs, reasons };
  }

  it('starts a Job at each scheduled minute, owned by the CronJob, and keeps the history limit', () => {
    const { cluster, advance, jobs, reasons } = start({ successfulJobsHistoryLimit: 2, jobTemplate: template() });
    advance(0);
    expect(jobs()).toEqual([]);
    advance(35_000);
    expect(jobs().map((j) => j.metadata.name)).toEqual([`report-${Math.floor(at('2026-03-01T02:59:00Z').getTime() / 60_000)}`]);
    expect(jobs()[0]?.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'report', controller: true });
    expect(cluster.get('batch/v1', 'CronJob', 'default', 'report')?.status.lastScheduleTime).toBe('2026-03-01T02:59:00Z');
    for (let i = 0; i < 4; i++) advance(60_000);
    expect(jobs()).toHaveLength(2);
    expect(cluster.get('batch/v1', 'CronJob', 'default', 'report')?.status.lastSuccessfulTime).toBeDefined();
    expect(reasons()).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SawCompletedJob', 'SuccessfulDelete']));
  });

  it('Forbid skips a run while the last one is active; Replace replaces it; suspend stops it', () => {
    const forbid = start({ concurrencyPolicy: 'Forbid', jobTemplate: template({ 'sim.outpost.dev/behavior': 'ready' }) });
    forbid.advance(35_000);
    forbid.advance(60_000);
    forbid.advance(60_000);
    expect(forbid.jobs()).toHaveLength(1);
    expect(forbid.reasons()).toContain('JobAlreadyActive');
    const replace = start({ concurrencyPolicy: 'Replace', jobTemplate: template({ 'sim.outpost.dev/behavior': 'ready' }) });
    replace.advance(35_000);
    const first = replace.jobs()[0]?.metadata.name;
    replace.advance(60_000);
    expect(replace.jobs().map((j) => j.metadata.name)).not.toContain(first);
    expect(replace.jobs()).toHaveLength(1);
    const suspended = start({ suspend: true, jobTemplate: template() });
    suspended.advance(120_000);
    expect(suspended.jobs()).toEqual([]);
  });
});
