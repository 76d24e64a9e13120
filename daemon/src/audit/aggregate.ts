// Counts repeated events into one audit record per key and window, so nobody can grow the log by
// repeating a refused request: anonymous failed logins and setup attempts (per address), refusals
// of a known caller (per caller, address, route and reason), a session cookie replayed from another
// address. The first event of a key opens its window; when the window ends, one record is written
// with the count, first and last time, the reasons counted and the account names tried. The map of
// open windows is bounded: past `maxKeys`, events fall into one overflow record per action.
import type { AuditInput } from './audit-log.ts';
import type { AuditOutcome } from './chain.ts';

export interface CountedEvent {
  action: string;
  actor: string;
  role: string;
  address: string;
  target?: string;
  outcome: AuditOutcome;
  /** Facts every event of the key shares (part of the key), e.g. the route and refusal code. */
  detail?: Record<string, unknown>;
  /** Counted per value in the record's `reasons`. */
  reason?: string;
  /** Named in the record's `accounts` (at most MAX_NAMES distinct), e.g. the account a login tried. */
  account?: string;
}

interface Bucket {
  event: CountedEvent;
  count: number;
  firstAt: number;
  lastAt: number;
  reasons: Map<string, number>;
  accounts: Set<string>;
}

export interface AggregatorOptions {
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
  /** Told when writing a record failed (the timer has no caller to throw to). */
  onError?: (error: unknown) => void;
}

const MAX_NAMES = 20;

export class AuditAggregator {
  readonly #write: (inputs: AuditInput[]) => void;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #buckets = new Map<string, Bucket>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `write` gets every record of one flush at once (the log appends them in one transaction). */
  constructor(write: (inputs: AuditInput[]) => void, options: AggregatorOptions) {
    this.#write = write;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 1024;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? ((error) => {
      throw error;
    });
  }

  /** Open windows (for tests and metrics). */
  get open(): number {
    return this.#buckets.size;
  }

  count(event: CountedEvent): void {
    const now = this.#now();
    let key = JSON.stringify([event.action, event.actor, event.role, event.address, event.target ?? '', event.outcome, event.detail ?? {}]);
    let bucket = this.#buckets.get(key);
    if (!bucket && this.#buckets.size >= this.#maxKeys) {
      const overflow: CountedEvent = {
        action: event.action,
        actor: '*',
        role: '-',
        address: '*',
        target: '*',
        outcome: event.outcome,
        detail: { overflow: true },
      };
      key = JSON.stringify(['overflow', event.action, event.outcome]);
      bucket = this.#buckets.get(key);
      event = { ...overflow, reason: event.reason, account: event.account };
    }
    if (!bucket) {
      bucket = { event, count: 0, firstAt: now, lastAt: now, reasons: new Map(), accounts: new Set() };
      this.#buckets.set(key, bucket);
    }
    bucket.count += 1;
    bucket.lastAt = now;
    if (event.reason) bucket.reasons.set(event.reason, (bucket.reasons.get(event.reason) ?? 0) + 1);
    if (event.account !== undefined && bucket.accounts.size < MAX_NAMES) bucket.accounts.add(event.account);
    this.#arm();
  }

  /** Writes the records of every window that has ended (all of them with `all`). */
  flush(all = false): void {
    const now = this.#now();
    const due: AuditInput[] = [];
    for (const [key, bucket] of this.#buckets) {
      if (!all && bucket.firstAt + this.#windowMs > now) continue;
      this.#buckets.delete(key);
      due.push(toInput(bucket));
    }
    if (due.length === 0) return;
    try {
      this.#write(due);
    } catch (error) {
      this.#onError(error);
    }
  }

  /** Writes every open window and stops the timer (at shutdown). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.flush(true);
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    let due = Infinity;
    for (const bucket of this.#buckets.values()) due = Math.min(due, bucket.firstAt + this.#windowMs);
    if (due === Infinity) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
      this.#arm();
    }, Math.max(0, due - this.#now()));
    this.#timer.unref?.();
  }
}

function toInput(bucket: Bucket): AuditInput {
  const { event } = bucket;
  const detail: Record<string, unknown> = { ...event.detail, count: bucket.count, firstAt: bucket.firstAt, lastAt: bucket.lastAt };
  if (bucket.reasons.size > 0) detail.reasons = Object.fromEntries(bucket.reasons);
  if (bucket.accounts.size > 0) detail.accounts = [...bucket.accounts];
  return { actor: event.actor, role: event.role, address: event.address, action: event.action, target: event.target, outcome: event.outcome, detail };
}
