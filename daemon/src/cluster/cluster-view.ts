// The daemon's live picture of the cluster: one list-then-watch per resource feeding object caches,
// workload summaries recomputed (debounced) on change and published on the `cluster` topic as
// compact deltas, warnings published as they come, and the connection state:
// connected (every watch healthy), degraded (some failing), unreachable (all failing).
// Verdicts that change with time alone (a crash leaving the memory, a workload settling) are
// recomputed when the model says they will change, at most once a second.
import type { Topic } from '../feed/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { ClusterEvent, ClusterState, ClusterStatus, WorkloadSummary } from '../protocol/cluster.ts';
import { MAX_EVENTS, toWarningEvent } from './events.ts';
import { describeKubeFailure } from './kube-errors.ts';
import type { KEvent, KObject } from './kube-types.ts';
import { resourceSources, type KubeClients, type ResourceName } from './kube-adapter.ts';
import { ObjectCache } from './object-cache.ts';
import { DEFAULT_WATCH_BACKOFF, runListWatch, type BackoffPolicy } from './watch-adapter.ts';
import { namespaceNames, workloadModel, type ClusterObjects } from './workload-model.ts';
import { DEFAULT_STABILITY_MS } from './settled.ts';

export interface ClusterViewOptions {
  debounceMs?: number;
  backoff?: BackoffPolicy;
  /** The settled window (config `cluster.stabilitySeconds`). */
  stabilityMs?: number;
  now?: () => number;
}

export class ClusterView {
  readonly caches: Record<ResourceName, ObjectCache>;
  readonly #topic: Topic<ClusterState, ClusterEvent>;
  readonly #kube: KubeClients;
  readonly #log: Logger;
  readonly #debounceMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #health = new Map<ResourceName, { ok: boolean; error: string | null }>();
  #published = new Map<string, string>();
  #namespaces = '';
  #timer: NodeJS.Timeout | undefined;
  #recheck: NodeJS.Timeout | undefined;
  readonly #stabilityMs: number;
  readonly #now: () => number;
  #abort = new AbortController();
  #relists = 0;
  readonly #listeners = new Set<() => void>();

  constructor(kube: KubeClients, topic: Topic<ClusterState, ClusterEvent>, log: Logger, options: ClusterViewOptions = {}) {
    this.#kube = kube;
    this.#topic = topic;
    this.#log = log;
    this.#debounceMs = options.debounceMs ?? 50;
    this.#backoff = options.backoff ?? DEFAULT_WATCH_BACKOFF;
    this.#stabilityMs = options.stabilityMs ?? DEFAULT_STABILITY_MS;
    this.#now = options.now ?? Date.now;
    const names: ResourceName[] = ['namespaces', 'nodes', 'pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'events'];
    this.caches = Object.fromEntries(names.map((n) => [n, new ObjectCache(n === 'events' ? MAX_EVENTS : Number.POSITIVE_INFINITY)])) as Record<ResourceName, ObjectCache>;
  }

  /** How many times a watch had to relist after 410 Gone. */
  get relists(): number {
    return this.#relists;
  }

  /** The settled window every verdict of this view uses. */
  get stabilityMs(): number {
    return this.#stabilityMs;
  }

  now(): number {
    return this.#now();
  }

  get status(): ClusterStatus {
    return this.#topic.state.status;
  }

  objects(): ClusterObjects {
    const c = this.caches;
    return { namespaces: c.namespaces.values(), pods: c.pods.values(), deployments: c.deployments.values(), replicasets: c.replicasets.values(), statefulsets: c.statefulsets.values(), daemonsets: c.daemonsets.values(), jobs: c.jobs.values() };
  }

  /** Called after every applied change (actions follow rollouts with it). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): () => void {
    const sources = resourceSources(this.#kube);
    for (const name of Object.keys(sources) as ResourceName[]) {
      const cache = this.caches[name];
      void runListWatch(
        this.#kube,
        sources[name],
        {
          reset: (items) => {
            cache.replace(items);
            if (name === 'events') this.#publishRecentWarnings(items as KEvent[]);
            this.#changed();
          },
          event: (type, object) => {
            if (!cache.apply(type, object)) return;
            if (name === 'events' && type !== 'DELETED' && (object as KEvent).type === 'Warning') this.#topic.publish({ kind: 'cluster.warning.v1', event: toWarningEvent(object as KEvent) });
            if (name !== 'events' && name !== 'nodes') this.#changed();
          },
          healthy: () => this.#setHealth(name, null),
          failed: (error) => this.#setHealth(name, error),
          relisted: () => {
            this.#relists += 1;
            this.#log.info({ resource: name }, 'watch history expired (410): relisting');
          },
        },
        this.#abort.signal,
        this.#backoff,
      ).catch((error: unknown) => this.#log.error({ err: error, resource: name }, 'watch loop stopped'));
    }
    return () => {
      this.#abort.abort();
      clearTimeout(this.#timer);
      clearTimeout(this.#recheck);
    };
  }

  #publishRecentWarnings(events: KEvent[]): void {
    const warnings = events.filter((e) => e.type === 'Warning').map(toWarningEvent).sort((a, b) => a.time - b.time).slice(-10);
    for (const event of warnings) this.#topic.publish({ kind: 'cluster.warning.v1', event });
  }

  #setHealth(name: ResourceName, error: unknown): void {
    // The screen gets one plain sentence; the journal keeps the client's own text.
    const message = error === null ? null : describeKubeFailure(error);
    const before = this.#health.get(name);
    this.#health.set(name, { ok: error === null, error: message });
    if (error !== null && before?.ok !== false) this.#log.warn({ resource: name, err: error instanceof Error ? error.message : String(error) }, 'watch failing');
    const all = [...this.#health.values()];
    const failing = all.filter((h) => !h.ok);
    const state = all.length === 0 ? 'connecting' : failing.length === 0 ? (all.length < 9 ? 'connecting' : 'connected') : failing.length === all.length ? 'unreachable' : 'degraded';
    const current = this.#topic.state.status;
    const lastError = failing[0]?.error ?? (state === 'connected' ? current.lastError : (message ?? current.lastError));
    if (current.state === state && current.lastError === lastError) return;
    if (current.state !== state) this.#log.info({ state, lastError }, 'cluster connection');
    this.#topic.publish({ kind: 'cluster.status.v1', status: { ...current, state, since: current.state === state ? current.since : Date.now(), lastError } });
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#publishDelta();
    }, this.#debounceMs);
  }

  #publishDelta(): void {
    const objects = this.objects();
    const namespaces = namespaceNames(objects.namespaces as KObject[]);
    if (namespaces.join(',') !== this.#namespaces) {
      this.#namespaces = namespaces.join(',');
      this.#topic.publish({ kind: 'cluster.namespaces.v1', namespaces });
    }
    const next = new Map<string, string>();
    const upserts: WorkloadSummary[] = [];
    const now = this.#now();
    const model = workloadModel(objects, { now, stabilityMs: this.#stabilityMs });
    this.#scheduleRecheck(model.nextChangeAt, now);
    for (const w of model.workloads) {
      const json = JSON.stringify(w);
      next.set(w.key, json);
      if (this.#published.get(w.key) !== json) upserts.push(w);
    }
    const removed = [...this.#published.keys()].filter((k) => !next.has(k));
    this.#published = next;
    if (removed.length > 0) this.#topic.publish({ kind: 'cluster.remove.v1', keys: removed });
    if (upserts.length > 0) this.#topic.publish({ kind: 'cluster.upsert.v1', workloads: upserts });
  }

  #scheduleRecheck(at: number | null, now: number): void {
    clearTimeout(this.#recheck);
    this.#recheck = undefined;
    if (at === null || this.#abort.signal.aborted) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      this.#publishDelta();
    }, Math.max(1000, at - now + 50));
    this.#recheck.unref();
  }
}
