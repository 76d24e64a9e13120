// HTTP routes of the health capability: snapshot, history, Prometheus text, identify.
import { z } from 'zod';
import type { Registry } from 'prom-client';
import type { RouteSpec } from '../http/index.ts';
import { OutpostError } from '../lib/errors.ts';
import { HEALTH_SERIES, type HealthHistory, type HealthSeriesName, type HealthSnapshot, type HistoryRange, type IdentifyResponse } from '../protocol/health.ts';

export interface HealthRouteDeps {
  snapshot(): HealthSnapshot;
  history(range: HistoryRange, points: number, series: readonly HealthSeriesName[]): HealthHistory;
  registry: Registry;
  identify(seconds: number, request: { ip: string | undefined }): IdentifyResponse;
}

const historyQuery = z
  .object({
    range: z.enum(['1h', '24h']).default('1h'),
    points: z.coerce.number().int().min(10).max(3600).default(720),
    series: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined || s === '') return [...HEALTH_SERIES];
        const names = s.split(',');
        const unknown = names.filter((n) => !(HEALTH_SERIES as readonly string[]).includes(n));
        if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown series ${unknown.join(', ')}; known: ${HEALTH_SERIES.join(', ')}` });
        return names as HealthSeriesName[];
      }),
  })
  .strict();

const identifyBody = z.object({ seconds: z.number().int().min(1).max(300).default(30) }).strict();

function invalid(error: z.ZodError, where: string): OutpostError {
  return new OutpostError('validation_failed', `the ${where} is not valid`, {
    errors: error.issues.map((i) => ({ path: i.path.join('.') || where, message: i.message })),
  });
}

export function healthRoutes(deps: HealthRouteDeps): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/health',
      policy: 'viewer',
      summary: 'node health: latest sample, verdict with reasons, history memory',
      handler: (_req, res) => void res.json(deps.snapshot()),
    },
    {
      method: 'GET',
      path: '/api/v1/health/history',
      policy: 'viewer',
      summary: 'key series over the last hour (1 s) or day (1 min), downsampled to ?points',
      handler: (req, res) => {
        const parsed = historyQuery.safeParse(req.query);
        if (!parsed.success) throw invalid(parsed.error, 'query');
        res.json(deps.history(parsed.data.range, parsed.data.points, parsed.data.series));
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      policy: 'viewer',
      scrapeToken: true,
      summary: 'Prometheus text format: node, health and daemon process metrics',
      handler: async (_req, res) => {
        const text = await deps.registry.metrics();
        res.setHeader('Content-Type', deps.registry.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.send(text);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/identify',
      policy: 'operator',
      audit: { action: 'device.identify', target: () => 'kiosk screen' },
      summary: 'flash the kiosk screen for a while so a technician finds this box',
      handler: (req, res) => {
        const parsed = identifyBody.safeParse(req.body ?? {});
        if (!parsed.success) throw invalid(parsed.error, 'body');
        res.json(deps.identify(parsed.data.seconds, { ip: req.ip }));
      },
    },
  ];
}
