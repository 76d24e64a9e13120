// One container's live log for the viewer: follows the `logs:` topic, can pause (the shown lines
// freeze while new ones keep arriving underneath) and filter by a search text.
import type { LogsTarget } from '@protocol';
import type { FeedClient } from '../../lib/feed/feed-client.svelte.ts';
import type { LogsView } from '../../lib/feed/logs-view.svelte.ts';

export class LogViewerManager {
  readonly #feed: FeedClient;
  readonly #target: LogsTarget;
  #view = $state.raw<LogsView | null>(null);
  #paused = $state(false);
  #frozen = $state.raw<string[]>([]);
  #search = $state('');

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
    return this.#paused ? Math.max(0, (this.#view?.state.lines.length ?? 0) - this.#frozen.length) : 0;
  }

  get lines(): string[] {
    const all = this.#paused ? this.#frozen : (this.#view?.state.lines ?? []);
    const q = this.#search.trim().toLowerCase();
    return q === '' ? all : all.filter((l) => l.toLowerCase().includes(q));
  }

  togglePause(): void {
    if (!this.#paused) this.#frozen = this.#view?.state.lines ?? [];
    this.#paused = !this.#paused;
  }

  downloadUrl(previous = false): string {
    const t = this.#target;
    return `/api/v1/pods/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.pod)}/logs?container=${encodeURIComponent(t.container)}&tailLines=10000${previous ? '&previous=true' : ''}`;
  }
}
