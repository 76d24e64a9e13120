// The guard's audit hooks. A mutation's outcome is recorded once its answer is sent: refusals by a
// known caller (a role too small, a foreign Origin, a missing or wrong session token) on every
// route, counted per caller, address, route and reason into one record per window (a hostile page
// in a logged-in browser can repeat them at will); a handler's own outcome for routes that declare
// an action and do not record it themselves. Anonymous refusals are not recorded (anyone could grow
// the log); a session cookie presented from another address than its own is, against its user.
import type { Request, RequestHandler } from 'express';
import type { AuditAggregator } from '../audit/index.ts';
import type { RouteSpec } from '../http/index.ts';
import type { Caller, GuardDeps } from './guard.ts';
import { principalOf, requestContext } from './guard.ts';
import { actorName, roleOf } from './principal.ts';

/** The action a route's records carry; a route that audits itself without naming one gets this. */
export const UNNAMED_REFUSAL_ACTION = 'request.refused';

function actionOf(route: RouteSpec): { action: string; target?: (req: Request) => string; self: boolean } {
  if (route.audit === undefined || route.audit === 'self') return { action: UNNAMED_REFUSAL_ACTION, self: true };
  return { action: route.audit.action, target: route.audit.target, self: route.audit.self === true };
}

export function auditMutation(deps: Pick<GuardDeps, 'audit' | 'counted'>, route: RouteSpec): RequestHandler {
  const spec = actionOf(route);
  const routeName = `${route.method} ${route.path}`;
  return (req, res, next) => {
    res.once('finish', () => {
      const principal = principalOf(res);
      if (principal.kind === 'anonymous') return;
      const refusal = res.locals.refusal as string | undefined;
      const who = { actor: actorName(principal), role: roleOf(principal), address: requestContext(req).address };
      const base = { ...who, action: spec.action, target: spec.target?.(req) ?? req.path };
      if (refusal !== undefined) {
        deps.counted.count({ ...base, outcome: 'denied', detail: { route: routeName, code: refusal } });
        return;
      }
      if (spec.self) return;
      const outcome = res.statusCode < 400 ? 'success' : res.statusCode === 401 || res.statusCode === 403 ? 'denied' : 'failure';
      deps.audit.append({ ...base, outcome, detail: { status: res.statusCode } });
    });
    next();
  };
}

/** A session's cookie came from another address than the session's: a stolen cookie, or a moved laptop. */
export function countReplay(counted: AuditAggregator, caller: Caller, address: string): void {
  const claimed = caller.claimed;
  if (!claimed) return;
  const target = `session from ${claimed.session.address}`;
  const who = { actor: claimed.username, role: claimed.role, address };
  counted.count({ ...who, action: 'session.replayed', target, outcome: 'denied', reason: 'cookie from another address' });
}
