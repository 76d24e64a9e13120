// The history charts' data: GET /api/v1/health/history (through the API client) for the chosen range, refreshed
// on a timer (every 10 s for the hour, every minute for the day). One request at a time; a range
// change aborts the request in flight.
import type { HealthHistory, HistoryRange } from '@protocol';
import { ApiError, type ApiClient } from '../api.ts';

export interface HistoryManagerOptions {
  points?: number;
  refreshMs?: Record<HistoryRange, number>;
}

export class HistoryManager {
  #range = $state<HistoryRange>('1h');
  #data = $state.raw<HealthHistory | null>(null);
  #error = $state<string | null>(null);
  #loading = $state(false);
  readonly #api: ApiClient;
  readonly #points: number;
  readonly #refreshMs: Record<HistoryRange, number>;
  #controller: AbortController | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;

  constructor(api: ApiClient, options: HistoryManagerOptions = {}) {
    this.#api = api;
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
      const body = await this.#api.healthHistory(range, this.#points, controller.signal);
      if (controller.signal.aborted || range !== this.#range) return;
      this.#data = body;
      this.#error = null;
    } catch (error) {
      if (controller.signal.aborted) return;
      // Nothing answered (the API client's network_error): say it plainly, and that the charts come back.
      const silent = error instanceof ApiError && error.code === 'network_error';
      this.#error = silent ? 'the device did not answer; the charts fill in again when it does' : error instanceof Error ? error.message : String(error);
    } finally {
      if (this.#controller === controller) {
        this.#loading = false;
        this.#controller = null;
        if (!this.#stopped) this.#timer = setTimeout(() => void this.refresh(), this.#refreshMs[this.#range]);
      }
    }
  }
}
