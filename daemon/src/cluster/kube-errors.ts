// Kubernetes API failures as OutpostErrors with stable codes and messages a technician can act on,
// and as one plain sentence for the screen (never the client's "HTTP-Code: … Headers: {…}" dump).
import { OutpostError } from '../lib/errors.ts';

interface ApiFailure {
  code?: number;
  statusCode?: number;
  body?: unknown;
  name?: string;
  message?: string;
  cause?: { code?: string; message?: string };
}

const MAX_DETAIL = 200;

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
  const status = typeof e.code === 'number' ? e.code : e.statusCode;
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

// The reason phrases the API server's answers carry (node:http's table is off limits in a pure file).
const STATUS_CODES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'the Kubernetes API server refuses connections (it may be restarting)',
  ECONNRESET: 'the connection to the Kubernetes API server broke',
  EPIPE: 'the connection to the Kubernetes API server broke',
  ENOTFOUND: "the Kubernetes API server's address does not resolve",
  EAI_AGAIN: "the Kubernetes API server's address does not resolve",
  EHOSTUNREACH: 'the Kubernetes API server is unreachable on the network',
  ENETUNREACH: 'the Kubernetes API server is unreachable on the network',
  ETIMEDOUT: 'the Kubernetes API server did not answer in time',
  UND_ERR_CONNECT_TIMEOUT: 'the Kubernetes API server did not answer in time',
  UND_ERR_SOCKET: 'the connection to the Kubernetes API server broke',
  DEPTH_ZERO_SELF_SIGNED_CERT: "the Kubernetes API server's certificate is not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "the Kubernetes API server's certificate is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the Kubernetes API server's certificate is not trusted",
  CERT_HAS_EXPIRED: "the Kubernetes API server's certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "the Kubernetes API server's certificate does not match its address",
};

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_DETAIL ? `${one.slice(0, MAX_DETAIL - 1)}…` : one;
}

/** The `Message:` part of @kubernetes/client-node's ApiException text, or the text when it is not one. */
function withoutDump(message: string): string {
  const dump = /^HTTP-Code: \d+\s+Message: ([^\n]*)/.exec(message);
  return dump ? (dump[1] ?? '') : message;
}

/**
 * One sentence for the screen about a failed call to the API server (the log keeps the raw error):
 * the network cause by its code, or the HTTP status with the server's own message when it sent one.
 */
export function describeKubeFailure(error: unknown): string {
  const e = (error ?? {}) as ApiFailure;
  const code = e.cause?.code ?? (e as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK[code]) return NETWORK[code];
  if (e.name === 'TimeoutError') return 'the Kubernetes API server did not answer in time';
  const status = typeof e.code === 'number' ? e.code : e.statusCode;
  // The client's log reader turns "no answer at all" into a 500 with no body and no headers.
  const headers = (error as { headers?: unknown } | null)?.headers;
  if (status === 500 && e.body === undefined && headers !== null && typeof headers === 'object' && Object.keys(headers).length === 0) {
    return 'the Kubernetes API server does not answer';
  }
  if (typeof status === 'number') {
    const said = statusMessage(e.body);
    const phrase = `${status} ${STATUS_CODES[status] ?? 'error'}`;
    if (status === 401 || status === 403) return clip(`the cluster refused Outpost's credentials (${phrase})${said ? `: ${said}` : ''}`);
    return clip(`the Kubernetes API server answered ${phrase}${said ? `: ${said}` : ''}`);
  }
  if (/fetch failed/i.test(e.message ?? '')) return 'the Kubernetes API server does not answer';
  return clip(withoutDump(e.message ?? String(error)) || 'the Kubernetes API server failed');
}

/**
 * Why a container's log cannot be opened, for the log pane. The API server answers 400 while a
 * container has not started (its log does not exist yet): say that, with the kubelet's reason.
 */
export function logOpenProblem(error: unknown, container: { name: string; waitingReason: string | null } | null): string {
  const status = (error as ApiFailure | null)?.code ?? (error as ApiFailure | null)?.statusCode;
  if (container?.waitingReason && status === 400) {
    return `No log yet: ${container.name} has not started (${container.waitingReason}). It appears here once the container runs.`;
  }
  return `Cannot read the log: ${describeKubeFailure(error)}. Retrying by itself.`;
}

/** A failed read in one line: the API server's own message when it sent one, with its status. */
export function kubeReadMessage(error: unknown): string {
  const e = (error ?? {}) as ApiFailure;
  const status = typeof e.code === 'number' ? e.code : e.statusCode;
  const detail = statusMessage(e.body) ?? e.message ?? String(error);
  return `${typeof status === 'number' ? `${status} ` : ''}${(detail.split('\n')[0] ?? '').slice(0, 300)}`;
}
