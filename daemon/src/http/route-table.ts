// Every HTTP route is registered here with the policy that says who may call it. The access layer
// enforces the policy before the handler runs; a test walks this table.
import type { Request, RequestHandler, Router } from 'express';
import { requireMediaType } from './content-type.ts';

export type Policy = 'public' | 'kiosk' | 'viewer' | 'operator' | 'admin';
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: Method;
  path: string;
  policy: Policy;
  summary: string;
  handler: RequestHandler;
  /** Also accept the configured Prometheus scrape token (`Authorization: Bearer …`). */
  scrapeToken?: boolean;
  /**
   * Served on the loopback kiosk listener (no login) as well. Default false: only what the kiosk page
   * uses is marked, and never a mutating route (docs/security.md, "The kiosk listener").
   */
  kiosk?: boolean;
  /**
   * Required on every mutating route: the audit action recorded with the caller, target and
   * outcome once the response is sent. With `self: true` the handler records its own outcomes and
   * the action names only the access layer's refusals; bare 'self' is the same with a generic action.
   */
  audit?: { action: string; target?: (req: Request) => string; self?: boolean } | 'self';
  /** Body media types a mutating route takes (default: JSON only); anything else is answered 415. */
  accepts?: readonly string[];
  /**
   * A read guarded like a change (Origin and session token too): a tus HEAD, which belongs to an
   * upload and tells where it stands. Never served on the kiosk listener.
   */
  guardAsChange?: boolean;
}

/** Builds the middleware that enforces a policy; the access layer provides it. */
export type PolicyGuard = (route: RouteSpec) => RequestHandler[];

export const MUTATING_METHODS: ReadonlySet<Method> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class RouteTable {
  private readonly specs: RouteSpec[] = [];

  add(...routes: RouteSpec[]): void {
    for (const route of routes) {
      if (this.specs.some((r) => r.method === route.method && r.path === route.path)) {
        throw new Error(`route ${route.method} ${route.path} registered twice`);
      }
      if (MUTATING_METHODS.has(route.method) && !route.audit) {
        throw new Error(`mutating route ${route.method} ${route.path} must declare its audit action`);
      }
      if ((MUTATING_METHODS.has(route.method) || route.guardAsChange) && (route.policy === 'kiosk' || route.kiosk === true)) {
        throw new Error(`route ${route.method} ${route.path}: the kiosk has no mutating route`);
      }
      this.specs.push(route);
    }
  }

  get routes(): readonly RouteSpec[] {
    return this.specs;
  }

  /**
   * Registers the routes `include` accepts (all by default) on `router`, each behind its guard; a
   * mutation's body type is checked after the guard, so refusals of who and where come first.
   */
  mount(router: Router, guard: PolicyGuard, include: (route: RouteSpec) => boolean = () => true): void {
    for (const route of this.specs.filter(include)) {
      const method = route.method.toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';
      const bodyCheck = MUTATING_METHODS.has(route.method) ? [requireMediaType(route.accepts)] : [];
      router[method](route.path, ...guard(route), ...bodyCheck, route.handler);
    }
  }
}
