// Adapter: the web process's connection to the API server, over the shared lean client (kube/): the
// chosen kubeconfig's credentials, plain JSON lists of the resources the daemon watches, and GETs
// with a deadline. @kubernetes/client-node is loaded only for a kubeconfig with an auth plugin.
import { existsSync } from 'node:fs';
import { connectKubeHttp, type KubeHttp } from '../kube/index.ts';
import type { KubeconfigChoice } from './kubeconfig.ts';
import type { KObject } from './kube-types.ts';
import type { ResourceSource } from './watch-adapter.ts';

export interface KubeClients {
  readonly choice: KubeconfigChoice;
  readonly server: string;
  readonly http: KubeHttp;
  /** Literal credentials of the kubeconfig (token, password, key), for the support bundle's scrubber. */
  readonly secrets: readonly string[];
}

export const REQUEST_TIMEOUT_MS = 15_000;

/** A non-2xx answer, shaped like the client library's errors (kube-errors.ts reads `statusCode` and `body`). */
export class KubeHttpError extends Error {
  readonly statusCode: number;
  readonly body: unknown;
  constructor(statusCode: number, text: string) {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // A plain-text answer is kept as it is.
    }
    const message = (body as { message?: unknown } | null)?.message;
    super(typeof message === 'string' ? message : `the API server answered ${statusCode}`);
    this.name = 'KubeHttpError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

/**
 * A failure to reach the API server at all (refused, reset, TLS), worded as such with the socket's
 * error as its cause (kube-errors.ts reads `cause.code`); HTTP answers, timeouts and aborts pass as they are.
 */
export function unreachable(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof KubeHttpError || error.name === 'TimeoutError' || error.name === 'AbortError') return error;
  return Object.assign(new Error(`the API server does not answer: ${error.message}`), { cause: error });
}

/** Rejects with a TimeoutError when `promise` takes longer than `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms = REQUEST_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`the API server did not answer within ${ms} ms`), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Throws with a clear message when the file is missing or malformed. */
export async function connectKube(choice: KubeconfigChoice): Promise<KubeClients> {
  if (choice.source !== 'in-cluster' && !existsSync(choice.path)) throw new Error(`kubeconfig ${choice.path} (from ${choice.source}) does not exist`);
  const connection = await connectKubeHttp(choice.source === 'in-cluster' ? 'in-cluster' : choice.path);
  return { choice, server: connection.http.server, http: connection.http, secrets: connection.secrets };
}

/** GET `path` as JSON within `timeoutMs`; rejects with a KubeHttpError on any status but 2xx. */
export async function getJson<T>(kube: KubeClients, path: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const request = { method: 'GET' as const, path, accept: 'application/json', timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  const response = await kube.http.request(request).catch((error: unknown) => Promise.reject(unreachable(error)));
  if (response.status < 200 || response.status > 299) throw new KubeHttpError(response.status, response.text);
  return JSON.parse(response.text) as T;
}

function source(kube: KubeClients, name: string, path: string): ResourceSource {
  return {
    name,
    path,
    async list() {
      const result = await withDeadline(getJson<{ items?: KObject[]; metadata?: { resourceVersion?: string } }>(kube, path));
      return { items: result.items ?? [], resourceVersion: result.metadata?.resourceVersion ?? '' };
    },
  };
}

export type ResourceName = 'namespaces' | 'nodes' | 'pods' | 'deployments' | 'replicasets' | 'statefulsets' | 'daemonsets' | 'jobs' | 'events';

export const RESOURCE_PATHS: Record<ResourceName, string> = {
  namespaces: '/api/v1/namespaces',
  nodes: '/api/v1/nodes',
  pods: '/api/v1/pods',
  deployments: '/apis/apps/v1/deployments',
  replicasets: '/apis/apps/v1/replicasets',
  statefulsets: '/apis/apps/v1/statefulsets',
  daemonsets: '/apis/apps/v1/daemonsets',
  jobs: '/apis/batch/v1/jobs',
  events: '/api/v1/events',
};

export function resourceSources(kube: KubeClients): Record<ResourceName, ResourceSource> {
  const entries = Object.entries(RESOURCE_PATHS).map(([name, path]) => [name, source(kube, name, path)]);
  return Object.fromEntries(entries) as Record<ResourceName, ResourceSource>;
}
