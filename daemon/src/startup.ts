// Starting is all or nothing: each part that starts registers how to stop it; when any later part
// fails, everything already started is stopped again (newest first) and one StartupError names the
// cause in one line a technician can act on — the address, the port and the setting behind it.

export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** The setting a listener's address and port come from, for the message. */
export interface ListenerSettings {
  address: string;
  port: string;
}

export const MAIN_LISTENER: ListenerSettings = { address: 'listen.address / OUTPOST_LISTEN', port: 'listen.port / OUTPOST_PORT' };
export const KIOSK_LISTENER: ListenerSettings = { address: 'kiosk (always 127.0.0.1)', port: 'kiosk.port / OUTPOST_KIOSK_PORT' };

/** "cannot listen on 127.0.0.1:7481 (kiosk.port / OUTPOST_KIOSK_PORT): address already in use" */
export function cannotListen(error: unknown, address: string, port: number, settings: ListenerSettings): StartupError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const host = address.includes(':') ? `[${address}]` : address;
  const why =
    code === 'EADDRINUSE'
      ? 'address already in use'
      : code === 'EACCES'
        ? 'permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)'
        : code === 'EADDRNOTAVAIL'
          ? 'no network interface of this machine has that address'
          : error instanceof Error
            ? error.message
            : String(error);
  const setting = code === 'EADDRNOTAVAIL' ? settings.address : settings.port;
  return new StartupError(`cannot listen on ${host}:${port} (${setting}): ${why}`, { cause: error });
}

/** What has started so far, stopped in reverse order when a later part fails. */
export class StartedParts {
  readonly #stops: { name: string; stop: () => unknown }[] = [];

  add(name: string, stop: () => unknown): void {
    this.#stops.push({ name, stop });
  }

  /** Stops every part, newest first; a part that fails to stop does not keep the others running. */
  async stopAll(onError: (name: string, error: unknown) => void): Promise<void> {
    for (const { name, stop } of this.#stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        onError(name, error);
      }
    }
  }
}
