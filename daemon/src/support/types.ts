// The contract between the support bundle and its sources. A collector owns one section (a folder
// in the archive) and writes members through a SectionWriter, which bounds, scrubs and records
// them; collectors never see the archive, HTTP or the feed, so the same list runs in the web
// process, the CLI or the privileged agent.

export type Chunk = string | Uint8Array;
/** A member's body: text, or chunks produced one after another (never held whole by the writer). */
export type MemberBody = string | Uint8Array | Iterable<Chunk> | AsyncIterable<Chunk>;

export interface MemberOptions {
  /** Which end survives when the member is over its cap: the beginning (default) or the newest lines at the end. */
  keep?: 'head' | 'tail';
  /** A cap for this member below what is left of the section. */
  maxBytes?: number;
}

export interface SectionWriter {
  /** Adds `<section>/<name>`. Never fails for size: an oversized member is cut with a note in it and in the index. */
  add(name: string, body: MemberBody, options?: MemberOptions): Promise<void>;
  /** A small JSON document (pretty-printed); replaced by a note when it does not fit. */
  json(name: string, value: unknown): Promise<void>;
  /** JSON lines, one item per line, produced lazily; cut between lines when over the cap. */
  jsonLines(name: string, items: Iterable<unknown> | AsyncIterable<unknown>): Promise<void>;
  /** Something that was not included, and why (listed in the index and MANIFEST.txt). */
  skip(name: string, reason: string): void;
  /** A remark about the section as a whole (e.g. "journal not available: …"). */
  note(text: string): void;
  /** Bytes this section may still use (tar headers and padding included). */
  readonly remaining: number;
  /** Aborts at the section's deadline or when the whole bundle is cancelled. */
  readonly signal: AbortSignal;
}

export interface SupportCollector {
  /** The folder in the archive and the section's name in the index: `versions`, `cluster`… */
  readonly section: string;
  /** One line for MANIFEST.txt: what this section is. */
  readonly title: string;
  /** The fraction of `support.maxBytes` this section may use. */
  readonly share: number;
  /** How long the section may take (default 30 s); what it wrote by then is kept. */
  readonly deadlineMs?: number;
  collect(out: SectionWriter): Promise<void>;
}

export type SectionOutcome = 'complete' | 'partial' | 'skipped' | 'failed' | 'timed-out';

export interface MemberRecord {
  /** Path inside the archive, below the top folder. */
  path: string;
  bytes: number;
  truncated: string | null;
}

export interface SectionRecord {
  section: string;
  title: string;
  outcome: SectionOutcome;
  budgetBytes: number;
  usedBytes: number;
  durationMs: number;
  members: MemberRecord[];
  skipped: { path: string; reason: string }[];
  notes: string[];
}

export interface SupportBundleSummary {
  fileName: string;
  createdAt: string;
  maxBytes: number;
  /** Bytes of the uncompressed tar. */
  tarBytes: number;
  sections: SectionRecord[];
}
