// How to reach this device, for the kiosk screen: polled, since addresses change with cables and
// DHCP. Only the loopback kiosk listener serves it; elsewhere `available` stays false.
import type { KioskInfo } from '@protocol';
import { ApiError, type ApiClient } from './api.ts';

export class KioskInfoManager {
  #info = $state.raw<KioskInfo | null>(null);
  #available = $state(true);
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get info(): KioskInfo | null {
    return this.#info;
  }
  get available(): boolean {
    return this.#available;
  }

  async refresh(): Promise<void> {
    try {
      this.#info = await this.#api.kioskInfo();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.#available = false;
    }
  }

  listen(intervalMs = 15_000): () => void {
    void this.refresh();
    const timer = setInterval(() => {
      if (this.#available) void this.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }
}
