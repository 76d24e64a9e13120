// Enforces each route's policy. Order for a mutation: who (session → 401), may they (role → 403),
// from our own page (Origin → 403), with the session's token (→ 403). Every mutation by a known
// caller is audited with its outcome, refusals included.
// A request acts for a session only with the cookie, from the session's address, with its token
// (session-binding.ts). A change from the session's address without the token gets as far as the
// token check as the user the cookie names, so the refusal is recorded against that user.
// The kiosk listener never sees a mutating route: they are not registered there at all.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { OutpostError } from '../lib/errors.ts';
import type { AuditAggregator, AuditWriter } from '../audit/index.ts';
import { auditMutation, countReplay } from './guard-audit.ts';
import { MUTATING_METHODS, type PolicyGuard, type RouteSpec } from '../http/index.ts';
import { actorName, clientAddress, roleOf, type Principal, type RequestContext, type UserPrincipal } from './principal.ts';
import { isSameOrigin, parseCookies, sessionCookieName } from './request-checks.ts';
import { roleAtLeast, type Role } from './roles.ts';
import { hashSessionId } from './sessions.ts';
import { SESSION_TOKEN_HEADER, tokenFromHeader, type Binding } from './session-binding.ts';
import type { AuthService } from './service.ts';

export type Listener = 'main' | 'kiosk';

export interface GuardDeps {
  auth: AuthService;
  audit: AuditWriter;
  /** Refusals and replayed cookies are counted per caller, route and reason, one record per window. */
  counted: AuditAggregator;
  listener: Listener;
  secure: boolean;
  scrapeToken?: string;
}

export function requestContext(req: Request): RequestContext {
  return { address: clientAddress(req.socket.remoteAddress), userAgent: String(req.headers['user-agent'] ?? '').slice(0, 256) };
}

/** Who asks the agent for a change: the caller, its address and this request's id (the agent's audit records carry it). */
export function requestActor(req: Request, res: Response): { name: string; role: string; address: string; requestId: string } {
  const principal = principalOf(res);
  const locals = res.locals as { requestId?: string };
  locals.requestId ??= randomUUID();
  return { name: actorName(principal), role: roleOf(principal), address: requestContext(req).address, requestId: locals.requestId };
}

/** Who is calling, and, when a session cookie did not bind, the user it named. */
export interface Caller {
  principal: Principal;
  claimed?: UserPrincipal;
  binding?: Binding;
}

export interface RequestParts {
  cookieHeader: string | undefined;
  address: string;
  token: string | undefined;
}

/** The caller behind a session cookie, from the parts of a request (HTTP or the feed handshake). */
export function sessionCallerOf(auth: AuthService, secure: boolean, parts: RequestParts): Caller {
  const cookie = parseCookies(parts.cookieHeader).get(sessionCookieName(secure));
  if (!cookie || cookie.length > 128) return { principal: { kind: 'anonymous' } };
  const result = auth.sessionCaller(hashSessionId(cookie), parts.address, parts.token);
  if (!('principal' in result)) return { principal: { kind: 'anonymous' } };
  if (result.binding === 'bound') return { principal: result.principal, binding: 'bound' };
  return { principal: { kind: 'anonymous' }, claimed: result.principal, binding: result.binding };
}

export function principalOf(res: Response): Principal {
  return (res.locals.principal as Principal | undefined) ?? { kind: 'anonymous' };
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who is calling, from the listener, the session cookie (with its binding) or a scrape token. */
export function resolveCaller(req: Request, deps: GuardDeps, allowScrapeToken = false): Caller {
  if (deps.listener === 'kiosk') return { principal: { kind: 'kiosk', role: 'viewer' } };
  const token = tokenFromHeader(req.headers[SESSION_TOKEN_HEADER]);
  const caller = sessionCallerOf(deps.auth, deps.secure, { cookieHeader: req.headers.cookie, address: requestContext(req).address, token });
  if (caller.principal.kind !== 'anonymous') return caller;
  const authorization = req.headers.authorization;
  if (allowScrapeToken && deps.scrapeToken && authorization?.startsWith('Bearer ') && tokensEqual(authorization.slice(7), deps.scrapeToken)) {
    return { principal: { kind: 'scraper', role: 'viewer' } };
  }
  return caller;
}

export function resolvePrincipal(req: Request, deps: GuardDeps, allowScrapeToken = false): Principal {
  return resolveCaller(req, deps, allowScrapeToken).principal;
}

export function policyGuard(deps: GuardDeps): PolicyGuard {
  return (route: RouteSpec) => {
    const mutating = MUTATING_METHODS.has(route.method) || route.guardAsChange === true;
    const chain: RequestHandler[] = [
      (req, res, next) => {
        const caller = resolveCaller(req, deps, route.scrapeToken === true);
        res.locals.caller = caller;
        res.locals.principal = (mutating && caller.binding === 'no-token' ? caller.claimed : undefined) ?? caller.principal;
        if (caller.binding === 'other-address') countReplay(deps.counted, caller, requestContext(req).address);
        next();
      },
    ];
    if (mutating) chain.push(auditMutation(deps, route));
    if (route.policy === 'viewer' || route.policy === 'operator' || route.policy === 'admin') chain.push(requireRole(route.policy));
    if (mutating) chain.push(requireSameOrigin(deps.secure));
    if (mutating && route.policy !== 'public') chain.push(requireCsrf);
    return chain;
  };
}

/** Refuses the request, noting the code so the audit hook can tell a refusal from a failed handler. */
function refuse(res: Response, next: NextFunction, error: OutpostError): void {
  res.locals.refusal = error.code;
  next(error);
}

function requireRole(needed: Role): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (principal.kind === 'anonymous') return refuse(res, next, new OutpostError('unauthenticated', 'log in first'));
    if (principal.kind === 'scraper' && needed !== 'viewer') return refuse(res, next, new OutpostError('forbidden', 'a scrape token only reads'));
    if (roleAtLeast(principal.role, needed)) return next();
    refuse(res, next, new OutpostError('forbidden', `this needs the ${needed} role; you are ${principal.role}`));
  };
}

function requireSameOrigin(secure: boolean): RequestHandler {
  return (req, res, next) => {
    const site = req.headers['sec-fetch-site'] as string | undefined;
    const ok = isSameOrigin({ origin: req.headers.origin, 'sec-fetch-site': site, host: req.headers.host }, secure);
    if (ok) return next();
    refuse(res, next, new OutpostError('origin_mismatch', 'this change must come from the Outpost page itself'));
  };
}

/** The session's token proved the binding (checked once, in resolveCaller). */
const requireCsrf: RequestHandler = (_req: Request, res: Response, next: NextFunction) => {
  if (principalOf(res).kind === 'user' && (res.locals.caller as Caller | undefined)?.binding === 'bound') return next();
  refuse(res, next, new OutpostError('csrf_failed', 'missing or wrong X-CSRF-Token header; log in again'));
};
