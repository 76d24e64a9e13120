// The object store: one global resourceVersion counter (like etcd's revision), objects per
// resource, a bounded ring of past changes for watches, and listeners. It does bookkeeping only
// (rv, uid, timestamps); API semantics (validation, conflicts, propagation) live in api.ts.
import { clone, type KObject } from './types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** storageKey of the resource: `group/plural`. */
  key: string;
  object: KObject;
  /** The object before a change (MODIFIED, DELETED). */
  prev?: KObject;
  rv: number;
}

export interface StoreOptions {
  /** How many past changes watches may resume from (default 5000). */
  historySize?: number;
  now?: () => Date;
}

const objKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export class Store {
  #rv = 1000;
  #objects = new Map<string, Map<string, KObject>>();
  #history: StoreEvent[] = [];
  #historyStart = 0;
  #historySize: number;
  #listeners = new Set<(event: StoreEvent) => void>();
  readonly now: () => Date;

  constructor(options: StoreOptions = {}) {
    this.#historySize = Math.max(10, options.historySize ?? 5000);
    this.now = options.now ?? ((): Date => new Date());
  }

  get resourceVersion(): number {
    return this.#rv;
  }

  /** The oldest resourceVersion a watch may start from (events after it are all kept). */
  get oldestResumable(): number {
    const first = this.#history[this.#historyStart % Math.max(1, this.#history.length)];
    return this.#history.length === 0 || !first ? this.#rv : first.rv - 1;
  }

  /** Forgets the change history (as an API server restart with an empty watch cache does). */
  dropHistory(): void {
    this.#history = [];
    this.#historyStart = 0;
  }

  get(key: string, namespace: string | undefined, name: string): KObject | undefined {
    const obj = this.#objects.get(key)?.get(objKey(namespace, name));
    return obj ? clone(obj) : undefined;
  }

  /** Live (uncloned) read for controllers that only look. */
  peek(key: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.#objects.get(key)?.get(objKey(namespace, name));
  }

  /** Objects sorted by namespace/name; uncloned when `raw` (callers must not mutate). */
  list(key: string, namespace?: string, raw = false): KObject[] {
    const map = this.#objects.get(key);
    if (!map) return [];
    const items: [string, KObject][] = [];
    for (const [k, obj] of map) if (namespace === undefined || obj.metadata.namespace === namespace) items.push([k, obj]);
    items.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return items.map(([, obj]) => (raw ? obj : clone(obj)));
  }

  /** Every object of `key`, unsorted and uncloned (callers must not mutate): for full scans. */
  scan(key: string): Iterable<KObject> {
    return this.#objects.get(key)?.values() ?? [];
  }

  count(key: string): number {
    return this.#objects.get(key)?.size ?? 0;
  }

  keys(): string[] {
    return [...this.#objects.keys()];
  }

  create(key: string, input: KObject): KObject {
    const obj = clone(input);
    obj.metadata.uid ??= globalThis.crypto.randomUUID();
    obj.metadata.creationTimestamp ??= stamp(this.now());
    obj.metadata.resourceVersion = String(++this.#rv);
    let map = this.#objects.get(key);
    if (!map) this.#objects.set(key, (map = new Map()));
    map.set(objKey(obj.metadata.namespace, obj.metadata.name), obj);
    this.#emit({ type: 'ADDED', key, object: obj, rv: this.#rv });
    return clone(obj);
  }

  /** Replaces an existing object (no checks); returns the stored copy. */
  update(key: string, input: KObject): KObject {
    const map = this.#objects.get(key);
    const k = objKey(input.metadata.namespace, input.metadata.name);
    const prev = map?.get(k);
    if (!map || !prev) throw new Error(`store: ${key} ${k} does not exist`);
    const obj = clone(input);
    obj.metadata.resourceVersion = String(++this.#rv);
    map.set(k, obj);
    this.#emit({ type: 'MODIFIED', key, object: obj, prev, rv: this.#rv });
    return clone(obj);
  }

  remove(key: string, namespace: string | undefined, name: string): KObject | undefined {
    const map = this.#objects.get(key);
    const k = objKey(namespace, name);
    const prev = map?.get(k);
    if (!map || !prev) return undefined;
    map.delete(k);
    const obj = clone(prev);
    obj.metadata.resourceVersion = String(++this.#rv);
    this.#emit({ type: 'DELETED', key, object: obj, prev, rv: this.#rv });
    return clone(obj);
  }

  /** Changes after `rv` for `key`, or undefined when `rv` is older than the kept history. */
  since(key: string, rv: number): StoreEvent[] | undefined {
    if (rv < this.oldestResumable) return undefined;
    const out: StoreEvent[] = [];
    const n = this.#history.length;
    for (let i = 0; i < n; i++) {
      const event = this.#history[(this.#historyStart + i) % n];
      if (event && event.rv > rv && event.key === key) out.push(event);
    }
    return out;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: StoreEvent): void {
    if (this.#history.length < this.#historySize) this.#history.push(event);
    else {
      this.#history[this.#historyStart] = event;
      this.#historyStart = (this.#historyStart + 1) % this.#historySize;
    }
    for (const listener of this.#listeners) listener(event);
  }
}

/** RFC 3339 with second precision, as the API server writes metav1.Time. */
export function stamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
