// Upgrade history from GET /api/v1/upgrades/history: newest first, filtered by release, a page at a
// time ("Show older" asks for a longer list; the API caps it at 500). It reloads when the feed says
// an upgrade started or ended, so the list never needs a page reload.
import type { UpgradeRecord } from '@protocol';
import type { ApiClient } from '../api.ts';

export const HISTORY_PAGE = 20;
export const HISTORY_MAX = 500;

export class HistoryManager {
  readonly #api: ApiClient;
  #release = $state('');
  #limit = $state(HISTORY_PAGE);
  #records = $state.raw<UpgradeRecord[]>([]);
  #loaded = $state(false);
  #loading = $state(false);
  #error = $state<string | null>(null);
  #open = $state<string | null>(null);
  #seq = 0;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get release(): string {
    return this.#release;
  }
  get records(): UpgradeRecord[] {
    return this.#records;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string | null {
    return this.#error;
  }
  /** Whether older records may exist (the last answer filled the page). */
  get more(): boolean {
    return this.#records.length >= this.#limit && this.#limit < HISTORY_MAX;
  }
  /** The record whose details are open. */
  get open(): string | null {
    return this.#open;
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.#loading = true;
    this.#error = null;
    const release = this.#release ? `&release=${encodeURIComponent(this.#release)}` : '';
    try {
      const answer = await this.#api.get<{ upgrades: UpgradeRecord[] }>(`/api/v1/upgrades/history?limit=${this.#limit}${release}`);
      // A later load (a new filter) wins over an earlier one that answers late.
      if (seq !== this.#seq) return;
      this.#records = answer.upgrades;
      this.#loaded = true;
    } catch (error) {
      if (seq === this.#seq) this.#error = error instanceof Error ? error.message : String(error);
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }

  filter(release: string): Promise<void> {
    this.#release = release;
    this.#limit = HISTORY_PAGE;
    return this.load();
  }

  showOlder(): Promise<void> {
    this.#limit = Math.min(HISTORY_MAX, this.#limit + HISTORY_PAGE);
    return this.load();
  }

  toggle(id: string): void {
    this.#open = this.#open === id ? null : id;
  }
}
