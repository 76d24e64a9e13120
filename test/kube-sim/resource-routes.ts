// The resource routes of the HTTP adapter, for an authenticated and authorized request: list,
// watch, get (Tables too), pod logs, scale, create, update, the four patches, delete and
// deletecollection, the review kinds and the TokenRequest subresource.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Api } from './api.ts';
import type { Authenticator } from './auth.ts';
import { deleteOptions, managerOf, MAX_BUFFERED, parseBody, readBody, sendJson, wantsTable, type Target } from './http-kit.ts';
import { authorize, type UserInfo } from './rbac.ts';
import { rbacObjects } from './rbac-store.ts';
import { review, tokenRequest } from './reviews.ts';
import type { LogHandler, Track } from './server.ts';
import { patchScaleBody, scaleOf, sinceTime, withScale } from './subresources.ts';
import { toTable } from './tables.ts';
import { ApiError, methodNotAllowed, type KObject, type Obj } from './types.ts';
import { serveWatch } from './watch.ts';

export interface RouteContext {
  api: Api;
  auth: Authenticator;
  logs: LogHandler;
  track: Track;
  user: UserInfo;
  bookmarkMs: number;
  maxWatchSeconds: number;
  maxBodyBytes: number;
}

const APPLY = /^application\/apply-patch\+(yaml|json)/;

/** Creating through PATCH (server-side apply) also needs `create`, as the real server checks. */
function checkCreateOnApply(ctx: RouteContext, target: Target, name: string): void {
  const { info, namespace } = target;
  const attrs = {
    resourceRequest: true,
    verb: 'create',
    path: '',
    apiGroup: info.group,
    apiVersion: info.version,
    namespace: info.namespaced ? (namespace ?? '') : '',
    resource: info.plural,
    subresource: '',
    name,
  };
  const decision = authorize(rbacObjects(ctx.api), ctx.user, attrs);
  if (decision.allowed) return;
  const qualified = info.group ? `${info.plural}.${info.group}` : info.plural;
  throw new ApiError(403, 'Forbidden', `${qualified} "${name}" is forbidden: ${decision.reason}`, {
    name,
    ...(info.group ? { group: info.group } : {}),
    kind: info.plural,
  });
}

export async function serveResource(ctx: RouteContext, target: Target, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const { api, user } = ctx;
  const { info, namespace, name, sub } = target;
  const method = req.method ?? 'GET';
  const nsForWrite = info.namespaced ? namespace : undefined;
  const dryRun = query.getAll('dryRun').includes('All');
  const table = (items: KObject[], rv: string | undefined, cont?: string): Obj =>
    toTable(info, items, api.store.now().getTime(), {
      includeObject: query.get('includeObject') ?? undefined,
      resourceVersion: rv,
      ...(cont ? { continue: cont } : {}),
    });

  if (method === 'GET' && (target.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1') && !sub) {
    const timeout = Math.min(Number(query.get('timeoutSeconds') ?? ctx.maxWatchSeconds) || ctx.maxWatchSeconds, ctx.maxWatchSeconds);
    const fieldSelector = name ? [query.get('fieldSelector'), `metadata.name=${name}`].filter(Boolean).join(',') : query.get('fieldSelector');
    const params = {
      namespace,
      labelSelector: query.get('labelSelector'),
      fieldSelector,
      resourceVersion: query.get('resourceVersion'),
      timeoutSeconds: timeout,
      bookmarks: query.get('allowWatchBookmarks') === 'true',
    };
    return serveWatch(
      api,
      info,
      { ...params, bookmarkMs: ctx.bookmarkMs, table: wantsTable(req), includeObject: query.get('includeObject') ?? undefined, maxBufferedBytes: MAX_BUFFERED },
      res,
      ctx.track,
    );
  }
  if (method === 'GET' && !name) {
    if (info.review) throw methodNotAllowed();
    const list = api.list(info, namespace, {
      labelSelector: query.get('labelSelector'),
      fieldSelector: query.get('fieldSelector'),
      limit: Number(query.get('limit') ?? 0),
      continue: query.get('continue'),
    });
    return sendJson(res, 200, wantsTable(req) ? table(list.items as KObject[], list.metadata.resourceVersion, list.metadata.continue) : list);
  }
  if (method === 'GET' && name && sub === 'log' && info.kind === 'Pod' && namespace) {
    api.get(info, namespace, name);
    const num = (k: string): number | null => (query.get(k) === null ? null : Number(query.get(k)));
    const request = {
      namespace,
      name,
      container: query.get('container'),
      follow: query.get('follow') === 'true',
      previous: query.get('previous') === 'true',
      timestamps: query.get('timestamps') === 'true',
    };
    return ctx.logs(
      { ...request, tailLines: num('tailLines'), sinceSeconds: num('sinceSeconds') ?? sinceTime(query.get('sinceTime')), limitBytes: num('limitBytes') },
      res,
      ctx.track,
    );
  }
  if (sub && !info.subresources.includes(sub)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  if (method === 'GET' && name) {
    const obj = api.get(info, namespace, name);
    if (sub === 'scale') return sendJson(res, 200, scaleOf(obj));
    return sendJson(res, 200, wantsTable(req) ? table([obj], obj.metadata.resourceVersion) : obj);
  }
  const contentType = String(req.headers['content-type'] ?? 'application/json');
  const raw = await readBody(req, ctx.maxBodyBytes);
  const manager = managerOf(req, query);
  if (method === 'POST' && !name && info.review) return sendJson(res, 201, review(api, ctx.auth, info, namespace, user, parseBody(raw, contentType)));
  if (method === 'POST' && name && sub === 'token' && namespace) {
    api.get(info, namespace, name);
    return sendJson(res, 201, tokenRequest(ctx.auth, namespace, name, parseBody(raw, contentType)));
  }
  if (method === 'POST' && !name) return sendJson(res, 201, api.create(info, nsForWrite, parseBody(raw, contentType), { manager, dryRun, user }));
  if (method === 'PUT' && name) {
    let body = parseBody(raw, contentType);
    if (sub === 'scale') body = withScale(api.get(info, namespace, name), body as Obj);
    const saved = api.replace(info, nsForWrite, name, body, { manager, dryRun, user, ...(sub === 'status' ? { subresource: 'status' } : {}) });
    return sendJson(res, 200, sub === 'scale' ? scaleOf(saved) : saved);
  }
  if (method === 'PATCH' && name) {
    if (sub === 'scale') {
      const patched = api.patch(info, nsForWrite, name, contentType, JSON.stringify(patchScaleBody(parseBody(raw, contentType) as Obj)), {
        manager,
        dryRun,
        user,
      });
      return sendJson(res, 200, scaleOf(patched));
    }
    const creating = APPLY.test(contentType) && !sub && !api.find(info, namespace, name);
    if (creating) checkCreateOnApply(ctx, target, name);
    const saved = api.patch(info, nsForWrite, name, contentType, raw.toString('utf8'), {
      manager,
      dryRun,
      user,
      force: query.get('force') === 'true',
      ...(sub === 'status' ? { subresource: 'status' } : {}),
    });
    return sendJson(res, creating ? 201 : 200, saved);
  }
  if (method === 'DELETE' && name) {
    const { object, immediate } = api.remove(info, nsForWrite, name, deleteOptions(parseBody(raw, contentType), query));
    if (info.kind === 'Pod' || !immediate) return sendJson(res, 200, object);
    return sendJson(res, 200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: info.group, kind: info.plural, uid: object.metadata.uid },
    });
  }
  if (method === 'DELETE' && !name) {
    const list = api.list(info, namespace, { labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector') });
    const opts = deleteOptions(parseBody(raw, contentType), query);
    for (const item of list.items as KObject[]) api.remove(info, item.metadata.namespace, item.metadata.name, opts);
    return sendJson(res, 200, list);
  }
  throw methodNotAllowed();
}
