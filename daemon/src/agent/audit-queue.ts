// Adapter: the web process's AuditWriter when the agent runs apart. The web cannot sign records (the
// chain's key is the agent's), so it hands them to the agent's `auditAppend` verb, which signs,
// writes and advances the head. Invariants:
//  1. Records reach the agent in the order they were appended, in batches of at most MAX_AUDIT_BATCH.
//  2. The queue is bounded (maxQueued): past it new records are counted and dropped, and one
//     `audit.dropped` record with the count is appended once the agent takes records again.
//  3. While the agent is away the queue waits for it (the link reconnects); a batch the agent refuses
//     as malformed is dropped and logged, never retried for ever.
//  4. close() waits (with a deadline) until everything queued was written or the agent is gone.
// A record's time is when the agent wrote it: at most the queue's wait after the event.
import { cleanField, type AuditInput, type AuditWriter } from '../audit/index.ts';
import { OutpostError } from '../lib/errors.ts';
import { sleep } from '../lib/backoff.ts';
import type { Logger } from '../lib/logger.ts';
import { MAX_AUDIT_BATCH, type AuditVerbs } from './verbs.ts';

export interface AuditQueueOptions {
  agent: Pick<AuditVerbs, 'auditAppend'> & { whenUp(signal: AbortSignal): Promise<void> };
  log: Logger;
  maxQueued?: number;
}

/** At most `max` characters: cleanField cuts to `max - 1` and marks the cut with an ellipsis. */
const cut = (text: string, max: number) => cleanField(text, max - 1);

/** The fields the agent's schema bounds, cut the way the log itself would cut them. */
function bounded(input: AuditInput): AuditInput {
  const detail = input.detail && JSON.stringify(input.detail).length > 8000 ? { truncated: JSON.stringify(input.detail).slice(0, 4000) } : input.detail;
  return {
    actor: cut(input.actor, 64),
    role: cut(input.role, 16),
    address: cut(input.address, 64),
    action: cut(input.action, 64) || 'unnamed',
    ...(input.target !== undefined ? { target: cut(input.target, 256) } : {}),
    outcome: input.outcome,
    ...(detail ? { detail } : {}),
  };
}

export class AgentAuditQueue implements AuditWriter {
  readonly #options: AuditQueueOptions;
  readonly #max: number;
  readonly #queue: AuditInput[] = [];
  readonly #stopped = new AbortController();
  #dropped = 0;
  #flushing: Promise<void> | null = null;

  constructor(options: AuditQueueOptions) {
    this.#options = options;
    this.#max = options.maxQueued ?? 10_000;
  }

  get queued(): number {
    return this.#queue.length;
  }

  append(input: AuditInput): void {
    this.appendAll([input]);
  }

  appendAll(inputs: readonly AuditInput[]): void {
    for (const input of inputs) {
      if (this.#queue.length >= this.#max) this.#dropped += 1;
      else {
        this.#noteDropped();
        this.#queue.push(bounded(input));
      }
    }
    this.#flushing ??= this.#flush().finally(() => (this.#flushing = null));
  }

  /** Where records were dropped, one record says how many (it may take the queue one past its bound). */
  #noteDropped(): void {
    if (this.#dropped === 0) return;
    const count = this.#dropped;
    this.#dropped = 0;
    this.#options.log.error({ count }, 'audit records were dropped while the agent was away');
    this.#queue.push({ actor: 'outpost', role: '-', address: '-', action: 'audit.dropped', target: 'audit log', outcome: 'failure', detail: { count, reason: 'the queue to the agent was full' } });
  }

  async #flush(): Promise<void> {
    const { agent, log } = this.#options;
    while ((this.#queue.length > 0 || this.#dropped > 0) && !this.#stopped.signal.aborted) {
      if (this.#queue.length < this.#max) this.#noteDropped();
      const batch = this.#queue.slice(0, MAX_AUDIT_BATCH);
      try {
        await agent.auditAppend(batch);
        this.#queue.splice(0, batch.length);
      } catch (error) {
        if (error instanceof OutpostError && error.code !== 'agent_unavailable') {
          log.error({ err: error, records: batch.length }, 'the agent refused audit records; they are dropped');
          this.#queue.splice(0, batch.length);
          continue;
        }
        await agent.whenUp(this.#stopped.signal);
        await sleep(100, this.#stopped.signal);
      }
    }
  }

  /** Waits until the queue is empty (or `timeoutMs` passes), then stops retrying. */
  async close(timeoutMs = 3000): Promise<void> {
    const flushing = this.#flushing;
    if (flushing) await Promise.race([flushing, sleep(timeoutMs)]);
    if (this.#queue.length > 0) this.#options.log.error({ records: this.#queue.length }, 'audit records not written: the agent did not take them before shutdown');
    this.#stopped.abort();
  }
}
