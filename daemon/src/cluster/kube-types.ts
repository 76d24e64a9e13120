// The few fields of Kubernetes objects the cluster capability reads. Loose on purpose: objects
// come from typed lists (timestamps as Date) and from watch lines (timestamps as strings).

export type Stamp = string | Date | undefined | null;

export interface KMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Stamp;
  deletionTimestamp?: Stamp;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid?: string; controller?: boolean }[];
  /** Dropped as objects enter the caches (object-cache.ts). */
  managedFields?: unknown[];
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KMeta;
  // The rest is read through the narrow accessors in the model.
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface KEvent extends KObject {
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: Stamp;
  eventTime?: Stamp;
  firstTimestamp?: Stamp;
}

export function stampMs(value: Stamp): number | null {
  if (value === undefined || value === null || value === '') return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export function objectKey(o: KObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
