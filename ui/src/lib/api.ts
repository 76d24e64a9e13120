// The HTTP API from the browser: JSON in and out, the session's CSRF token on every change, and
// problem+json answers turned into ApiError with the stable code.
import type { ErrorCode, Problem } from '@protocol';

export class ApiError extends Error {
  readonly code: ErrorCode | 'network_error';
  readonly status: number;
  readonly errors: { path: string; message: string }[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ApiError['code'], status: number, message: string, errors: ApiError['errors'] = [], retryAfterSeconds?: number) {
    super(message);
    this.code = code;
    this.status = status;
    this.errors = errors;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class ApiClient {
  csrfToken: string | null = null;
  readonly #fetch: typeof fetch;

  constructor(fetchImpl: typeof fetch = (...args) => fetch(...args)) {
    this.#fetch = fetchImpl;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let res: Response;
    try {
      res = await this.#fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    } catch {
      throw new ApiError('network_error', 0, 'the device did not answer; check the cable or the connection');
    }
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) {
      if (type.includes('json')) {
        const problem = (await res.json()) as Problem;
        throw new ApiError(problem.code, res.status, problem.detail ?? problem.title, problem.errors ?? [], problem.retryAfterSeconds);
      }
      throw new ApiError('internal_error', res.status, `the device answered ${res.status}`);
    }
    return (type.includes('json') ? await res.json() : await res.text()) as T;
  }
}
