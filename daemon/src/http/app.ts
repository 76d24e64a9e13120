// createApp(deps): the express application, not listening. Tests start it on port 0.
import express, { type Express } from 'express';
import type { Logger } from '../lib/logger.ts';
import { OutpostError } from '../lib/errors.ts';
import { problemHandler } from './problem.ts';
import { securityHeaders } from './security-headers.ts';
import { staticUi } from './static-ui.ts';
import type { RouteTable, PolicyGuard, RouteSpec } from './route-table.ts';

export interface AppDeps {
  log: Logger;
  routes: RouteTable;
  uiDist: string;
  /** Enforces each route's policy; defaults to allowing only `public` routes. */
  guard?: PolicyGuard;
  jsonLimitBytes?: number;
  /** Registers only the routes this listener serves (the kiosk gets no mutating route at all). */
  include?: (route: RouteSpec) => boolean;
  /** Refuses requests whose Host header is not one of the device's names (DNS rebinding). */
  hostAllowed?: (host: string | undefined) => boolean;
}

const publicOnly: PolicyGuard = (route) =>
  route.policy === 'public' ? [] : [(_req, _res, next) => next(new OutpostError('not_found', 'no such route'))];

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', 'strong');
  app.use(securityHeaders());
  if (deps.hostAllowed) {
    const allowed = deps.hostAllowed;
    app.use((req, _res, next) =>
      next(allowed(req.headers.host) ? undefined : new OutpostError('host_not_allowed', 'this device does not answer to that host name')),
    );
  }
  app.use('/api', express.json({ limit: deps.jsonLimitBytes ?? 64 * 1024, strict: true }));

  const router = express.Router();
  deps.routes.mount(router, deps.guard ?? publicOnly, deps.include);
  app.use(router);

  app.use('/api', (req, _res, next) => next(new OutpostError('not_found', `no API route ${req.method} ${req.originalUrl}`)));
  app.use(staticUi(deps.uiDist));
  app.use((req, _res, next) => next(new OutpostError('not_found', `nothing at ${req.path}`)));
  app.use(problemHandler(deps.log.child({ module: 'http' })));
  return app;
}
