// HTTP adapter: routes API paths onto Api, discovery, watch and pod logs. node:http only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Api, DeleteOptions } from './api.ts';
import { apiGroupDoc, apiGroupList, apiVersions, KUBE_VERSION, openApiV3GroupVersion, openApiV3Root } from './discovery.ts';
import type { ResourceInfo } from './resources.ts';
import { toTable } from './tables.ts';
import { ApiError, badRequest, methodNotAllowed, statusOf, type KObject, type Obj } from './types.ts';
import { decodeProtobuf } from './protobuf.ts';
import { patchScaleBody, scaleOf, sinceTime, withScale } from './subresources.ts';
import { serveWatch } from './watch.ts';
import { parse as parseYaml } from 'yaml';

export interface LogRequest {
  namespace: string;
  name: string;
  container: string | null;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines: number | null;
  sinceSeconds: number | null;
  limitBytes: number | null;
}

/** Registers a stream's stop function for server shutdown; returns the unregister function. */
export type Track = (stop: () => void) => () => void;

export type LogHandler = (request: LogRequest, res: ServerResponse, track: Track) => void;

export interface ServerOptions {
  api: Api;
  logs: LogHandler;
  bookmarkMs: number;
  maxWatchSeconds: number;
  maxBodyBytes?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Called once per finished request: `METHOD path?query status duration`. */
  log?: (line: string) => void;
}

const MAX_BUFFERED = 16 * 1024 * 1024;

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'the request body is too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(body: Buffer, contentType: string): unknown {
  if (contentType.includes('protobuf')) return body.length === 0 ? undefined : decodeProtobuf(body);
  if (contentType.includes('cbor')) {
    throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (kube-sim does not decode CBOR)');
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return contentType.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw badRequest(`error decoding request body: ${(error as Error).message}`);
  }
}

interface Target {
  group: string;
  version: string;
  info: ResourceInfo;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
  watchPrefix: boolean;
}

function resolve(api: Api, segments: string[]): Target | 'discovery' | undefined {
  let group = '';
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    version = segments[1];
    rest = segments.slice(2);
  } else {
    group = segments[1] ?? '';
    version = segments[2];
    rest = segments.slice(3);
  }
  if (!version) return undefined;
  if (rest.length === 0) return 'discovery';
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = api.registry.lookup(group, version, rest[2] ?? '');
    if (info?.namespaced) return { group, version, info, namespace: rest[1], name: rest[3], sub: rest[4], watchPrefix };
  }
  const info = api.registry.lookup(group, version, rest[0] ?? '');
  if (!info) return undefined;
  return { group, version, info, namespace: undefined, name: rest[1], sub: rest[2], watchPrefix };
}

const wantsTable = (req: IncomingMessage): boolean => /as=Table/.test(String(req.headers.accept ?? ''));

function deleteOptions(body: unknown, query: URLSearchParams): DeleteOptions {
  const b = (body ?? {}) as Obj;
  const grace = query.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  const policy = query.get('propagationPolicy') ?? b.propagationPolicy ?? (b.orphanDependents === true ? 'Orphan' : undefined);
  return {
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
    ...(policy ? { propagationPolicy: policy } : {}),
    ...(b.preconditions ? { preconditions: b.preconditions } : {}),
  };
}

function managerOf(req: IncomingMessage, query: URLSearchParams): string {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const agent = String(req.headers['user-agent'] ?? 'unknown');
  return agent.split('/')[0] || 'unknown';
}

export function createSimServer(options: ServerOptions): { server: Server; closeStreams: () => void; activeStreams: () => number } {
  const { api } = options;
  const streams = new Set<() => void>();
  const track: Track = (stop) => {
    streams.add(stop);
    return () => streams.delete(stop);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const query = url.searchParams;
    const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const host = String(req.headers.host ?? '127.0.0.1');
    if (url.pathname === '/version') return sendJson(res, 200, KUBE_VERSION);
    if (['/healthz', '/readyz', '/livez'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('ok');
    }
    if (url.pathname === '/api') return sendJson(res, 200, apiVersions(host));
    if (url.pathname === '/apis') return sendJson(res, 200, apiGroupList(api.registry));
    if (segments[0] === 'openapi') {
      if (segments[1] === 'v3' && segments.length === 2) return sendJson(res, 200, openApiV3Root(api.registry));
      if (segments[1] === 'v3') {
        const [, , root, a, b] = segments;
        const doc = root === 'api' ? openApiV3GroupVersion(api.registry, '', a ?? '') : openApiV3GroupVersion(api.registry, a ?? '', b ?? '');
        if (doc) return sendJson(res, 200, doc);
      }
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (segments[0] !== 'api' && segments[0] !== 'apis') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (segments[0] === 'apis' && segments.length === 2) {
      const doc = apiGroupDoc(api.registry, segments[1] ?? '');
      if (doc) return sendJson(res, 200, doc);
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const target = resolve(api, segments);
    if (target === 'discovery') {
      const list = segments[0] === 'api' ? api.registry.resourceList('', segments[1] ?? '') : api.registry.resourceList(segments[1] ?? '', segments[2] ?? '');
      if (list) return sendJson(res, 200, list);
    }
    if (!target || target === 'discovery') throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const { info, namespace, name, sub } = target;
    const nsForWrite = info.namespaced ? namespace : undefined;
    const dryRun = query.getAll('dryRun').includes('All');

    if (method === 'GET' && (target.watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1') && !sub) {
      const timeout = Math.min(Number(query.get('timeoutSeconds') ?? options.maxWatchSeconds) || options.maxWatchSeconds, options.maxWatchSeconds);
      const fieldSelector = name ? [query.get('fieldSelector'), `metadata.name=${name}`].filter(Boolean).join(',') : query.get('fieldSelector');
      return serveWatch(api, info, { namespace, labelSelector: query.get('labelSelector'), fieldSelector, resourceVersion: query.get('resourceVersion'), timeoutSeconds: timeout, bookmarks: query.get('allowWatchBookmarks') === 'true', bookmarkMs: options.bookmarkMs, table: wantsTable(req), includeObject: query.get('includeObject') ?? undefined, maxBufferedBytes: MAX_BUFFERED }, res, track);
    }
    if (method === 'GET' && !name) {
      const list = api.list(info, namespace, { labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector'), limit: Number(query.get('limit') ?? 0), continue: query.get('continue') });
      if (!wantsTable(req)) return sendJson(res, 200, list);
      return sendJson(res, 200, toTable(info, list.items as KObject[], api.store.now().getTime(), { includeObject: query.get('includeObject') ?? undefined, resourceVersion: list.metadata.resourceVersion, continue: list.metadata.continue }));
    }
    if (method === 'GET' && name && sub === 'log' && info.kind === 'Pod' && namespace) {
      api.get(info, namespace, name);
      const num = (k: string): number | null => (query.get(k) === null ? null : Number(query.get(k)));
      return options.logs({ namespace, name, container: query.get('container'), follow: query.get('follow') === 'true', previous: query.get('previous') === 'true', timestamps: query.get('timestamps') === 'true', tailLines: num('tailLines'), sinceSeconds: num('sinceSeconds') ?? sinceTime(query.get('sinceTime')), limitBytes: num('limitBytes') }, res, track);
    }
    if (sub && !info.subresources.includes(sub)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (method === 'GET' && name) {
      const obj = api.get(info, namespace, name);
      if (sub === 'scale') return sendJson(res, 200, scaleOf(obj));
      if (wantsTable(req)) return sendJson(res, 200, toTable(info, [obj], api.store.now().getTime(), { includeObject: query.get('includeObject') ?? undefined, resourceVersion: obj.metadata.resourceVersion }));
      return sendJson(res, 200, obj);
    }
    const contentType = String(req.headers['content-type'] ?? 'application/json');
    const raw = await readBody(req, options.maxBodyBytes ?? 8 * 1024 * 1024);
    const manager = managerOf(req, query);
    if (method === 'POST' && !name && info.kind === 'SelfSubjectAccessReview') {
      // No authorization in the sim: every access review is allowed, and nothing is stored.
      const review = (parseBody(raw, contentType) ?? {}) as Obj;
      return sendJson(res, 201, { ...review, apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { ...(review.metadata ?? {}), creationTimestamp: null }, status: { allowed: true, reason: 'kube-sim authorizes every request' } });
    }
    if (method === 'POST' && !name) {
      const created = api.create(info, nsForWrite, parseBody(raw, contentType), { manager, dryRun });
      return sendJson(res, 201, created);
    }
    if (method === 'PUT' && name) {
      let body = parseBody(raw, contentType);
      if (sub === 'scale') body = withScale(api.get(info, namespace, name), body as Obj);
      const saved = api.replace(info, nsForWrite, name, body, { manager, dryRun, ...(sub === 'status' ? { subresource: 'status' } : {}) });
      return sendJson(res, 200, sub === 'scale' ? scaleOf(saved) : saved);
    }
    if (method === 'PATCH' && name) {
      if (sub === 'scale') {
        const patched = api.patch(info, nsForWrite, name, contentType, JSON.stringify(patchScaleBody(parseBody(raw, contentType) as Obj)), { manager, dryRun });
        return sendJson(res, 200, scaleOf(patched));
      }
      const saved = api.patch(info, nsForWrite, name, contentType, raw.toString('utf8'), { manager, dryRun, force: query.get('force') === 'true', ...(sub === 'status' ? { subresource: 'status' } : {}) });
      return sendJson(res, 200, saved);
    }
    if (method === 'DELETE' && name) {
      const { object, immediate } = api.remove(info, nsForWrite, name, deleteOptions(parseBody(raw, contentType), query));
      if (info.kind === 'Pod' || !immediate) return sendJson(res, 200, object);
      return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: info.group, kind: info.plural, uid: object.metadata.uid } });
    }
    if (method === 'DELETE' && !name) {
      const list = api.list(info, namespace, { labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector') });
      const opts = deleteOptions(parseBody(raw, contentType), query);
      for (const item of list.items as KObject[]) api.remove(info, item.metadata.namespace, item.metadata.name, opts);
      return sendJson(res, 200, list);
    }
    throw methodNotAllowed();
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    if (options.log) {
      const started = Date.now();
      const log = options.log;
      res.on('close', () => log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`));
    }
    handle(req, res).catch((error: unknown) => {
      const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`);
      if (!(error instanceof ApiError)) console.error('kube-sim: internal error', error);
      if (res.headersSent) res.destroy();
      else sendJson(res, apiError.code, statusOf(apiError));
    });
  };
  const server: Server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const closeStreams = (): void => {
    for (const stop of streams) stop();
    streams.clear();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return { server, closeStreams, activeStreams: () => streams.size };
}
