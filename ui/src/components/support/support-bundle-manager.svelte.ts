// "Make a support bundle": asks the daemon (through the API client, with the session's CSRF token)
// for a fresh bundle, follows the download byte by byte, and keeps the finished file as an object
// URL the page can save (and save again). One bundle at a time; the error stays until the next try.
import { ApiError, type ApiClient } from '../../lib/api.ts';

export type SupportPhase = 'idle' | 'preparing' | 'downloading' | 'ready' | 'failed';

export interface ObjectUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

const BROWSER_URLS: ObjectUrls = { create: (blob) => URL.createObjectURL(blob), revoke: (url) => URL.revokeObjectURL(url) };

export class SupportBundleManager {
  readonly #api: ApiClient;
  readonly #urls: ObjectUrls;
  #phase = $state<SupportPhase>('idle');
  #bytes = $state(0);
  #fileName = $state<string | null>(null);
  #url = $state<string | null>(null);
  #error = $state<string | null>(null);
  #abort: AbortController | null = null;

  constructor(api: ApiClient, urls: ObjectUrls = BROWSER_URLS) {
    this.#api = api;
    this.#urls = urls;
  }

  get phase(): SupportPhase {
    return this.#phase;
  }
  /** Bytes received so far (the whole file once ready). */
  get bytes(): number {
    return this.#bytes;
  }
  get fileName(): string | null {
    return this.#fileName;
  }
  /** The finished bundle as an object URL, for a link with `download`. */
  get url(): string | null {
    return this.#url;
  }
  get error(): string | null {
    return this.#error;
  }
  get busy(): boolean {
    return this.#phase === 'preparing' || this.#phase === 'downloading';
  }

  /** Resolves true once the bundle is ready to save. */
  async make(): Promise<boolean> {
    if (this.busy) return false;
    this.#release();
    this.#phase = 'preparing';
    this.#bytes = 0;
    this.#error = null;
    this.#fileName = null;
    this.#abort = new AbortController();
    try {
      const { blob, fileName } = await this.#api.supportBundle((bytes) => {
        this.#bytes = bytes;
        this.#phase = 'downloading';
      }, this.#abort.signal);
      this.#url = this.#urls.create(blob);
      this.#fileName = fileName;
      this.#bytes = blob.size;
      this.#phase = 'ready';
      return true;
    } catch (error) {
      if (this.#abort.signal.aborted) {
        this.#phase = 'idle';
        return false;
      }
      this.#error = error instanceof ApiError || error instanceof Error ? error.message : String(error);
      this.#phase = 'failed';
      return false;
    } finally {
      this.#abort = null;
    }
  }

  /** Stops a download in progress and frees the file held (the page is left). */
  dispose(): void {
    this.#abort?.abort();
    this.#release();
  }

  #release(): void {
    if (this.#url) this.#urls.revoke(this.#url);
    this.#url = null;
  }
}

/** 1536 -> "1.5 KB" (the sizes a download dialog shows). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
