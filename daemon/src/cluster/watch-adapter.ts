// Adapter: list-then-watch of one resource through @kubernetes/client-node. Any end of a watch
// leads to a new watch from the last resourceVersion; 410 Gone (history expired) leads to a
// fresh list; failures wait with capped, jittered backoff. Runs until its signal aborts.
import type { Watch } from '@kubernetes/client-node';
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

/** One watch from `resourceVersion`; resolves with the last version seen when it ends normally. */
async function watchOnce(watch: Watch, source: ResourceSource, resourceVersion: string, sink: WatchSink, signal: AbortSignal): Promise<string> {
  let version = resourceVersion;
  let gone = false;
  return new Promise<string>((resolve, reject) => {
    let controller: AbortController | undefined;
    const onAbort = (): void => controller?.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const finish = (error: unknown): void => {
      signal.removeEventListener('abort', onAbort);
      if (gone || (error as { statusCode?: number } | null)?.statusCode === 410) reject(new Gone('410 Gone'));
      else if (error && !isTimeout(error) && !signal.aborted) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(version);
    };
    const onEvent = (phase: string, object: KObject & { code?: number }): void => {
      if (phase === 'ERROR') {
        if (object.code === 410) gone = true;
        controller?.abort();
        return;
      }
      const rv = object.metadata?.resourceVersion;
      if (rv) version = rv;
      if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') sink.event(phase, object);
    };
    watch
      .watch(source.path, { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 290 }, onEvent, finish)
      .then((c) => {
        controller = c;
        if (signal.aborted) c.abort();
      })
      .catch(finish);
  });
}

export async function runListWatch(watch: Watch, source: ResourceSource, sink: WatchSink, signal: AbortSignal, policy: BackoffPolicy = DEFAULT_WATCH_BACKOFF): Promise<void> {
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
        version = await watchOnce(watch, source, version, sink, signal);
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
