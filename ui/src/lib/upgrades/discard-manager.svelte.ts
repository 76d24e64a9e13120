// Deleting an offered bundle (operator): ask first, naming the bundle and where it came from (its
// staged copy goes; bringing it back means offering the file again), then delete and say so.
import type { BundleOffer } from '@protocol';
import type { ApiClient } from '../api.ts';

export class DiscardManager {
  readonly #api: ApiClient;
  #asking = $state.raw<BundleOffer | null>(null);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #notice = $state<string | null>(null);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get asking(): BundleOffer | null {
    return this.#asking;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }
  /** What the last delete did, for the line under the list. */
  get notice(): string | null {
    return this.#notice;
  }

  ask(bundle: BundleOffer): void {
    this.#asking = bundle;
    this.#error = null;
  }

  cancel(): void {
    this.#asking = null;
    this.#error = null;
  }

  async confirm(): Promise<boolean> {
    const b = this.#asking;
    if (!b || this.#busy) return false;
    this.#busy = true;
    this.#error = null;
    try {
      await this.#api.delete(`/api/v1/bundles/${b.id}`);
      this.#notice = `Deleted the offered bundle ${b.name} ${b.version}.`;
      this.#asking = null;
      return true;
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }
}
