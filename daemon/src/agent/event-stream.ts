// A streaming verb as an async iterable (the support bundle reads the agent's journal this way): its
// events are queued up to `maxQueuedBytes`, past which the producer is held back (the socket client
// pauses the connection, the in-process agent awaits), so a slow reader never grows memory.
export function eventsOf(start: (onEvent: (text: string) => void | Promise<void>, signal: AbortSignal) => Promise<void>, signal: AbortSignal, maxQueuedBytes = 1 << 20): AsyncIterable<string> {
  return {
    async *[Symbol.asyncIterator]() {
      const queue: string[] = [];
      let queued = 0;
      // Holders, not lets: TypeScript cannot see the callbacks that set them.
      const wait: { wake: (() => void) | null; room: (() => void) | null } = { wake: null, room: null };
      let ended = false;
      let failure: unknown = null;
      const poke = () => {
        wait.wake?.();
        wait.wake = null;
      };
      const stop = new AbortController();
      const abort = () => stop.abort(signal.reason);
      signal.addEventListener('abort', abort, { once: true });
      const producing = start((text) => {
        queue.push(text);
        queued += text.length;
        poke();
        if (queued < maxQueuedBytes) return undefined;
        return new Promise<void>((resolve) => (wait.room = resolve));
      }, stop.signal).then(
        () => void (ended = true),
        (error: unknown) => void ((failure = error), (ended = true)),
      );
      void producing.finally(poke);
      try {
        for (;;) {
          const text = queue.shift();
          if (text !== undefined) {
            queued -= text.length;
            if (queued < maxQueuedBytes / 2) {
              wait.room?.();
              wait.room = null;
            }
            yield text;
            continue;
          }
          if (ended) break;
          await new Promise<void>((resolve) => (wait.wake = resolve));
        }
        if (failure) throw failure;
      } finally {
        signal.removeEventListener('abort', abort);
        if (!ended) stop.abort(new Error('the reader stopped'));
        wait.room?.();
      }
    },
  };
}
