// Login throttling schedule, pure. Counted per account and per source address; the stricter wins.
// 1–3 failures: no delay. From the 4th: 1 s, 2 s, 4 s … capped at 60 s. From the 10th: locked for
// 15 minutes after the last failure. A success clears the account's counter and only its own share of
// the address's (login-attempts.ts).

export const FREE_FAILURES = 3;
export const LOCK_AFTER = 10;
export const LOCK_MS = 15 * 60 * 1000;
export const MAX_DELAY_MS = 60 * 1000;
/** Failures older than this are forgotten. */
export const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export interface AttemptRecord {
  failures: number;
  lastFailureAt: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  /** When refused: how long until the next attempt may be made. */
  retryAfterMs: number;
  locked: boolean;
}

export function delayAfter(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  if (failures >= LOCK_AFTER) return LOCK_MS;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES - 1));
}

export function decide(record: AttemptRecord | undefined, now: number): ThrottleDecision {
  if (!record || now - record.lastFailureAt > FORGET_AFTER_MS) return { allowed: true, retryAfterMs: 0, locked: false };
  const wait = delayAfter(record.failures) - (now - record.lastFailureAt);
  if (wait <= 0) return { allowed: true, retryAfterMs: 0, locked: false };
  return { allowed: false, retryAfterMs: wait, locked: record.failures >= LOCK_AFTER };
}

/** The stricter of several decisions (account and address). */
export function strictest(decisions: ThrottleDecision[]): ThrottleDecision {
  return decisions.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a), { allowed: true, retryAfterMs: 0, locked: false });
}
