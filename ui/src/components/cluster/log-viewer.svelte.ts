// One container's live log for the viewer: follows the `logs:` topic, can pause (the shown lines
// freeze while new ones keep arriving underneath), searches (matches marked and counted; by default
// only the matching lines are shown) and shows each line's kubelet time on request.
import type { LogsState, LogsTarget } from '@protocol';
import type { FeedClient } from '../../lib/feed/feed-client.svelte.ts';
import type { LogsView } from '../../lib/feed/logs-view.svelte.ts';
import { countMatches, splitMatches, type MatchPart } from './log-search.ts';

export interface ShownLine {
  /** Line number since the viewer subscribed (stable while lines scroll out of the buffer). */
  n: number;
  text: string;
  /** Unix ms when the kubelet stamped it, or null (markers, older daemons). */
  time: number | null;
  parts: MatchPart[];
}

type Lines = Pick<LogsState, 'lines' | 'times' | 'total'>;
const EMPTY: Lines = { lines: [], times: [], total: 0 };

export class LogViewerManager {
  readonly #feed: FeedClient;
  readonly #target: LogsTarget;
  #view = $state.raw<LogsView | null>(null);
  #paused = $state(false);
  #frozen = $state.raw<Lines>(EMPTY);
  #search = $state('');
  #onlyMatching = $state(true);
  #showTimes = $state(false);

  #source = $derived.by((): Lines => (this.#paused ? this.#frozen : (this.#view?.state ?? EMPTY)));
  #counted = $derived.by(() => {
    const q = this.#search.trim();
    let matches = 0;
    let matchingLines = 0;
    if (q !== '') {
      for (const line of this.#source.lines) {
        const n = countMatches(line, q);
        matches += n;
        if (n > 0) matchingLines += 1;
      }
    }
    return { matches, matchingLines };
  });
  #shown = $derived.by((): ShownLine[] => {
    const { lines, times, total } = this.#source;
    const q = this.#search.trim();
    const first = total - lines.length + 1;
    const out: ShownLine[] = [];
    lines.forEach((text, i) => {
      const parts = splitMatches(text, q);
      if (q !== '' && this.#onlyMatching && !parts.some((p) => p.match)) return;
      out.push({ n: first + i, text, time: times?.[i] ?? null, parts });
    });
    return out;
  });

  constructor(feed: FeedClient, target: LogsTarget) {
    this.#feed = feed;
    this.#target = target;
  }

  /** Subscribes; the cleanup unsubscribes. */
  listen(): () => void {
    const { view, release } = this.#feed.logs(this.#target);
    this.#view = view;
    return () => {
      release();
      this.#view = null;
    };
  }

  get target(): LogsTarget {
    return this.#target;
  }
  get paused(): boolean {
    return this.#paused;
  }
  get search(): string {
    return this.#search;
  }
  set search(text: string) {
    this.#search = text;
  }
  /** With a search: show only the lines that match (true) or every line with matches marked. */
  get onlyMatching(): boolean {
    return this.#onlyMatching;
  }
  set onlyMatching(value: boolean) {
    this.#onlyMatching = value;
  }
  get showTimes(): boolean {
    return this.#showTimes;
  }
  set showTimes(value: boolean) {
    this.#showTimes = value;
  }
  get ended(): string | null {
    const s = this.#view?.state;
    return s?.ended ? (s.endReason ?? 'the stream ended') : null;
  }
  get error(): string | null {
    return this.#view?.state.error ?? null;
  }
  get ready(): boolean {
    return this.#view?.ready ?? false;
  }
  /** Lines arrived since pausing. */
  get waiting(): number {
    return this.#paused ? Math.max(0, (this.#view?.state.total ?? 0) - this.#frozen.total) : 0;
  }
  /** Lines in the buffer (the search counts within them). */
  get bufferLines(): number {
    return this.#source.lines.length;
  }
  /** Occurrences of the search text in the buffer, and in how many lines. */
  get matches(): number {
    return this.#counted.matches;
  }
  get matchingLines(): number {
    return this.#counted.matchingLines;
  }

  get lines(): ShownLine[] {
    return this.#shown;
  }

  togglePause(): void {
    if (!this.#paused) {
      const s = this.#view?.state;
      this.#frozen = s ? { lines: s.lines, times: s.times, total: s.total } : EMPTY;
    }
    this.#paused = !this.#paused;
  }

  downloadUrl(previous = false): string {
    const t = this.#target;
    return `/api/v1/pods/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.pod)}/logs?container=${encodeURIComponent(t.container)}&tailLines=10000${previous ? '&previous=true' : ''}`;
  }
}
