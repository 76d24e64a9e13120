// Adapter: streams a support bundle as .tar.gz (tar-stream + zlib), one member at a time with
// backpressure, so memory stays flat whatever the bundle's size. Invariants:
// - members appear in the collectors' order, each section's members in the order its collector
//   wrote them, then index.json and MANIFEST.txt; every member has mode 0644, uid/gid 0 and the
//   bundle's creation time;
// - the uncompressed tar never exceeds planBudget(maxBytes).total (< support.maxBytes): a section
//   that reaches its share is cut with a note, never failed;
// - a collector that throws or overruns its deadline marks its section, never the bundle; only a
//   cancelled signal (or a failing temp folder) ends the bundle early, and then the stream errors;
// - the private temp folder (mode 0700) is removed whatever happens.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { END_OF_ARCHIVE, planBudget, tarCost } from './budget-pure.ts';
import { renderIndex } from './manifest-pure.ts';
import { createLineScrubber } from './scrub-pure.ts';
import { Section } from './section.ts';
import type { SectionRecord, SupportBundleSummary, SupportCollector } from './types.ts';

export const DEFAULT_SECTION_DEADLINE_MS = 30_000;

export interface SupportBundleSpec {
  collectors: readonly SupportCollector[];
  /** `support.maxBytes`. */
  maxBytes: number;
  /** Literal secret values the device knows; replaced wherever they appear. */
  knownSecrets?: () => readonly string[];
  /** Parent of the private temp folder (default: the OS temp folder). */
  spoolDir?: string;
  hostname: string;
  now?: () => Date;
}

export interface OpenedBundle {
  fileName: string;
  /** The .tar.gz bytes; errors when the bundle is cancelled. */
  stream: Readable;
  /** The summary once the last member is in the stream; rejects when cancelled. */
  done: Promise<SupportBundleSummary>;
}

/** `outpost-support-<host>-<UTC stamp>`: the archive's top folder and, with `.tar.gz`, its file name. */
export function bundleBaseName(hostname: string, at: Date): string {
  const host = hostname.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'device';
  return `outpost-support-${host}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export interface EntryWriter {
  write(name: string, size: number, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void>;
}

/** What this file uses of a tar entry (a streamx Writable). */
interface EntryStream {
  write(data: unknown): boolean;
  end(data?: unknown): unknown;
}

function waitDrain(entry: EntryStream): Promise<void> {
  const emitter = entry as unknown as NodeJS.EventEmitter;
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      emitter.off('drain', onDrain);
      emitter.off('close', onClose);
      emitter.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the archive was closed'));
    emitter.on('drain', onDrain);
    emitter.on('close', onClose);
    emitter.on('error', done);
  });
}

export function openSupportBundle(spec: SupportBundleSpec, signal: AbortSignal): OpenedBundle {
  const createdAt = (spec.now ?? (() => new Date()))();
  const base = bundleBaseName(spec.hostname, createdAt);
  const pack = tar.pack();
  const gzip = createGzip({ level: 6 });
  pack.on('error', (error: Error) => gzip.destroy(error));
  pack.pipe(gzip);

  const entries: EntryWriter = {
    async write(name, size, chunks) {
      signal.throwIfAborted();
      let settle: (error?: Error | null) => void = () => undefined;
      // tar-stream calls back once the entry's bytes are in the archive (or it failed).
      const entryDone = new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
      });
      // Awaited below; when writing stops early (cancelled) the pack's own error is what the caller gets.
      entryDone.catch(() => undefined);
      const header = { name: `${base}/${name}`, size, mtime: createdAt, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '' };
      const entry = pack.entry(header, (error) => settle(error)) as unknown as EntryStream;
      // An entry cut short (the bundle cancelled) also emits its error; it reaches us through the callback.
      (entry as unknown as NodeJS.EventEmitter).on('error', () => undefined);
      for await (const chunk of chunks) {
        signal.throwIfAborted();
        if (!entry.write(chunk)) await waitDrain(entry);
      }
      entry.end();
      await entryDone;
    },
  };

  const drive = async (): Promise<SupportBundleSummary> => {
    const spool = await mkdtemp(path.join(spec.spoolDir ?? tmpdir(), 'outpost-support-'));
    try {
      const budget = planBudget(spec.maxBytes, spec.collectors.map((c) => c.share));
      const known = spec.knownSecrets ?? (() => []);
      const sections: SectionRecord[] = [];
      for (const [i, collector] of spec.collectors.entries()) {
        signal.throwIfAborted();
        sections.push(await runSection(collector, { budget: budget.sections[i] ?? 0, spool, entries, known, signal }));
      }
      const partial = { fileName: `${base}.tar.gz`, createdAt: createdAt.toISOString(), maxBytes: spec.maxBytes, sections };
      const scrub = createLineScrubber(known());
      const index = renderIndex(partial, budget.index, (line) => scrub.line(line));
      const json = Buffer.from(index.json);
      const text = Buffer.from(index.text);
      await entries.write('index.json', json.length, [json]);
      await entries.write('MANIFEST.txt', text.length, [text]);
      pack.finalize();
      const tarBytes = sections.reduce((n, s) => n + s.usedBytes, 0) + tarCost(json.length) + tarCost(text.length) + END_OF_ARCHIVE;
      return { ...partial, tarBytes };
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
  };

  const done = drive();
  done.catch((error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))));
  const onAbort = () => pack.destroy(signal.reason instanceof Error ? signal.reason : new Error('the support bundle was cancelled'));
  signal.addEventListener('abort', onAbort, { once: true });
  void done.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined);
  return { fileName: `${base}.tar.gz`, stream: gzip, done };
}

interface SectionContext {
  budget: number;
  spool: string;
  entries: EntryWriter;
  known: () => readonly string[];
  signal: AbortSignal;
}

async function runSection(collector: SupportCollector, context: SectionContext): Promise<SectionRecord> {
  const started = performance.now();
  const deadline = new AbortController();
  const deadlineMs = collector.deadlineMs ?? DEFAULT_SECTION_DEADLINE_MS;
  const timer = setTimeout(() => deadline.abort(new Error(`the section took longer than ${deadlineMs} ms`)), deadlineMs);
  const signal = AbortSignal.any([context.signal, deadline.signal]);
  const { budget, spool, entries, known } = context;
  const section = new Section({ section: collector.section, budget, spool, entries, known, signal });
  let outcome: SectionRecord['outcome'] | null = null;
  try {
    await untilAborted(collector.collect(section), signal);
  } catch (error) {
    if (context.signal.aborted) throw error;
    const scrub = createLineScrubber(context.known());
    if (deadline.signal.aborted) {
      outcome = 'timed-out';
      section.note(`stopped at its deadline (${deadlineMs} ms); what was collected by then is included`);
    } else {
      outcome = 'failed';
      section.note(`the collector failed: ${scrub.line(error instanceof Error ? error.message : String(error))}`);
    }
  } finally {
    clearTimeout(timer);
  }
  // A collector that ignored its deadline cannot add anything more; the member being written ends.
  await section.close();
  context.signal.throwIfAborted();
  return section.record(collector.title, outcome, Math.round(performance.now() - started));
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
