// Front door of browser uploads (docs/uploads-and-usb.md): tus 1.0.0 at /api/v1/uploads, spooled in
// the web process's folder, handed to the agent when complete. Web side: the agent is reached through
// its verbs only (`offerUpload`), so it can live in another process.
import type { IncomingMessage } from 'node:http';
import type { ArrivalAgent } from '../agent/index.ts';
import type { AuditInput } from '../audit/index.ts';
import type { RouteSpec } from '../http/index.ts';
import type { Logger } from '../lib/logger.ts';
import { UploadRegistry } from './registry.ts';
import { uploadRoutes } from './routes.ts';
import { Spool } from './spool-adapter.ts';
import { createTus, UPLOADS_PATH } from './tus-adapter.ts';

export { UPLOADS_PATH } from './tus-adapter.ts';
export { admitUpload, parseUploadLength, MIN_UPLOAD_BYTES } from './admission-pure.ts';

export interface UploadsOptions {
  spoolDir: string;
  maxBytes: number;
  maxConcurrent: number;
  expireMs: number;
  idleTimeoutMs: number;
  reservePercent: number;
  agent: Pick<ArrivalAgent, 'offerUpload'>;
  audit(input: AuditInput): void;
  log: Logger;
  /** How often expired uploads are looked for (default: an hour, or a quarter of the expiry if shorter). */
  sweepMs?: number;
}

export interface Uploads {
  routes: RouteSpec[];
  /** For the listener: upload PATCHes live as long as they move; `idleMs` without a byte closes them. */
  longRequests: { matches(req: IncomingMessage): boolean; idleMs: number };
  registry: UploadRegistry;
  /** Hands over what finished while the daemon was down, then sweeps expired uploads periodically. */
  start(): () => Promise<void>;
}

export function createUploads(options: UploadsOptions): Uploads {
  const spool = new Spool(options.spoolDir);
  const owners = new WeakMap<IncomingMessage, { by: string; address: string }>();
  // The store calls back into the registry, which removes through the store: tied after both exist.
  const finished: { to?: (id: string) => void } = {};
  const tus = createTus({
    spoolDir: spool.dir,
    maxBytes: options.maxBytes,
    expireMs: options.expireMs,
    ownerOf: (req) => owners.get(req),
    onFinished: (upload) => finished.to?.(upload.id),
  });
  const registry = new UploadRegistry({ spool, agent: options.agent, audit: options.audit, log: options.log, now: Date.now, expireMs: options.expireMs, remove: (id) => tus.remove(id) });
  const reg = registry;
  finished.to = (id) => reg.finished(id);
  const prefix = `${UPLOADS_PATH}/`;
  return {
    routes: uploadRoutes({ tus, spool, registry: reg, owners, audit: options.audit, limits: { maxBytes: options.maxBytes, maxConcurrent: options.maxConcurrent, reservePercent: options.reservePercent } }),
    longRequests: { matches: (req) => req.method === 'PATCH' && (req.url ?? '').startsWith(prefix), idleMs: options.idleTimeoutMs },
    registry: reg,
    start() {
      const sweep = () => void reg.sweep().catch((error: unknown) => options.log.error({ err: error }, 'sweeping the upload spool failed'));
      sweep();
      const timer = setInterval(sweep, options.sweepMs ?? Math.min(3_600_000, Math.max(1000, options.expireMs / 4)));
      timer.unref();
      return async () => {
        clearInterval(timer);
        await reg.idle();
      };
    },
  };
}
