// "Identify this device": asks the daemon (through the API client, which carries the session's
// CSRF token) to flash the kiosk screen. One request at a time; the error is kept until the next try.
import { ApiError, type ApiClient } from '../../lib/api.ts';

export class IdentifyManager {
  readonly #api: ApiClient;
  #busy = $state(false);
  #error = $state<string | null>(null);
  #until = $state<number | null>(null);

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get busy(): boolean {
    return this.#busy;
  }
  get error(): string | null {
    return this.#error;
  }
  /** Unix ms until which the kiosk flashes, as the daemon answered. */
  get until(): number | null {
    return this.#until;
  }

  async identify(seconds = 30): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    this.#error = null;
    try {
      this.#until = (await this.#api.identify(seconds)).until;
    } catch (error) {
      this.#error = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    } finally {
      this.#busy = false;
    }
  }
}
