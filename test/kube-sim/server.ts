// HTTP adapter: authenticates and authorizes every request, then serves discovery, OpenAPI and
// the resource routes (resource-routes.ts). node:http only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { Api } from './api.ts';
import { impersonate, type Authenticator } from './auth.ts';
import { apiGroupDoc, apiGroupList, apiVersions, KUBE_VERSION, openApiV3GroupVersion, openApiV3Root } from './discovery.ts';
import { resolveTarget, sendJson } from './http-kit.ts';
import { forbiddenMessage } from './rbac.ts';
import { decide } from './rbac-store.ts';
import { requestAttributes } from './request-info.ts';
import { serveResource } from './resource-routes.ts';
import { ApiError, statusOf } from './types.ts';

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
  auth: Authenticator;
  logs: LogHandler;
  bookmarkMs: number;
  maxWatchSeconds: number;
  maxBodyBytes?: number;
  /** The certificate and key (PEM) HTTPS connections are served with. */
  tls: { cert: string; key: string };
  /** Called once per finished request: `METHOD path?query status duration`. */
  log?: (line: string) => void;
}

const notFound = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource');

export function createSimServer(options: ServerOptions): { server: Server; closeStreams: () => void; activeStreams: () => number } {
  const { api } = options;
  const streams = new Set<() => void>();
  const track: Track = (stop) => {
    streams.add(stop);
    return () => streams.delete(stop);
  };
  const authorizer = decide(api);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const query = url.searchParams;
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    const method = req.method ?? 'GET';
    // Authentication, impersonation, then RBAC on the request's attributes, as the real filters run.
    const user = impersonate(options.auth.authenticate(req.headers), req.headersDistinct, authorizer);
    const attrs = requestAttributes(method, url.pathname, query);
    const decision = authorizer(user, attrs);
    if (!decision.allowed) {
      const details = attrs.resourceRequest
        ? { ...(attrs.name ? { name: attrs.name } : {}), ...(attrs.apiGroup ? { group: attrs.apiGroup } : {}), kind: attrs.resource }
        : {};
      throw new ApiError(403, 'Forbidden', forbiddenMessage(user, attrs, decision.reason), details);
    }
    if (url.pathname === '/version') return sendJson(res, 200, KUBE_VERSION);
    if (['/healthz', '/readyz', '/livez'].includes(url.pathname)) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('ok');
    }
    if (url.pathname === '/api') return sendJson(res, 200, apiVersions(String(req.headers.host ?? '127.0.0.1')));
    if (url.pathname === '/apis') return sendJson(res, 200, apiGroupList(api.registry));
    if (segments[0] === 'openapi') {
      if (segments[1] === 'v3' && segments.length === 2) return sendJson(res, 200, openApiV3Root(api.registry));
      if (segments[1] === 'v3') {
        const [, , root, a, b] = segments;
        const doc = root === 'api' ? openApiV3GroupVersion(api.registry, '', a ?? '') : openApiV3GroupVersion(api.registry, a ?? '', b ?? '');
        if (doc) return sendJson(res, 200, doc);
      }
      throw notFound();
    }
    if (segments[0] !== 'api' && segments[0] !== 'apis') throw notFound();
    if (segments[0] === 'apis' && segments.length === 2) {
      const doc = apiGroupDoc(api.registry, segments[1] ?? '');
      if (doc) return sendJson(res, 200, doc);
      throw notFound();
    }
    const target = resolveTarget(api, segments);
    if (target === 'discovery') {
      const list = segments[0] === 'api' ? api.registry.resourceList('', segments[1] ?? '') : api.registry.resourceList(segments[1] ?? '', segments[2] ?? '');
      if (list) return sendJson(res, 200, list);
    }
    if (!target || target === 'discovery') throw notFound();
    return serveResource(
      {
        api,
        auth: options.auth,
        logs: options.logs,
        track,
        user,
        bookmarkMs: options.bookmarkMs,
        maxWatchSeconds: options.maxWatchSeconds,
        maxBodyBytes: options.maxBodyBytes ?? 8 * 1024 * 1024,
      },
      target,
      req,
      res,
      query,
    );
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
  // One port, both protocols: a connection whose first byte opens a TLS handshake goes to the
  // HTTPS server, anything else to plain HTTP. kubectl sends a bearer token only over HTTPS, so
  // ServiceAccount kubeconfigs use https:// while the admin one keeps plain http://.
  const plain = createServer(listener);
  const secure = createTlsServer({ cert: options.tls.cert, key: options.tls.key }, listener);
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      (chunk[0] === 0x16 ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  const closeStreams = (): void => {
    for (const stop of streams) stop();
    streams.clear();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return { server, closeStreams, activeStreams: () => streams.size };
}
