// The support bundle over HTTP (web side): POST /api/v1/support-bundle streams a fresh .tar.gz to
// an operator. POST, not GET, because it is sensitive and costly: the guard checks the session,
// the role, the Origin and the CSRF token, and audits the outcome once the download is complete;
// a download that breaks off is audited here as a failure. One bundle at a time.
import { pipeline } from 'node:stream/promises';
import { actorName, principalOf, requestContext, roleOf } from './auth/index.ts';
import type { AuditWriter } from './audit/index.ts';
import type { RouteSpec } from './http/index.ts';
import type { Logger } from './lib/logger.ts';
import type { SupportService } from './support/index.ts';

export const SUPPORT_BUNDLE_PATH = '/api/v1/support-bundle';
export const SUPPORT_AUDIT_ACTION = 'support.bundle';

export function supportRoutes(deps: { support: SupportService; audit: AuditWriter; log: Logger; maxBytes: number }): RouteSpec[] {
  const log = deps.log.child({ module: 'support' });
  return [
    {
      method: 'POST',
      path: SUPPORT_BUNDLE_PATH,
      policy: 'operator',
      summary: 'make a support bundle and download it (.tar.gz, streamed; one at a time)',
      audit: { action: SUPPORT_AUDIT_ACTION, target: () => 'support bundle' },
      handler: async (req, res) => {
        const cancel = new AbortController();
        const bundle = deps.support.open(cancel.signal);
        const started = Date.now();
        let sent = 0;
        let failure = 'the download was interrupted';
        res.once('close', () => {
          if (res.writableFinished) return;
          cancel.abort(new Error(failure));
          const principal = principalOf(res);
          deps.audit.append({
            actor: actorName(principal),
            role: roleOf(principal),
            address: requestContext(req).address,
            action: SUPPORT_AUDIT_ACTION,
            target: 'support bundle',
            outcome: 'failure',
            detail: { reason: failure, bytesSent: sent },
          });
        });
        res.status(200);
        res.setHeader('Content-Type', 'application/gzip');
        res.setHeader('Content-Disposition', `attachment; filename="${bundle.fileName}"`);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('X-Outpost-Max-Bytes', String(deps.maxBytes));
        bundle.stream.on('data', (chunk: Buffer) => (sent += chunk.length));
        try {
          await pipeline(bundle.stream, res);
          const summary = await bundle.done;
          const partial = summary.sections.filter((s) => s.outcome !== 'complete').map((s) => `${s.section}: ${s.outcome}`);
          log.info({ file: bundle.fileName, bytes: sent, tarBytes: summary.tarBytes, ms: Date.now() - started, partial }, 'support bundle sent');
        } catch (error) {
          // Headers are gone: a broken stream is all the browser can be told (it reports the download as failed).
          if (!cancel.signal.aborted) {
            failure = `the bundle failed: ${error instanceof Error ? error.message : String(error)}`;
            log.error({ err: error, file: bundle.fileName }, 'support bundle failed');
          }
          cancel.abort(error);
          await bundle.done.catch(() => undefined);
          res.destroy();
        }
      },
    },
  ];
}
