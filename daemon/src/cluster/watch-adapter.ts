// Adapter: list-then-watch of one resource over the lean client (kube/). A watch is one streaming GET
// (`?watch=true&resourceVersion=…&allowWatchBookmarks=true`) read as JSON lines. Any end of a watch
// leads to a new watch from the last resourceVersion (bookmarks move it too); 410 Gone (history
// expired, as a status or an ERROR event) leads to a fresh list; failures wait with capped, jittered
// backoff. A watch silent for longer than the server's own timeout plus a margin is dead and is
// replaced. Runs until its signal aborts, which aborts the open request wherever it is.
import type { IncomingMessage } from 'node:http';
import { KubeHttpError, unreachable, type KubeClients } from './kube-adapter.ts';
import type { KObject } from './kube-types.ts';
import type { WatchEventType } from './object-cache.ts';

export interface ResourceSource {
  name: string;
  /** The collection path, e.g. /api/v1/pods. */
  path: string;
  list(): Promise<{ items: KObject[]; resourceVersion: string }>;
}

export interface WatchSink {
  reset(items: KObject[]): void;
  event(type: WatchEventType, object: KObject): void;
  healthy(): void;
  failed(error: unknown): void;
  relisted?(): void;
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_WATCH_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };

/** The server ends each watch after this long (the client then watches again from where it was). */
export const WATCH_TIMEOUT_SECONDS = 290;
/** No byte (not even a bookmark) for this long: the connection is dead. */
const WATCH_SILENCE_MS = (WATCH_TIMEOUT_SECONDS + 30) * 1000;
/** One watch line (one object) larger than this is refused rather than buffered. */
const MAX_LINE_CHARS = 16 << 20;

class Gone extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function backoffMs(attempt: number, policy: BackoffPolicy, random = Math.random): number {
  const raw = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

async function refusal(res: IncomingMessage): Promise<Error> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res as AsyncIterable<string>) if (text.length < 64 * 1024) text += chunk;
  return new KubeHttpError(res.statusCode ?? 0, text);
}

/** Reads one watch stream to its end; resolves with the last resourceVersion seen. */
function readWatch(res: IncomingMessage, resourceVersion: string, sink: WatchSink, stop: () => void): Promise<string> {
  let version = resourceVersion;
  let gone = false;
  let failure: unknown = null;
  let partial = '';
  return new Promise<string>((resolve, reject) => {
    let silence = setTimeout(stop, WATCH_SILENCE_MS);
    const take = (line: string): void => {
      if (line.trim() === '') return;
      let parsed: { type: string; object: KObject & { code?: number } };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch (error) {
        throw new Error(`the API server sent an unreadable watch event: ${(error as Error).message}`, { cause: error });
      }
      const { type, object } = parsed;
      if (type === 'ERROR') {
        if (object.code === 410) gone = true;
        else failure = new KubeHttpError(object.code ?? 500, JSON.stringify(object));
        stop();
        return;
      }
      const rv = object.metadata?.resourceVersion;
      if (rv) version = rv;
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') sink.event(type, object);
    };
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      clearTimeout(silence);
      silence = setTimeout(stop, WATCH_SILENCE_MS);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      try {
        for (const line of lines) if (!res.destroyed) take(line);
        if (partial.length > MAX_LINE_CHARS) throw new Error(`the API server sent a watch line of more than ${MAX_LINE_CHARS} characters`);
      } catch (error) {
        failure = error;
        stop();
      }
    });
    res.on('error', (error) => {
      failure ??= error;
    });
    res.on('close', () => {
      clearTimeout(silence);
      if (gone) reject(new Gone('410 Gone'));
      else if (failure && !isTimeout(failure) && (failure as { code?: string }).code !== 'ECONNRESET') reject(failure);
      else resolve(version);
    });
  });
}

/** One watch from `resourceVersion`; resolves with the last version seen when it ends normally. */
async function watchOnce(kube: KubeClients, source: ResourceSource, resourceVersion: string, sink: WatchSink, signal: AbortSignal): Promise<string> {
  const own = new AbortController();
  const both = AbortSignal.any([signal, own.signal]);
  const query = new URLSearchParams({ watch: 'true', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(WATCH_TIMEOUT_SECONDS) });
  let res: IncomingMessage;
  try {
    res = await kube.http.open(`${source.path}?${query}`, { accept: 'application/json', signal: both });
  } catch (error) {
    if (signal.aborted || isTimeout(error)) return resourceVersion;
    throw unreachable(error);
  }
  if (res.statusCode === 410) {
    res.resume();
    throw new Gone('410 Gone');
  }
  if (res.statusCode !== 200) throw await refusal(res);
  return readWatch(res, resourceVersion, sink, () => own.abort());
}

export async function runListWatch(kube: KubeClients, source: ResourceSource, sink: WatchSink, signal: AbortSignal, policy: BackoffPolicy = DEFAULT_WATCH_BACKOFF): Promise<void> {
  let attempt = 0;
  while (!signal.aborted) {
    try {
      const listed = await source.list();
      if (signal.aborted) return;
      sink.reset(listed.items);
      sink.healthy();
      let version = listed.resourceVersion;
      for (;;) {
        const started = Date.now();
        version = await watchOnce(kube, source, version, sink, signal);
        if (signal.aborted) return;
        attempt = Date.now() - started < 1000 ? attempt + 1 : 0;
        // A watch that ends at once again and again is a failing server: slow down.
        if (attempt > 0) await sleep(backoffMs(attempt, policy), signal);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof Gone) {
        sink.relisted?.();
        continue;
      }
      sink.failed(error);
      await sleep(backoffMs(attempt, policy), signal);
      attempt += 1;
    }
  }
}
