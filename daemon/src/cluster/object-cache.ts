// The latest version of every object of one resource, kept from a list and the watch events that
// follow it (pure). An event older than what is held (by resourceVersion) is dropped.
import { objectKey, type KObject } from './kube-types.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

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
    this.#items.set(objectKey(item), item);
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
