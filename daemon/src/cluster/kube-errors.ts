// Kubernetes API failures as OutpostErrors with stable codes and messages a technician can act on.
import { OutpostError } from '../lib/errors.ts';

interface ApiFailure {
  code?: number;
  statusCode?: number;
  body?: unknown;
  name?: string;
  message?: string;
  cause?: { code?: string };
}

function statusMessage(body: unknown): string | null {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.slice(0, 300) || null;
    }
  }
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : null;
}

/** `what` names the object for the message, e.g. "deployment ingest/opcua-bridge". */
export function kubeError(error: unknown, what: string): OutpostError {
  if (error instanceof OutpostError) return error;
  const e = (error ?? {}) as ApiFailure;
  const status = e.code ?? e.statusCode;
  const detail = statusMessage(e.body) ?? e.message ?? String(error);
  if (status === 401 || status === 403) return new OutpostError('cluster_forbidden', `the cluster refused to let Outpost change ${what}: ${detail}. Check the agent's RBAC (docs/cluster.md).`, { cause: error });
  if (status === 404) return new OutpostError('workload_not_found', `${what} does not exist (any more)`, { cause: error });
  if (status === 409) return new OutpostError('cluster_conflict', `conflict on ${what}: ${detail}`, { cause: error });
  if (status === 408 || status === 504 || e.name === 'TimeoutError') return new OutpostError('cluster_timeout', `the API server did not finish with ${what} in time`, { cause: error });
  if (status === undefined && (e.cause?.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNRESET' || /fetch failed|ECONNREFUSED/.test(e.message ?? ''))) {
    return new OutpostError('cluster_unreachable', 'the Kubernetes API server does not answer (it may be restarting); try again in a moment', { cause: error });
  }
  return new OutpostError('cluster_error', `the API server failed on ${what}${status ? ` (${status})` : ''}: ${detail}`, { cause: error });
}

/** A failed read in one line: the API server's own message when it sent one, with its status. */
export function kubeReadMessage(error: unknown): string {
  const e = (error ?? {}) as ApiFailure;
  const status = e.code ?? e.statusCode;
  const detail = statusMessage(e.body) ?? e.message ?? String(error);
  return `${typeof status === 'number' ? `${status} ` : ''}${(detail.split('\n')[0] ?? '').slice(0, 300)}`;
}
