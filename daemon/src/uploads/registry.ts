// Where every upload stands, and the hand-over when its last byte lands: the agent verifies the
// spooled file (signature first) and stages its own copy; either way the spool file is deleted.
// Audited: upload.start (routes.ts), upload.complete (offered or refused, with the code),
// upload.abandoned (cancelled, or expired after `uploads.expireHours`). Uploads that finished while
// the daemon was down are handed over at start. Finished statuses are kept (bounded) for the page.
import type { Actor, ArrivalAgent } from '../agent/index.ts';
import type { AuditInput } from '../audit/index.ts';
import type { Logger } from '../lib/logger.ts';
import type { UploadStatus } from '../protocol/arrival.ts';
import { refusalOf } from '../usb/index.ts';
import type { Spool, SpoolEntry } from './spool-adapter.ts';

/** Finished uploads whose outcome the page can still read. */
const KEEP_FINISHED = 32;

export interface RegistryDeps {
  spool: Spool;
  agent: Pick<ArrivalAgent, 'offerUpload'>;
  audit(input: AuditInput): void;
  log: Logger;
  now(): number;
  expireMs: number;
  remove(id: string): Promise<void>;
}

// Printable only: the name is shown on the page and written to the audit log.
const fileNameOf = (e: SpoolEntry) => [...(e.metadata.filename ?? 'bundle')].map((c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? '?' : c)).join('').slice(0, 200);

export class UploadRegistry {
  readonly #deps: RegistryDeps;
  readonly #finished = new Map<string, UploadStatus>();
  readonly #handing = new Map<string, Promise<void>>();

  constructor(deps: RegistryDeps) {
    this.#deps = deps;
  }

  #statusOf(e: SpoolEntry): UploadStatus {
    return {
      id: e.id,
      state: e.offset >= e.size ? 'verifying' : 'receiving',
      fileName: fileNameOf(e),
      size: e.size,
      offset: e.offset,
      createdAt: e.createdAt,
      expiresAt: e.createdAt + this.#deps.expireMs,
      by: e.metadata.outpostBy ?? 'unknown',
      bundle: null,
      error: null,
    };
  }

  #keep(status: UploadStatus): void {
    this.#finished.delete(status.id);
    this.#finished.set(status.id, status);
    while (this.#finished.size > KEEP_FINISHED) this.#finished.delete(this.#finished.keys().next().value as string);
  }

  async status(id: string): Promise<UploadStatus | null> {
    const entry = await this.#deps.spool.entry(id);
    return entry ? this.#statusOf(entry) : (this.#finished.get(id) ?? null);
  }

  /** Uploads in progress or being verified, then the finished ones, newest first. */
  async list(): Promise<UploadStatus[]> {
    const live = (await this.#deps.spool.entries()).map((e) => this.#statusOf(e));
    const done = [...this.#finished.values()].filter((s) => !live.some((l) => l.id === s.id));
    return [...live, ...done].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** The last byte landed (from the tus PATCH); the hand-over runs on its own. */
  finished(id: string): void {
    if (this.#handing.has(id)) return;
    const run = this.#handOver(id).finally(() => this.#handing.delete(id));
    this.#handing.set(id, run);
  }

  async #handOver(id: string): Promise<void> {
    const entry = await this.#deps.spool.entry(id);
    if (!entry) return;
    const actor: Actor = { name: entry.metadata.outpostBy ?? 'unknown', role: 'operator', address: entry.metadata.outpostAddress ?? 'unknown' };
    const status = this.#statusOf(entry);
    const target = `${status.fileName} (${entry.size} bytes)`;
    const started = this.#deps.now();
    // Kept from now on, so the upload never vanishes between its spool file and its outcome.
    this.#keep({ ...status, state: 'verifying' });
    let offer: Awaited<ReturnType<ArrivalAgent['offerUpload']>> | null = null;
    let refusal: { code: string; message: string } | null = null;
    try {
      offer = await this.#deps.agent.offerUpload(actor, { id });
    } catch (error) {
      refusal = refusalOf(error);
      if (refusal.code === 'internal_error') this.#deps.log.error({ err: error, upload: id }, 'handing an upload to the agent failed');
    }
    // The agent staged its own copy (or refused): the spool's is never used again. Deleted before the
    // outcome shows, so a page that sees the outcome sees a clean spool.
    await this.#deps.remove(id).catch((error: unknown) => this.#deps.log.error({ err: error, upload: id }, 'could not delete a spooled upload'));
    const who = { actor: actor.name, role: actor.role, address: actor.address, action: 'upload.complete', target };
    if (offer) {
      const b = offer.bundle;
      this.#keep({ ...status, state: 'offered', bundle: { id: b.id, name: b.name, version: b.version, blocking: offer.plan.blocking } });
      this.#deps.audit({ ...who, outcome: 'success', detail: { uploadId: id, bytes: entry.size, bundleId: b.id, release: `${b.name} ${b.version}`, verifyMs: this.#deps.now() - started } });
    } else {
      const r = refusal ?? { code: 'internal_error', message: 'no answer' };
      this.#keep({ ...status, state: 'refused', error: r });
      this.#deps.audit({ ...who, outcome: 'failure', detail: { uploadId: id, bytes: entry.size, ...r } });
    }
  }

  /** Cancelled by its uploader (tus termination). */
  abandoned(status: UploadStatus, who: { actor: string; role: string; address: string }): void {
    this.#deps.audit({ ...who, action: 'upload.abandoned', target: `${status.fileName} (${status.size} bytes)`, outcome: 'success', detail: { uploadId: status.id, received: status.offset, reason: 'cancelled' } });
  }

  /** Hands over uploads that finished while the daemon was down; deletes expired incomplete ones. */
  async sweep(): Promise<void> {
    const now = this.#deps.now();
    for (const e of await this.#deps.spool.entries()) {
      if (e.offset >= e.size) this.finished(e.id);
      else if (now > e.createdAt + this.#deps.expireMs) {
        await this.#deps.remove(e.id);
        const s = this.#statusOf(e);
        this.#deps.audit({ actor: 'outpost', role: 'system', address: 'local', action: 'upload.abandoned', target: `${s.fileName} (${s.size} bytes)`, outcome: 'success', detail: { uploadId: e.id, received: e.offset, reason: 'expired', by: s.by } });
      }
    }
  }

  /** Resolves when no hand-over runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#handing.size > 0) await Promise.allSettled([...this.#handing.values()]);
  }
}
