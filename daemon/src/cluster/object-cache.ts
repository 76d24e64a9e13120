// The latest version of every object of one resource, kept from a list and the watch events that
// follow it (pure). An event older than what is held (by resourceVersion) is dropped. Objects are
// held slimmed: what no reader of the caches uses and what only bloats them (managedFields, kubectl's
// last-applied copy of the spec) is dropped as they come in.
import { objectKey, type KObject } from './kube-types.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops `metadata.managedFields` and the last-applied annotation, in place: the object is the
 * cache's own (parsed from the wire for it). Nothing in the web process reads them, and the support
 * bundle removes them anyway; on a real cluster they are a third to half of a pod's size.
 */
export function slimObject<T extends KObject>(object: T): T {
  const meta = object.metadata;
  if (meta?.managedFields !== undefined) delete meta.managedFields;
  if (meta?.annotations && LAST_APPLIED_ANNOTATION in meta.annotations) delete meta.annotations[LAST_APPLIED_ANNOTATION];
  return object;
}

function older(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

export class ObjectCache<T extends KObject = KObject> {
  readonly #items = new Map<string, T>();
  readonly #limit: number;

  /** `limit` bounds the count; past it the oldest-inserted objects are forgotten (events). */
  constructor(limit = Number.POSITIVE_INFINITY) {
    this.#limit = limit;
  }

  replace(items: readonly T[]): void {
    this.#items.clear();
    for (const item of items) this.#set(item);
  }

  /** Applies one watch event; false when it changed nothing (stale or unknown delete). */
  apply(type: WatchEventType, object: T): boolean {
    const key = objectKey(object);
    const held = this.#items.get(key);
    if (type === 'DELETED') return this.#items.delete(key);
    if (held && older(object.metadata?.resourceVersion, held.metadata?.resourceVersion)) return false;
    this.#items.delete(key);
    this.#set(object);
    return true;
  }

  #set(item: T): void {
    this.#items.set(objectKey(item), slimObject(item));
    while (this.#items.size > this.#limit) {
      const oldest = this.#items.keys().next().value;
      if (oldest === undefined) break;
      this.#items.delete(oldest);
    }
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#items.get(`${namespace ?? ''}/${name}`);
  }

  values(): T[] {
    return [...this.#items.values()];
  }

  get size(): number {
    return this.#items.size;
  }
}
