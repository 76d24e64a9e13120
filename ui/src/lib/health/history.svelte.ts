// The history charts' data: fetched from GET /api/v1/health/history for the chosen range, refreshed
// on a timer (every 10 s for the hour, every minute for the day). One request at a time; a range
// change aborts the request in flight.
import type { HealthHistory, HistoryRange } from '@protocol';

export type Fetcher = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

export interface HistoryManagerOptions {
  fetch?: Fetcher;
  points?: number;
  refreshMs?: Record<HistoryRange, number>;
}

export class HistoryManager {
  #range = $state<HistoryRange>('1h');
  #data = $state.raw<HealthHistory | null>(null);
  #error = $state<string | null>(null);
  #loading = $state(false);
  readonly #fetch: Fetcher;
  readonly #points: number;
  readonly #refreshMs: Record<HistoryRange, number>;
  #controller: AbortController | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;

  constructor(options: HistoryManagerOptions = {}) {
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, { ...init, credentials: 'same-origin' }));
    this.#points = options.points ?? 720;
    this.#refreshMs = options.refreshMs ?? { '1h': 10_000, '24h': 60_000 };
  }

  get range(): HistoryRange {
    return this.#range;
  }
  get data(): HealthHistory | null {
    return this.#data;
  }
  get error(): string | null {
    return this.#error;
  }
  get loading(): boolean {
    return this.#loading;
  }

  setRange(range: HistoryRange): void {
    if (range === this.#range) return;
    this.#range = range;
    this.#data = null;
    if (!this.#stopped) void this.refresh();
  }

  /** Starts fetching; the cleanup aborts the request and stops the timer. */
  listen(): () => void {
    this.#stopped = false;
    void this.refresh();
    return () => {
      this.#stopped = true;
      clearTimeout(this.#timer);
      this.#controller?.abort();
    };
  }

  async refresh(): Promise<void> {
    clearTimeout(this.#timer);
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const range = this.#range;
    this.#loading = true;
    try {
      const res = await this.#fetch(`/api/v1/health/history?range=${range}&points=${this.#points}`, { signal: controller.signal });
      if (!res.ok) {
        const problem = (await res.json().catch(() => null)) as { detail?: string } | null;
        throw new Error(problem?.detail ?? `HTTP ${res.status}`);
      }
      const body = (await res.json()) as HealthHistory;
      if (controller.signal.aborted || range !== this.#range) return;
      this.#data = body;
      this.#error = null;
    } catch (error) {
      if (controller.signal.aborted) return;
      // fetch rejects with the browser's own words ("Failed to fetch") when nothing answers: say it plainly.
      this.#error = error instanceof TypeError ? 'the device did not answer; the charts fill in again when it does' : error instanceof Error ? error.message : String(error);
    } finally {
      if (this.#controller === controller) {
        this.#loading = false;
        this.#controller = null;
        if (!this.#stopped) this.#timer = setTimeout(() => void this.refresh(), this.#refreshMs[this.#range]);
      }
    }
  }
}
