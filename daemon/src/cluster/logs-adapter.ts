// Adapter: container logs from the API server. `downloadLogs` reads a bounded tail; `followLogs`
// streams a container's log into a `logs:` topic: the previous container's last lines after a
// crash, then the current ones, re-opened after a container restart or an API server blip (lines
// already sent are skipped by timestamp), and `ended` once the pod is gone.
// Invariant: one follow has at most one request open to the API server at any time, and stopping it
// aborts that request wherever it is (connecting, waiting for headers, streaming) and every retry.
import type { IncomingMessage } from 'node:http';
import type { Topic } from '../feed/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { LogsEvent, LogsState, LogsTarget } from '../protocol/logs.ts';
import { LOG_BUFFER_LINES, MAX_DOWNLOAD_LINES } from '../protocol/logs.ts';
import type { ClusterView } from './cluster-view.ts';
import { KubeHttpError, unreachable, type KubeClients } from './kube-adapter.ts';
import { logOpenProblem } from './kube-errors.ts';
import { isNewer, LineSplitter, parseStamped, type StampedLine } from './log-lines.ts';

export const MAX_DOWNLOAD_BYTES = 8 << 20;
const DOWNLOAD_DEADLINE_MS = 30_000;

type LogQuery = Record<string, string | number | boolean>;

/** Why a `logs:` topic cannot be followed right now (checked in the watched cache, no request), or null. */
export function logTargetProblem(view: ClusterView, target: LogsTarget): string | null {
  const pod = view.caches.pods.get(target.namespace, target.pod);
  const where = `${target.namespace}/${target.pod}`;
  if (!pod) {
    const state = view.status.state;
    return state === 'connected' ? `pod ${where} does not exist` : `pod ${where} is not known (the cluster is ${state}); try again once it is connected`;
  }
  if (pod.metadata?.deletionTimestamp) return `pod ${where} is being deleted`;
  const spec = (pod.spec ?? {}) as Record<string, { name?: string }[] | undefined>;
  const names = ['containers', 'initContainers', 'ephemeralContainers'].flatMap((k) => (spec[k] ?? []).map((c) => c.name));
  return names.includes(target.container) ? null : `pod ${where} has no container named ${target.container}`;
}

/**
 * GET …/pods/<pod>/log with the kubeconfig's credentials (the lean client, so `signal` reaches the socket).
 * Resolves with the response once it is 200; rejects with the Kubernetes Status message otherwise.
 */
export async function requestPodLog(kube: KubeClients, target: LogsTarget, query: LogQuery, signal: AbortSignal): Promise<IncomingMessage> {
  const pod = `namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}`;
  const params = new URLSearchParams({ container: target.container });
  for (const [key, value] of Object.entries(query)) params.set(key, String(value));
  let res: IncomingMessage;
  try {
    res = await kube.http.open(`/api/v1/${pod}/log?${params}`, { accept: 'text/plain, application/json', signal });
  } catch (error) {
    throw signal.aborted ? error : unreachable(error);
  }
  if (res.statusCode === 200) return res;
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res as AsyncIterable<string>) if (body.length < 64 * 1024) body += chunk;
  throw new KubeHttpError(res.statusCode ?? 0, body);
}

export interface DownloadOptions {
  tailLines: number;
  previous: boolean;
  signal?: AbortSignal;
  /** Below MAX_DOWNLOAD_BYTES (the support bundle asks for less). */
  limitBytes?: number;
  /** Prefix each line with the kubelet's RFC 3339 time. */
  timestamps?: boolean;
  /** Default DOWNLOAD_DEADLINE_MS. */
  deadlineMs?: number;
}

export async function downloadLogs(kube: KubeClients, target: LogsTarget, options: DownloadOptions): Promise<string> {
  const deadlineMs = options.deadlineMs ?? DOWNLOAD_DEADLINE_MS;
  const limitBytes = Math.min(options.limitBytes ?? MAX_DOWNLOAD_BYTES, MAX_DOWNLOAD_BYTES);
  const deadline = AbortSignal.timeout(deadlineMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const timedOut = () => Object.assign(new Error(`the API server did not answer within ${deadlineMs} ms`), { name: 'TimeoutError' });
  try {
    const query = { tailLines: Math.min(options.tailLines, MAX_DOWNLOAD_LINES), previous: options.previous, limitBytes, ...(options.timestamps ? { timestamps: true } : {}) };
    const res = await requestPodLog(kube, target, query, signal);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limitBytes) break;
      chunks.push(chunk);
    }
    res.destroy();
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw deadline.aborted ? timedOut() : error;
  }
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { running?: object; waiting?: { reason?: string } };
  lastState?: { terminated?: { exitCode?: number; reason?: string } };
}

export interface FollowOptions {
  flushMs?: number;
  checkMs?: number;
}

export function followLogs(kube: KubeClients, view: ClusterView, target: LogsTarget, topic: Topic<LogsState, LogsEvent>, log: Logger, options: FollowOptions = {}): () => void {
  const life = new AbortController();
  /** The one request to the API server (connecting or streaming), if any. */
  let current: AbortController | undefined;
  let retry: NodeJS.Timeout | undefined;
  let pending: string[] = [];
  let pendingTimes: (number | null)[] = [];
  let last: StampedLine | null = null;
  let statusSince = view.status.since;
  const pod = view.caches.pods.get(target.namespace, target.pod);
  const uid = pod?.metadata?.uid;
  const stopped = (): boolean => life.signal.aborted;

  const publish = (event: LogsEvent): void => {
    if (!stopped()) topic.publish(event);
  };
  const flush = (): void => {
    if (pending.length === 0) return;
    const from = Math.max(0, pending.length - LOG_BUFFER_LINES);
    const lines = pending.slice(from);
    const times = pendingTimes.slice(from);
    pending = [];
    pendingTimes = [];
    publish({ kind: 'logs.lines.v1', lines, times });
  };
  const end = (reason: string): void => {
    if (stopped()) return;
    flush();
    publish({ kind: 'logs.ended.v1', reason });
    stop();
  };
  const waitingContainer = (): { name: string; waitingReason: string | null } => {
    const statuses = (view.caches.pods.get(target.namespace, target.pod)?.status?.containerStatuses as ContainerStatus[] | undefined) ?? [];
    return { name: target.container, waitingReason: statuses.find((c) => c.name === target.container)?.state?.waiting?.reason ?? null };
  };
  const podGone = (): boolean => {
    const now = view.caches.pods.get(target.namespace, target.pod);
    return !now || now.metadata?.uid !== uid || Boolean(now.metadata?.deletionTimestamp);
  };
  const later = (ms: number): void => {
    if (stopped()) return;
    clearTimeout(retry);
    retry = setTimeout(() => void reopen(), ms);
  };
  const take = (raw: string): void => {
    const line = parseStamped(raw);
    if (!isNewer(line, last)) return;
    last = line;
    pending.push(line.text);
    pendingTimes.push(Number.isFinite(line.ms) ? line.ms : null);
  };

  const open = async (first: boolean): Promise<void> => {
    if (stopped()) return;
    current?.abort();
    const request = new AbortController();
    current = request;
    const signal = AbortSignal.any([life.signal, request.signal]);
    const splitter = new LineSplitter();
    // Re-opened: only what came since the last line delivered (repeats are skipped by timestamp).
    const since: StampedLine | null = last;
    const window: LogQuery = !first && since ? { sinceSeconds: Math.max(1, Math.ceil((Date.now() - since.ms) / 1000) + 1) } : { tailLines: LOG_BUFFER_LINES };
    try {
      const res = await requestPodLog(kube, target, { follow: true, timestamps: true, ...window }, signal);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const raw of splitter.push(chunk)) take(raw);
      });
      res.on('error', (error: Error) => {
        if (!signal.aborted) log.debug({ err: error.message, target }, 'log stream broke; re-opening');
      });
      // Ended by the API server (container restarted, pod gone, server restarting): open again.
      res.on('close', () => {
        for (const raw of splitter.flush()) take(raw);
        if (current !== request || signal.aborted) return;
        current = undefined;
        later(podGone() ? 0 : 1000);
      });
    } catch (error) {
      if (current === request) current = undefined;
      if (signal.aborted) return;
      if (!podGone()) {
        const text = logOpenProblem(error, waitingContainer());
        if (topic.state.error !== text) publish({ kind: 'logs.error.v1', message: text });
        later(2000);
      }
    }
  };
  const reopen = async (): Promise<void> => {
    if (stopped()) return;
    if (podGone()) return end('the pod is gone');
    await open(false);
  };

  const previous = async (): Promise<void> => {
    const statuses = (pod?.status?.containerStatuses as ContainerStatus[] | undefined) ?? [];
    const c = statuses.find((s) => s.name === target.container);
    if (!c || (c.restartCount ?? 0) === 0 || c.state?.running) return;
    try {
      const text = await downloadLogs(kube, target, { tailLines: 100, previous: true, signal: life.signal });
      const t = c.lastState?.terminated;
      publish({ kind: 'logs.lines.v1', lines: [`--- previous container (exit code ${t?.exitCode ?? '?'}${t?.reason ? `, ${t.reason}` : ''}) ---`, ...text.split('\n').filter((l) => l !== ''), '--- current container ---'] });
    } catch (error) {
      if (!stopped()) log.debug({ err: error, target }, 'no previous container logs');
    }
  };

  const flushTimer = setInterval(flush, options.flushMs ?? 100);
  const checkTimer = setInterval(() => {
    if (podGone()) return end('the pod is gone');
    const status = view.status;
    // After the connection to the API server came back, the log stream may be dead: re-open it.
    if (status.since !== statusSince) {
      statusSince = status.since;
      if (status.state === 'connected') void open(false);
    }
  }, options.checkMs ?? 500);
  function stop(): void {
    life.abort();
    current = undefined;
    clearTimeout(retry);
    clearInterval(flushTimer);
    clearInterval(checkTimer);
  }

  if (!pod) {
    publish({ kind: 'logs.ended.v1', reason: `pod ${target.namespace}/${target.pod} does not exist` });
    stop();
  } else void previous().then(() => open(true));
  return stop;
}
