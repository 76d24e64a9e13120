// Verifying the audit chain without stalling the daemon. A full walk reads the log in chunks and
// yields to the event loop between them; it runs at start and then hourly. Between full walks the
// Audit page checks incrementally from a checkpoint (the last record verified): only what was
// appended since, plus the head kept outside the database. An edit to a record older than the
// checkpoint is found by the next full walk; `outpost audit verify` always walks everything.
import { ChainWalker, GENESIS_HASH, parseAnchor, type ChainStart, type ChainVerdict } from './chain.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditSigner } from './signer.ts';

/** Records per slice of a full walk: a few milliseconds of work between yields to the event loop. */
const CHUNK = 256;
/** Records the incremental check reads per call at most; the rest waits for the next call. */
const INCREMENTAL_MAX = 5000;
export const FULL_CHECK_EVERY_MS = 60 * 60_000;

type Broken = Extract<ChainVerdict, { ok: false }>;

/** Where the chain starts: genesis, or after the records the newest anchor accounts for. */
export function chainStart(log: AuditLog, signer: AuditSigner): { start: ChainStart } | Broken {
  const first = log.firstId();
  if (first === null || first === 1) return { start: { id: 0, hash: GENESIS_HASH } };
  const anchor = log.newestAnchor();
  const detail = anchor ? parseAnchor(anchor) : null;
  if (!anchor || !detail || anchor.alg !== 'hmac-sha256' || !signer.verify(anchor)) {
    return { ok: false, records: 0, badId: first, problem: `records 1–${first - 1} are missing and no anchor record accounts for them` };
  }
  if (detail.droppedTo !== first - 1) {
    const problem = `records ${detail.droppedTo + 1}–${first - 1} are missing (retention accounts for records up to ${detail.droppedTo})`;
    return { ok: false, records: 0, badId: first, problem };
  }
  return { start: { id: first - 1, hash: detail.lastHash } };
}

function walkerFrom(log: AuditLog, signer: AuditSigner): ChainWalker | Broken {
  const begin = chainStart(log, signer);
  if (!('start' in begin)) return begin;
  return new ChainWalker(begin.start, (r) => signer.verify(r), signer.head());
}

/** Walks the whole log at once (the CLI). */
export function verifyAll(log: AuditLog, signer: AuditSigner): ChainVerdict {
  const walker = walkerFrom(log, signer);
  if (!(walker instanceof ChainWalker)) return walker;
  for (const record of log.all()) if (!walker.next(record)) break;
  return walker.finish(true);
}

/** Walks the whole log in chunks, yielding to the event loop between them. */
export async function verifyAllChunked(log: AuditLog, signer: AuditSigner, signal?: AbortSignal): Promise<ChainVerdict> {
  const walker = walkerFrom(log, signer);
  if (!(walker instanceof ChainWalker)) return walker;
  for (;;) {
    const chunk = log.after(walker.lastId, CHUNK);
    for (const record of chunk) if (!walker.next(record)) return walker.finish(false);
    if (chunk.length < CHUNK) return walker.finish(true);
    await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
  }
}

export interface VerificationStatus {
  ok: boolean;
  /** The last record verified (the checkpoint). */
  checkedThrough: number;
  /** When the last full walk ended, and how many records it checked. */
  fullCheckAt: number | null;
  records: number;
  badId?: number;
  problem?: string;
}

export class AuditVerifier {
  #checkpoint: { id: number; hash: string } | null = null;
  #full: { at: number; records: number } | null = null;
  #broken: Broken | null = null;
  #running: Promise<void> | null = null;
  readonly #log: AuditLog;
  readonly #signer: AuditSigner;
  readonly #now: () => number;

  constructor(log: AuditLog, signer: AuditSigner, now: () => number = Date.now) {
    this.#log = log;
    this.#signer = signer;
    this.#now = now;
  }

  /** A full walk (shared when one is already running); resets the checkpoint to where it ended. */
  fullCheck(signal?: AbortSignal): Promise<void> {
    this.#running ??= verifyAllChunked(this.#log, this.#signer, signal)
      .then((verdict) => {
        this.#full = { at: this.#now(), records: verdict.records };
        this.#broken = verdict.ok ? null : verdict;
        if (verdict.ok) this.#checkpoint = { id: verdict.last, hash: verdict.head };
      })
      .finally(() => (this.#running = null));
    return this.#running;
  }

  /** The chain's state for the Audit page: checks what is new since the checkpoint first. */
  async status(): Promise<VerificationStatus> {
    try {
      if (!this.#checkpoint && !this.#broken) await this.fullCheck();
      if (!this.#broken && this.#checkpoint) this.#incremental(this.#checkpoint);
    } catch (error) {
      this.#broken = { ok: false, records: 0, badId: this.#checkpoint?.id ?? 0, problem: `the chain could not be checked: ${(error as Error).message}` };
    }
    const base = { checkedThrough: this.#checkpoint?.id ?? 0, fullCheckAt: this.#full?.at ?? null, records: this.#full?.records ?? 0 };
    return this.#broken ? { ...base, ok: false, badId: this.#broken.badId, problem: this.#broken.problem } : { ...base, ok: true };
  }

  #incremental(checkpoint: { id: number; hash: string }): void {
    // Checkpoint 0 is the genesis (an empty log when the last full walk ran): nothing to re-read.
    const still = checkpoint.id === 0 ? { hash: GENESIS_HASH } : this.#log.byId(checkpoint.id);
    if (!still) {
      // Retention dropped the checkpoint (or someone deleted it): only a full walk can tell which.
      const gone = checkpoint.id >= (this.#log.firstId() ?? 0);
      if (gone) this.#broken = { ok: false, records: 0, badId: checkpoint.id, problem: 'a record verified earlier is gone' };
      else void this.fullCheck();
      return;
    }
    if (still.hash !== checkpoint.hash) {
      this.#broken = { ok: false, records: 0, badId: checkpoint.id, problem: 'a record verified earlier has changed' };
      return;
    }
    const walker = new ChainWalker(checkpoint, (r) => this.#signer.verify(r), this.#signer.head());
    const fresh = this.#log.after(checkpoint.id, INCREMENTAL_MAX);
    for (const record of fresh) if (!walker.next(record)) break;
    const verdict = walker.finish(fresh.length < INCREMENTAL_MAX);
    if (!verdict.ok) this.#broken = verdict;
    else this.#checkpoint = { id: verdict.last, hash: verdict.head };
  }

  /** Runs a full walk now and every `everyMs`; returns the function that stops it. */
  start(everyMs = FULL_CHECK_EVERY_MS, onError: (error: unknown) => void = () => undefined): () => void {
    const controller = new AbortController();
    const run = () => void this.fullCheck(controller.signal).catch((error: unknown) => controller.signal.aborted || onError(error));
    run();
    const timer = setInterval(run, everyMs);
    timer.unref();
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }
}
