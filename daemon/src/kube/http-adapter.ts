// Adapter: HTTP(S) to the API server on node:http(s), shared by the web process (list, watch, logs)
// and the upgrade engine. It keeps @kubernetes/client-node (~80 MB of RSS) out of every process whose
// kubeconfig needs no auth plugin: the credentials are the kubeconfig's own (CA, client certificate,
// token, token file re-read on use), one keep-alive agent per connection. For a plugin the library
// only fills in each request's options (clientnode-adapter.ts); the requests are still these.
// Every buffered request has a deadline and a size cap; a stream is aborted by its caller's signal.
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { parseKubeconfig, type KubeCredentials } from './kubeconfig-pure.ts';

const TIMEOUT_MS = 20_000;
const MAX_BODY_BYTES = 64 << 20;
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export type HttpVerb = 'GET' | 'PATCH' | 'DELETE';

/** Sends one request; resolves with the status and body text (never rejects on an HTTP error status). */
export type KubeTransport = (request: { method: HttpVerb; path: string; body?: string; contentType?: string; accept: string }) => Promise<{ status: number; text: string }>;

/** How requests reach one API server: its URL and the options (agent, TLS, Authorization) of each request. */
export interface KubeAuth {
  readonly server: string;
  requestOptions(): Promise<https.RequestOptions>;
}

export interface KubeHttp {
  readonly server: string;
  /** One buffered request (deadline `timeoutMs`, default 20 s; body capped at 64 MiB). */
  request(request: Parameters<KubeTransport>[0] & { signal?: AbortSignal; timeoutMs?: number }): Promise<{ status: number; text: string }>;
  /** A streaming GET (watch, log follow): resolves with the response, whatever its status, once its headers arrive. */
  open(path: string, options: { accept: string; signal: AbortSignal; headersTimeoutMs?: number }): Promise<IncomingMessage>;
}

export function readCredentials(kubeconfig: string | 'in-cluster', env: NodeJS.ProcessEnv = process.env): KubeCredentials {
  if (kubeconfig === 'in-cluster') {
    const host = env.KUBERNETES_SERVICE_HOST ?? '';
    return { server: `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`, ca: readFileSync(`${SERVICE_ACCOUNT}/ca.crt`, 'utf8'), insecure: false, tlsServerName: null, cert: null, key: null, token: null, tokenFile: `${SERVICE_ACCOUNT}/token`, basic: null, plugin: false };
  }
  const dir = path.dirname(kubeconfig);
  return parseKubeconfig(readFileSync(kubeconfig, 'utf8'), (file) => readFileSync(path.resolve(dir, file), 'utf8'));
}

/** The token in the credentials' token file, or null when there is none or it cannot be read (a request then says why). */
export function tokenFromFile(creds: KubeCredentials): string | null {
  if (!creds.tokenFile) return null;
  try {
    return readFileSync(creds.tokenFile, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The kubeconfig's own credentials: one keep-alive agent (TLS sessions resumed), the token re-read from its file on use. */
export function credentialAuth(creds: KubeCredentials): KubeAuth {
  const secure = new URL(creds.server).protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, rejectUnauthorized: !creds.insecure, ...(creds.ca ? { ca: creds.ca } : {}), ...(creds.cert ? { cert: creds.cert } : {}), ...(creds.key ? { key: creds.key } : {}), ...(creds.tlsServerName ? { servername: creds.tlsServerName } : {}) })
    : new http.Agent({ keepAlive: true });
  const authorization = (): string | undefined => {
    if (creds.tokenFile) return `Bearer ${readFileSync(creds.tokenFile, 'utf8').trim()}`;
    if (creds.token) return `Bearer ${creds.token}`;
    if (creds.basic) return `Basic ${Buffer.from(`${creds.basic.username}:${creds.basic.password}`).toString('base64')}`;
    return undefined;
  };
  return {
    server: creds.server,
    async requestOptions() {
      const auth = authorization();
      return { agent, headers: auth ? { Authorization: auth } : {} };
    },
  };
}

/**
 * Resolve/reject that let go of the promise once settled. The listeners calling them stay on the
 * request and response, and Node keeps a keep-alive socket's last response until the socket is used
 * again: without this, every idle socket would hold its last answer (a whole list) alive.
 */
function settleOnce<T>(resolve: (value: T) => void, reject: (error: Error) => void): { resolve(value: T): void; reject(error: Error): void } {
  let pending: { resolve: (value: T) => void; reject: (error: Error) => void } | null = { resolve, reject };
  const take = () => {
    const p = pending;
    pending = null;
    return p;
  };
  return { resolve: (value) => take()?.resolve(value), reject: (error) => take()?.reject(error) };
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`the API server did not answer within ${ms} ms`), { name: 'TimeoutError' });
}

/**
 * Aborting destroys the request only while its response is still coming: once a response is complete
 * its keep-alive socket already serves another request, which a late destroy would break.
 */
function abortWith(req: http.ClientRequest, signal: AbortSignal): void {
  let res: IncomingMessage | undefined;
  req.once('response', (r: IncomingMessage) => (res = r));
  const onAbort = (): void => {
    if (!res?.complete) req.destroy(Object.assign(new Error('the request to the API server was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' }));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  req.once('close', () => signal.removeEventListener('abort', onAbort));
}

export function kubeHttp(auth: KubeAuth): KubeHttp {
  const url = new URL(auth.server);
  const secure = url.protocol === 'https:';
  const prefix = url.pathname.replace(/\/$/, '');
  const start = async (method: HttpVerb, target: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<http.ClientRequest> => {
    const options = await auth.requestOptions();
    signal?.throwIfAborted();
    const all = { ...(options.headers as Record<string, string> | undefined), ...headers };
    const where = { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (secure ? 443 : 80), path: `${prefix}${target}` };
    const req = (secure ? https : http).request({ ...options, ...where, method, headers: all });
    if (signal) abortWith(req, signal);
    return req;
  };
  return {
    server: auth.server,
    async request(request) {
      const timeoutMs = request.timeoutMs ?? TIMEOUT_MS;
      const headers: Record<string, string> = { Accept: request.accept };
      if (request.body !== undefined) Object.assign(headers, { 'Content-Type': request.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(request.body)) });
      const req = await start(request.method, request.path, headers, request.signal);
      return new Promise((resolve, reject) => {
        const settle = settleOnce(resolve, reject);
        let chunks: Buffer[] = [];
        let size = 0;
        req.setTimeout(timeoutMs, () => req.destroy(timeoutError(timeoutMs)));
        req.on('response', (res) => {
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) req.destroy(new Error(`the API server's answer is larger than ${MAX_BODY_BYTES} bytes`));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            chunks = [];
            settle.resolve({ status: res.statusCode ?? 0, text });
          });
          res.on('error', settle.reject);
        });
        req.on('error', settle.reject);
        req.end(request.body);
      });
    },
    async open(target, options) {
      const req = await start('GET', target, { Accept: options.accept }, options.signal);
      const headersTimeoutMs = options.headersTimeoutMs ?? TIMEOUT_MS;
      return new Promise((resolve, reject) => {
        const settle = settleOnce(resolve, reject);
        const timer = setTimeout(() => req.destroy(timeoutError(headersTimeoutMs)), headersTimeoutMs);
        req.on('response', (res) => {
          clearTimeout(timer);
          settle.resolve(res);
        });
        req.on('error', (error) => {
          clearTimeout(timer);
          settle.reject(error);
        });
        req.end();
      });
    },
  };
}

/** The upgrade engine's buffered transport over the kubeconfig's own credentials. */
export function httpTransport(creds: KubeCredentials): KubeTransport {
  const client = kubeHttp(credentialAuth(creds));
  return (request) => client.request(request);
}
