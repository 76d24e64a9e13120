// Adapter: HTTP(S) to the API server with the kubeconfig's credentials, on node:http(s) with
// keep-alive. This keeps the Kubernetes client library (~80 MB of RSS) out of the engine's process
// for every kubeconfig without an auth plugin. Every request has a deadline; bodies are capped.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { parseKubeconfig, type KubeCredentials } from './kubeconfig-pure.ts';
import type { KubeTransport } from './kube-rest.ts';

const TIMEOUT_MS = 20_000;
const MAX_BODY_BYTES = 64 << 20;
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export function readCredentials(kubeconfig: string | 'in-cluster', env: NodeJS.ProcessEnv = process.env): KubeCredentials {
  if (kubeconfig === 'in-cluster') {
    const host = env.KUBERNETES_SERVICE_HOST ?? '';
    return { server: `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`, ca: readFileSync(`${SERVICE_ACCOUNT}/ca.crt`, 'utf8'), insecure: false, tlsServerName: null, cert: null, key: null, token: null, tokenFile: `${SERVICE_ACCOUNT}/token`, basic: null, plugin: false };
  }
  const dir = path.dirname(kubeconfig);
  return parseKubeconfig(readFileSync(kubeconfig, 'utf8'), (file) => readFileSync(path.resolve(dir, file), 'utf8'));
}

export function httpTransport(creds: KubeCredentials): KubeTransport {
  const url = new URL(creds.server);
  const secure = url.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: !creds.insecure, ...(creds.ca ? { ca: creds.ca } : {}), ...(creds.cert ? { cert: creds.cert } : {}), ...(creds.key ? { key: creds.key } : {}), ...(creds.tlsServerName ? { servername: creds.tlsServerName } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 8 });
  const prefix = url.pathname.replace(/\/$/, '');
  const authorization = (): string | undefined => {
    if (creds.tokenFile) return `Bearer ${readFileSync(creds.tokenFile, 'utf8').trim()}`;
    if (creds.token) return `Bearer ${creds.token}`;
    if (creds.basic) return `Basic ${Buffer.from(`${creds.basic.username}:${creds.basic.password}`).toString('base64')}`;
    return undefined;
  };
  return (request) =>
    new Promise((resolve, reject) => {
      const auth = authorization();
      const headers: Record<string, string> = { Accept: request.accept, ...(auth ? { Authorization: auth } : {}), ...(request.body !== undefined ? { 'Content-Type': request.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(request.body)) } : {}) };
      const req = (secure ? https : http).request({ hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (secure ? 443 : 80), path: `${prefix}${request.path}`, method: request.method, headers, agent, timeout: TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) req.destroy(new Error(`the API server's answer is larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`the API server did not answer within ${TIMEOUT_MS} ms`), { name: 'TimeoutError' })));
      req.on('error', reject);
      req.end(request.body);
    });
}
