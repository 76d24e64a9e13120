// Mirrors one of the agent's event streams into a web-side topic for as long as `signal` lives:
// watch first, then load the snapshot, so an event between the two is applied on top of it or
// already in it (each event replaces a whole part), never lost. When the agent goes away the stream
// ends; once it is back (`whenUp`), both start again, one attempt a second at most.
import { sleep } from './backoff.ts';
import type { Logger } from './logger.ts';

export interface FollowAgentOptions<E> {
  /** The agent's stream; resolves or rejects when it ends. */
  watch(onEvent: (event: E) => void, signal: AbortSignal): Promise<void>;
  /** The whole state, as an event that replaces it. */
  snapshot(): Promise<E>;
  publish(event: E): void;
  /** Resolves once the agent can be reached again (unset: at once). */
  whenUp?: (signal: AbortSignal) => Promise<void>;
  log: Logger;
  /** For the log: "upgrade", "USB". */
  what: string;
}

export function followAgent<E>(options: FollowAgentOptions<E>, signal: AbortSignal): void {
  void (async () => {
    for (let round = 0; !signal.aborted; round += 1) {
      if (round > 0) await sleep(1000, signal);
      await options.whenUp?.(signal);
      if (signal.aborted) break;
      const watching = options.watch(options.publish, signal);
      void options.snapshot().then(options.publish, (error: unknown) => options.log.warn({ err: error }, `cannot load the ${options.what} state`));
      await watching.catch((error: unknown) => signal.aborted || options.log.warn({ err: error }, `the ${options.what} event stream ended`));
    }
  })();
}
