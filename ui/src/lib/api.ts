// The one way the UI calls the daemon over HTTP (a lint rule keeps `fetch` out of everything else):
// JSON in and out, the session's token on every request (a cookie alone is worth nothing to the
// daemon), problem+json answers turned into ApiError with the stable code, and typed calls for the
// routes the managers use.
import { Upload } from 'tus-js-client';
import {
  SESSION_TOKEN_HEADER,
  type UploadStatus,
  type DeviceVerdict,
  type ErrorCode,
  type HealthHistory,
  type HistoryRange,
  type IdentifyResponse,
  type KioskInfo,
  type Problem,
  type RestartAccepted,
  type RestartableKind,
} from '@protocol';

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
  /** The session's token (SessionManager keeps it); sent as X-CSRF-Token on every request. */
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

  /** The device verdict (GET /api/v1/status). */
  status(): Promise<DeviceVerdict> {
    return this.get<DeviceVerdict>('/api/v1/status');
  }

  /** Makes the kiosk screen flash for `seconds` (operator). */
  identify(seconds = 30): Promise<IdentifyResponse> {
    return this.post<IdentifyResponse>('/api/v1/identify', { seconds });
  }

  healthHistory(range: HistoryRange, points: number, signal?: AbortSignal): Promise<HealthHistory> {
    return this.request<HealthHistory>('GET', `/api/v1/health/history?range=${range}&points=${points}`, undefined, signal);
  }

  /** Rollout restart, or a pod delete (`confirm` when nothing recreates the pod). */
  restartWorkload(target: { namespace: string; kind: RestartableKind; name: string }, confirm: boolean): Promise<RestartAccepted> {
    const path = `/api/v1/workloads/${encodeURIComponent(target.namespace)}/${target.kind}/${encodeURIComponent(target.name)}/restart`;
    return this.post<RestartAccepted>(path, { confirm });
  }

  /** How to connect, for the kiosk screen (served by the loopback kiosk listener only). */
  kioskInfo(): Promise<KioskInfo> {
    return this.get<KioskInfo>('/api/v1/kiosk');
  }

  /**
   * Makes a support bundle and downloads it (operator): the body is read as it comes so `onProgress`
   * sees the bytes received; a stream that breaks off is an error, never a short file.
   */
  async supportBundle(onProgress: (bytes: number) => void, signal?: AbortSignal): Promise<{ blob: Blob; fileName: string }> {
    const res = await this.fetch('/api/v1/support-bundle', { method: 'POST', headers: { accept: 'application/gzip, application/problem+json' }, signal });
    if (!res.ok) throw await problemOf(res);
    const fileName = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'outpost-support.tar.gz';
    const parts: Uint8Array<ArrayBuffer>[] = [];
    let bytes = 0;
    if (!res.body) throw new ApiError('internal_error', res.status, 'the device sent no file');
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        bytes += value.byteLength;
        onProgress(bytes);
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError('network_error', 0, `the download broke off after ${bytes} bytes; try again`);
    }
    return { blob: new Blob(parts, { type: 'application/gzip' }), fileName };
  }

  /**
   * Starts (or resumes: tus-js-client remembers the upload's URL for this file in localStorage) a
   * resumable tus upload of a bundle, with the session's token on every request.
   */
  async uploadBundle(file: File, handlers: UploadHandlers): Promise<UploadHandle> {
    const upload = new Upload(file, {
      endpoint: '/api/v1/uploads',
      headers: this.csrfToken ? { [SESSION_TOKEN_HEADER]: this.csrfToken } : {},
      metadata: { filename: file.name },
      // Retries for a long while: a cable pulled, a laptop asleep, the daemon restarting.
      retryDelays: [0, 1000, 3000, 5000, 10_000, 10_000, 20_000, 30_000, 30_000, 60_000, 60_000, 60_000],
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => handlers.onProgress(sent, total),
      onSuccess: () => handlers.onSuccess(uploadIdOf(upload.url)),
      onError: (error) => handlers.onError(uploadErrorOf(error)),
    });
    const previous = await upload.findPreviousUploads();
    if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
    return {
      get id() {
        return uploadIdOf(upload.url);
      },
      pause: () => upload.abort(false),
      resume: () => upload.start(),
      cancel: () => upload.abort(true),
    };
  }

  /** Where an upload stands (receiving, verifying, offered, refused). */
  async uploadStatus(id: string): Promise<UploadStatus> {
    return (await this.get<{ upload: UploadStatus }>(`/api/v1/uploads/${encodeURIComponent(id)}`)).upload;
  }

  /** A fetch with the session's token, for callers that read the Response themselves. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.csrfToken) headers.set(SESSION_TOKEN_HEADER, this.csrfToken);
    try {
      return await this.#fetch(path, { ...init, headers, credentials: 'same-origin' });
    } catch (error) {
      if (init.signal?.aborted || (error instanceof DOMException && error.name === 'AbortError')) throw error;
      throw new ApiError('network_error', 0, 'the device did not answer; check the cable or the connection');
    }
  }

  async request<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    if (res.status === 204) return undefined as T;
    if (!res.ok) throw await problemOf(res);
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.text()) as T;
  }

  /** Saves what `path` answers as a file: a plain link cannot carry the session's token. */
  async download(path: string): Promise<void> {
    const res = await this.fetch(path);
    if (!res.ok) throw await problemOf(res);
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
    const url = URL.createObjectURL(await res.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

export interface UploadHandlers {
  onProgress(sent: number, total: number): void;
  onSuccess(id: string | null): void;
  onError(error: ApiError): void;
}

export interface UploadHandle {
  readonly id: string | null;
  pause(): Promise<void>;
  resume(): void;
  cancel(): Promise<void>;
}

function uploadIdOf(url: string | null): string | null {
  return url?.split('/').pop() ?? null;
}

/** A tus failure as an ApiError: the daemon's problem (code, detail) when it answered one. */
function uploadErrorOf(error: Error): ApiError {
  const res = (error as { originalResponse?: { getStatus(): number; getBody(): string } | null }).originalResponse;
  if (!res) return new ApiError('network_error', 0, 'the device did not answer; the upload resumes when you press Resume');
  try {
    const problem = JSON.parse(res.getBody()) as Problem;
    return new ApiError(problem.code, res.getStatus(), problem.detail ?? problem.title);
  } catch {
    return new ApiError('internal_error', res.getStatus(), res.getBody().trim() || `the device answered ${res.getStatus()}`);
  }
}

/** A failed answer as an ApiError with the daemon's stable code. */
async function problemOf(res: Response): Promise<ApiError> {
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    const problem = (await res.json()) as Problem;
    return new ApiError(problem.code, res.status, problem.detail ?? problem.title, problem.errors ?? [], problem.retryAfterSeconds);
  }
  return new ApiError('internal_error', res.status, `the device answered ${res.status}`);
}
