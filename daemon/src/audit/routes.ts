// The audit log over HTTP, for admins: filtered pages and a JSON-lines export. Web side: the records
// are read from the shared database; the chain's state comes from the agent, which holds its key.
import { once } from 'node:events';
import { z } from 'zod';
import { parseQuery, type RouteSpec } from '../http/index.ts';
import type { AuditPage, AuditRecordInfo } from '../protocol/auth.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditRecord } from './chain.ts';
import type { VerificationStatus } from './verifier.ts';

const queryShape = z
  .object({
    actor: z.string().max(64).optional(),
    action: z.string().max(64).optional(),
    outcome: z.enum(['success', 'failure', 'denied']).optional(),
    since: z.coerce.number().int().min(0).optional(),
    until: z.coerce.number().int().min(0).optional(),
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();


export function toAuditInfo(record: AuditRecord): AuditRecordInfo {
  let detail: Record<string, unknown> = {};
  try {
    detail = JSON.parse(record.detail) as Record<string, unknown>;
  } catch {
    detail = { unparsed: record.detail };
  }
  return { id: record.id, time: record.time, actor: record.actor, role: record.role, address: record.address, action: record.action, target: record.target, outcome: record.outcome, detail, hash: record.hash };
}

export function auditRoutes(audit: AuditLog, verifier: { status(): Promise<VerificationStatus> }): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/audit',
      policy: 'admin',
      summary: 'audit records, newest first, filtered by actor, action prefix, outcome, time; the next page with before=<next>',
      handler: async (req, res) => {
        const page = audit.queryPage(parseQuery(queryShape, req.query));
        // From the checkpoint: only what was appended since is checked here (verifier.ts).
        const body: AuditPage = { records: page.records.map(toAuditInfo), next: page.next, verified: await verifier.status() };
        res.json(body);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/audit/export',
      policy: 'admin',
      summary: 'the whole audit log as JSON lines (one record per line, oldest first, with hashes)',
      handler: async (_req, res) => {
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
        res.setHeader('Content-Disposition', `attachment; filename="outpost-audit-${stamp}.jsonl"`);
        // Streamed with backpressure: a large log never sits in memory.
        for (const record of audit.all()) {
          if (res.destroyed) return;
          if (!res.write(`${JSON.stringify(record)}\n`)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
        }
        res.end();
      },
    },
  ];
}
