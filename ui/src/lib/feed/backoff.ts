// Reconnect delays: exponential from `baseMs`, capped at `maxMs`, with ±jitter so a room full of
// kiosks does not reconnect in lockstep after the daemon restarts. The cap is what a person waits
// after the daemon is back: 1.5 s keeps "reconnected within 2 s" true however long it was down,
// and one refused connection a second and a half costs a loopback or LAN daemon nothing.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 1500, jitter: 0.25 };

export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const spread = exponential * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(options.maxMs, exponential + spread)));
}
