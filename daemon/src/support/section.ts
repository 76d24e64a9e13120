// One section of a support bundle as its collector sees it (the SectionWriter). Members are
// written one at a time, in the order asked: each is read line by line through the scrubber into
// a spool bounded by what is left of the section, then copied into the archive. After close() (the
// section's end or deadline) nothing more is added.
import { NOTE_RESERVE, memberDataCap, tarCost } from './budget-pure.ts';
import { LineBuffer } from './lines-pure.ts';
import { createLineScrubber } from './scrub-pure.ts';
import { headSpool, tailSpool, type Spool } from './spool-adapter.ts';
import type { EntryWriter } from './archive-adapter.ts';
import type { Chunk, MemberBody, MemberOptions, MemberRecord, SectionRecord, SectionWriter } from './types.ts';

export interface SectionOptions {
  section: string;
  budget: number;
  spool: string;
  entries: EntryWriter;
  known: () => readonly string[];
  signal: AbortSignal;
}

const MAX_LISTED = 500;

/** A safe relative path inside the section: no absolute path, no `..`, only plain characters. */
export function memberPath(name: string): string {
  const parts = name.split('/').map((p) => p.replace(/[^A-Za-z0-9._-]/g, '_')).filter((p) => p !== '' && p !== '.' && p !== '..');
  return parts.join('/') || 'unnamed';
}

function noteLine(file: string, reason: string): string {
  return file.endsWith('.jsonl') ? `${JSON.stringify({ outpost: 'truncated', reason })}\n` : `[outpost] this file was cut: ${reason}\n`;
}

const BATCH_BYTES = 64 * 1024;

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof (value as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
}

/** The body's chunks in batches: a synchronous source is read ~64 KiB at a time without a wait per item. */
async function* batchesOf(body: MemberBody): AsyncGenerator<Chunk[]> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    yield [body];
    return;
  }
  if (isAsyncIterable<Chunk>(body)) {
    for await (const chunk of body) yield [chunk];
    return;
  }
  let batch: Chunk[] = [];
  let size = 0;
  for (const chunk of body) {
    batch.push(chunk);
    size += chunk.length;
    if (size >= BATCH_BYTES) {
      yield batch;
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/** The next item, or a rejection as soon as `signal` aborts (a hung source does not hold the section). */
function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (r) => (signal.removeEventListener('abort', onAbort), resolve(r)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

export class Section implements SectionWriter {
  readonly #o: SectionOptions;
  #used = 0;
  #closed = false;
  #queue: Promise<void> = Promise.resolve();
  #spools = 0;
  readonly #members: MemberRecord[] = [];
  readonly #skipped: { path: string; reason: string }[] = [];
  readonly #notes: string[] = [];
  #unlisted = 0;

  constructor(options: SectionOptions) {
    this.#o = options;
  }

  get remaining(): number {
    return Math.max(0, this.#o.budget - this.#used);
  }
  get signal(): AbortSignal {
    return this.#o.signal;
  }

  add(name: string, body: MemberBody, options: MemberOptions = {}): Promise<void> {
    const run = this.#queue.then(() => this.#add(memberPath(name), body, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async json(name: string, value: unknown): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    const cap = memberDataCap(this.remaining);
    if (Buffer.byteLength(text) <= cap - NOTE_RESERVE) return this.add(name, text);
    const note = `${JSON.stringify({ outpost: 'omitted', reason: `${Buffer.byteLength(text)} bytes is more than this section has left (${cap})` })}\n`;
    await this.add(name, note);
    const last = this.#members.at(-1);
    if (last?.path === `${this.#o.section}/${memberPath(name)}`) last.truncated = 'omitted: larger than what the section had left';
  }

  jsonLines(name: string, items: Iterable<unknown> | AsyncIterable<unknown>): Promise<void> {
    if (isAsyncIterable(items)) {
      return this.add(name, (async function* () {
        for await (const item of items) yield `${JSON.stringify(item)}\n`;
      })());
    }
    return this.add(name, (function* () {
      for (const item of items) yield `${JSON.stringify(item)}\n`;
    })());
  }

  /** `*` names the whole section. */
  skip(name: string, reason: string): void {
    const where = name === '*' ? `${this.#o.section}/` : `${this.#o.section}/${memberPath(name)}`;
    if (this.#skipped.length < MAX_LISTED) this.#skipped.push({ path: where, reason: createLineScrubber(this.#o.known()).line(reason) });
    else this.#unlisted += 1;
  }

  note(text: string): void {
    if (this.#notes.length < 50) this.#notes.push(createLineScrubber(this.#o.known()).line(text));
  }

  /** No more members; waits for the one being written. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
  }

  record(title: string, forced: SectionRecord['outcome'] | null, durationMs: number): SectionRecord {
    if (this.#unlisted > 0) this.#notes.push(`${this.#unlisted} more skipped files are not listed`);
    const cut = this.#members.some((m) => m.truncated) || this.#skipped.length > 0;
    const outcome = forced ?? (this.#members.length === 0 && this.#skipped.length > 0 ? 'skipped' : cut ? 'partial' : 'complete');
    return {
      section: this.#o.section,
      title,
      outcome,
      budgetBytes: this.#o.budget,
      usedBytes: this.#used,
      durationMs,
      members: [...this.#members],
      skipped: [...this.#skipped],
      notes: [...this.#notes],
    };
  }

  async #add(name: string, body: MemberBody, options: MemberOptions): Promise<void> {
    const file = `${this.#o.section}/${name}`;
    if (this.#closed || this.#o.signal.aborted) return this.skip(name, 'the section had already ended (deadline)');
    const cap = memberDataCap(this.remaining, options.maxBytes);
    if (cap === 0) return this.skip(name, `this section reached its cap of ${this.#o.budget} bytes`);
    const id = `m${this.#spools++}-${this.#o.section}`;
    const spool: Spool = options.keep === 'tail' ? tailSpool(this.#o.spool, id, cap) : headSpool(this.#o.spool, id, cap);
    try {
      const interrupted = await this.#fill(spool, body);
      if (interrupted) await spool.push([noteLine(file, interrupted)]);
      const content = await spool.finish((reason) => noteLine(file, interrupted ?? reason));
      await this.#o.entries.write(file, content.size, content.chunks());
      this.#used += tarCost(content.size);
      const truncated = [content.truncated, interrupted].filter(Boolean).join('; ') || null;
      if (this.#members.length < MAX_LISTED) this.#members.push({ path: file, bytes: content.size, truncated });
      else this.#unlisted += 1;
    } finally {
      await spool.dispose();
    }
  }

  /** Reads `body` into the spool line by line; returns why reading stopped early, or null. */
  async #fill(spool: Spool, body: MemberBody): Promise<string | null> {
    const scrub = createLineScrubber(this.#o.known());
    const buffer = new LineBuffer();
    const iterator = batchesOf(body);
    let open = true;
    try {
      for (;;) {
        const next = await nextOrAbort(iterator, this.#o.signal);
        if (next.done) break;
        const lines = next.value.flatMap((chunk) => buffer.push(chunk));
        if (lines.length > 0 && !(open = await spool.push(lines.map((l) => `${scrub.line(l)}\n`)))) break;
      }
      if (open) await spool.push(buffer.end().map((l) => `${scrub.line(l)}\n`));
      return null;
    } catch (error) {
      if (!this.#o.signal.aborted) return `reading it failed: ${scrub.line(error instanceof Error ? error.message : String(error))}`;
      return 'the section reached its deadline while this was being read';
    } finally {
      // Stops the producer (a child process, a download); not awaited: a hung one must not hold us.
      void iterator.return(undefined).catch(() => undefined);
    }
  }
}
