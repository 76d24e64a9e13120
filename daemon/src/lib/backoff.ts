// Capped exponential backoff with jitter (pure). The agent link and the agent's child supervisor use
// it; cluster/watch-adapter.ts keeps an identical copy until it moves here.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** The wait before attempt `attempt` (0-based): base·2^attempt, capped, ±20 % so restarts do not align. */
export function backoffMs(attempt: number, policy: BackoffPolicy, random = Math.random): number {
  const raw = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
