// Adapter: container logs from the API server. `downloadLogs` reads a bounded tail; `followLogs`
// streams a container's log into a `logs:` topic: the previous container's last lines after a
// crash, then the current ones, re-opened after a container restart or an API server blip (lines
// already sent are skipped by timestamp), and `ended` once the pod is gone.
import { Writable } from 'node:stream';
import type { Topic } from '../feed/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { LogsEvent, LogsState, LogsTarget } from '../protocol/logs.ts';
import { LOG_BUFFER_LINES, MAX_DOWNLOAD_LINES } from '../protocol/logs.ts';
import type { ClusterView } from './cluster-view.ts';
import { withDeadline, type KubeClients } from './kube-adapter.ts';
import { isNewer, LineSplitter, parseStamped, type StampedLine } from './log-lines.ts';

export const MAX_DOWNLOAD_BYTES = 8 << 20;

export interface DownloadOptions {
  tailLines: number;
  previous: boolean;
  /** Below MAX_DOWNLOAD_BYTES (the support bundle asks for less). */
  limitBytes?: number;
  /** Prefix each line with the kubelet's RFC 3339 time. */
  timestamps?: boolean;
  deadlineMs?: number;
}

export async function downloadLogs(kube: KubeClients, target: LogsTarget, options: DownloadOptions): Promise<string> {
  const limitBytes = Math.min(options.limitBytes ?? MAX_DOWNLOAD_BYTES, MAX_DOWNLOAD_BYTES);
  const tailLines = Math.min(options.tailLines, MAX_DOWNLOAD_LINES);
  const request = { name: target.pod, namespace: target.namespace, container: target.container, tailLines, previous: options.previous, limitBytes };
  return withDeadline(kube.core.readNamespacedPodLog({ ...request, timestamps: options.timestamps }), options.deadlineMs ?? 30_000);
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { running?: object };
  lastState?: { terminated?: { exitCode?: number; reason?: string } };
}

export interface FollowOptions {
  flushMs?: number;
  checkMs?: number;
}

export function followLogs(kube: KubeClients, view: ClusterView, target: LogsTarget, topic: Topic<LogsState, LogsEvent>, log: Logger, options: FollowOptions = {}): () => void {
  let stopped = false;
  let stream: AbortController | undefined;
  let pending: string[] = [];
  let last: StampedLine | null = null;
  let opening = false;
  let statusSince = view.status.since;
  const pod = view.caches.pods.get(target.namespace, target.pod);
  const uid = pod?.metadata?.uid;

  const publish = (event: LogsEvent): void => {
    if (!stopped) topic.publish(event);
  };
  const flush = (): void => {
    if (pending.length === 0) return;
    const lines = pending.length > LOG_BUFFER_LINES ? pending.slice(-LOG_BUFFER_LINES) : pending;
    pending = [];
    publish({ kind: 'logs.lines.v1', lines });
  };
  const end = (reason: string): void => {
    if (stopped) return;
    flush();
    publish({ kind: 'logs.ended.v1', reason });
    stop();
  };
  const podGone = (): boolean => {
    const now = view.caches.pods.get(target.namespace, target.pod);
    return !now || now.metadata?.uid !== uid || Boolean(now.metadata?.deletionTimestamp);
  };

  const open = async (first: boolean): Promise<void> => {
    if (stopped || opening) return;
    opening = true;
    const splitter = new LineSplitter();
    const take = (raw: string): void => {
      const line = parseStamped(raw);
      if (!isNewer(line, last)) return;
      last = line;
      pending.push(line.text);
    };
    const sink = new Writable({
      write(chunk: Buffer, _enc, callback) {
        for (const raw of splitter.push(chunk.toString('utf8'))) take(raw);
        callback();
      },
      final(callback) {
        for (const raw of splitter.flush()) take(raw);
        callback();
        if (!stopped) setTimeout(() => void reopen(), podGone() ? 0 : 1000);
      },
    });
    // The client pipes the response into `sink` without handling the response's errors: take them
    // here (an abort when we stop, a reset when the API server goes away) and re-open after a reset.
    sink.on('pipe', (source: NodeJS.ReadableStream) => {
      source.on('error', (error: Error) => {
        if (stopped || error.name === 'AbortError') return;
        log.debug({ err: error.message, target }, 'log stream broke; re-opening');
        setTimeout(() => void reopen(), 1000);
      });
    });
    try {
      // Re-opened: only what came since the last line delivered (repeats are skipped by timestamp).
      const since: StampedLine | null = last;
      const window = !first && since ? { sinceSeconds: Math.max(1, Math.ceil((Date.now() - since.ms) / 1000) + 1) } : { tailLines: LOG_BUFFER_LINES };
      stream = await kube.log.log(target.namespace, target.pod, target.container, sink, { follow: true, timestamps: true, ...window });
      if (stopped) stream.abort();
    } catch (error) {
      const message = (error as { body?: { message?: string } }).body?.message ?? (error as Error).message;
      if (!stopped && !podGone()) {
        const text = `cannot read logs yet: ${message}`;
        if (topic.state.error !== text) publish({ kind: 'logs.error.v1', message: text });
        setTimeout(() => void reopen(), 2000);
      }
    } finally {
      opening = false;
    }
  };
  const reopen = async (): Promise<void> => {
    if (stopped) return;
    if (podGone()) return end('the pod is gone');
    await open(false);
  };

  const previous = async (): Promise<void> => {
    const statuses = (pod?.status?.containerStatuses as ContainerStatus[] | undefined) ?? [];
    const c = statuses.find((s) => s.name === target.container);
    if (!c || (c.restartCount ?? 0) === 0 || c.state?.running) return;
    try {
      const text = await downloadLogs(kube, target, { tailLines: 100, previous: true });
      const t = c.lastState?.terminated;
      publish({ kind: 'logs.lines.v1', lines: [`--- previous container (exit code ${t?.exitCode ?? '?'}${t?.reason ? `, ${t.reason}` : ''}) ---`, ...text.split('\n').filter((l) => l !== ''), '--- current container ---'] });
    } catch (error) {
      log.debug({ err: error, target }, 'no previous container logs');
    }
  };

  const flushTimer = setInterval(flush, options.flushMs ?? 100);
  const checkTimer = setInterval(() => {
    if (podGone()) return end('the pod is gone');
    const status = view.status;
    // After the connection to the API server came back, the log stream may be dead: re-open it.
    if (status.since !== statusSince) {
      statusSince = status.since;
      if (status.state === 'connected') {
        stream?.abort();
        void open(false);
      }
    }
  }, options.checkMs ?? 500);
  function stop(): void {
    stopped = true;
    clearInterval(flushTimer);
    clearInterval(checkTimer);
    stream?.abort();
  }

  if (!pod) {
    publish({ kind: 'logs.ended.v1', reason: `pod ${target.namespace}/${target.pod} does not exist` });
    stop();
  } else void previous().then(() => open(true));
  return stop;
}
