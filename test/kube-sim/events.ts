// core/v1 Event recording with the kubelet's aggregation (a repeat bumps `count` and
// `lastTimestamp`) and a bound on how many events the store keeps.
import type { Api } from './api.ts';
import { storageKey } from './resources.ts';
import { stamp } from './store.ts';
import { clone, type KObject } from './types.ts';

export interface EventSource {
  component: string;
  host?: string;
}

export class EventRecorder {
  #api: Api;
  #seen = new Map<string, string>();
  #maxEvents: number;
  /** Last name suffix handed out: microseconds, strictly increasing so two events in one millisecond never share a name. */
  #lastSuffix = 0;

  constructor(api: Api, maxEvents = 2000) {
    this.#api = api;
    this.#maxEvents = maxEvents;
  }

  record(obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const info = this.#api.registry.byKind('v1', 'Event');
    const ns = obj.metadata.namespace ?? 'default';
    const namespace = this.#api.find(this.#api.info('v1', 'Namespace'), undefined, ns);
    if (!info || !namespace || namespace.metadata.deletionTimestamp) return; // a real server refuses new content there
    const key = `${obj.metadata.uid}|${type}|${reason}|${message}|${fieldPath ?? ''}`;
    const now = stamp(this.#api.store.now());
    const existingName = this.#seen.get(key);
    const existing = existingName ? this.#api.find(info, ns, existingName) : undefined;
    if (existing) {
      const next = clone(existing);
      next.count = (next.count ?? 1) + 1;
      next.lastTimestamp = now;
      this.#api.store.update(storageKey(info), next);
      return;
    }
    this.#lastSuffix = Math.max(Date.now() * 1000, this.#lastSuffix + 1);
    const name = `${obj.metadata.name}.${this.#lastSuffix.toString(16)}`;
    this.#api.store.create(storageKey(info), {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: obj.kind,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
    this.#seen.set(key, name);
    if (this.#seen.size > this.#maxEvents * 2) this.#seen.clear();
  }

  /** Deletes the oldest events beyond the bound. */
  trim(): void {
    const info = this.#api.info('v1', 'Event');
    const key = storageKey(info);
    const excess = this.#api.store.count(key) - this.#maxEvents;
    if (excess <= 0) return;
    const oldest = this.#api.store
      .list(key, undefined, true)
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .slice(0, excess);
    for (const e of oldest) this.#api.store.remove(key, e.metadata.namespace, e.metadata.name);
  }
}
