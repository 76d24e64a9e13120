// The upload routes: tus 1.0.0 (POST creates, HEAD tells the offset, PATCH appends, DELETE cancels)
// at /api/v1/uploads, all operator-only and guarded like any change (session, role, Origin, token;
// the Host allow-list before them), plus two JSON reads of where uploads stand.
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import { actorName, principalOf, requestContext, roleOf } from '../auth/index.ts';
import type { RouteSpec } from '../http/index.ts';
import { OutpostError } from '../lib/errors.ts';
import type { AuditInput } from '../audit/index.ts';
import { admitUpload, parseUploadLength, type AdmissionLimits } from './admission-pure.ts';
import type { UploadRegistry } from './registry.ts';
import type { Spool } from './spool-adapter.ts';
import { UPLOADS_PATH, type TusAdapter } from './tus-adapter.ts';

export const TUS_BODY_TYPE = 'application/offset+octet-stream';

export interface UploadRouteDeps {
  tus: TusAdapter;
  spool: Spool;
  registry: UploadRegistry;
  limits: AdmissionLimits;
  owners: WeakMap<IncomingMessage, { by: string; address: string }>;
  audit(input: AuditInput): void;
}

function who(req: Request, res: Response): { actor: string; role: string; address: string } {
  const p = principalOf(res);
  return { actor: actorName(p), role: roleOf(p), address: requestContext(req).address };
}

function uploadId(req: Request): string {
  const id = String(req.params.id ?? '');
  if (!/^[0-9a-f]{32}$/.test(id)) throw new OutpostError('upload_not_found', `no upload ${id.slice(0, 64)}`);
  return id;
}

export function uploadRoutes(deps: UploadRouteDeps): RouteSpec[] {
  const tus = (req: Request, res: Response) => deps.tus.handle(req, res);
  return [
    {
      method: 'POST',
      path: UPLOADS_PATH,
      policy: 'operator',
      summary: 'tus creation: starts an upload of Upload-Length bytes (size cap, free space with the plan’s reserve, 2 at once)',
      audit: { action: 'upload.start', self: true },
      handler: async (req, res) => {
        const caller = who(req, res);
        const length = parseUploadLength(req.headers['upload-length'] as string | undefined);
        try {
          if (req.headers['upload-defer-length'] !== undefined) throw new OutpostError('upload_too_large', 'deferred lengths are not accepted: declare Upload-Length');
          const entries = await deps.spool.entries();
          admitUpload(length, { incomplete: entries.filter((e) => e.offset < e.size), ...(await deps.spool.space()) }, deps.limits);
        } catch (error) {
          deps.audit({ ...caller, action: 'upload.start', target: `${length ?? '?'} bytes`, outcome: 'failure', detail: { code: (error as OutpostError).code } });
          throw error;
        }
        deps.owners.set(req, { by: caller.actor, address: caller.address });
        await tus(req, res);
        const location = String(res.getHeader('location') ?? '');
        if (res.statusCode === 201) deps.audit({ ...caller, action: 'upload.start', target: `${length} bytes`, outcome: 'success', detail: { uploadId: location.split('/').pop() } });
      },
    },
    {
      method: 'HEAD',
      path: `${UPLOADS_PATH}/:id`,
      policy: 'operator',
      summary: 'tus: the offset the server holds (resume from there)',
      guardAsChange: true,
      handler: tus,
    },
    {
      method: 'PATCH',
      path: `${UPLOADS_PATH}/:id`,
      policy: 'operator',
      summary: 'tus: appends bytes at Upload-Offset; no request timeout, closed after 60 s without a byte',
      audit: { action: 'upload.patch', self: true },
      accepts: ['application/offset+octet-stream'],
      handler: tus,
    },
    {
      method: 'DELETE',
      path: `${UPLOADS_PATH}/:id`,
      policy: 'operator',
      summary: 'tus termination: cancels an upload and deletes what was received',
      audit: { action: 'upload.abandoned', self: true },
      handler: async (req, res) => {
        const status = await deps.registry.status(uploadId(req));
        await tus(req, res);
        if (status && res.statusCode === 204) deps.registry.abandoned(status, who(req, res));
      },
    },
    {
      method: 'GET',
      path: UPLOADS_PATH,
      policy: 'operator',
      summary: 'uploads in progress, being verified, and recently finished (offered or refused, with the code)',
      handler: async (_req, res) => {
        res.json({ uploads: await deps.registry.list() });
      },
    },
    {
      method: 'GET',
      path: `${UPLOADS_PATH}/:id`,
      policy: 'operator',
      summary: 'where one upload stands: receiving, verifying, offered (the bundle) or refused (code and message)',
      handler: async (req, res) => {
        const status = await deps.registry.status(uploadId(req));
        if (!status) throw new OutpostError('upload_not_found', `no upload ${req.params.id}`);
        res.json({ upload: status });
      },
    },
  ];
}
