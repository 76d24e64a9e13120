import { describe, expect, it } from 'vitest';
import { decide, delayAfter, LOCK_MS, strictest } from '../../../daemon/src/auth/throttle.ts';

describe('login throttle schedule', () => {
  it('allows three failures freely, then doubles the delay from 1 s, capped at 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(delayAfter)).toEqual([0, 0, 0, 1000, 2000, 4000, 8000, 16000, 32000]);
  });

  it('locks for 15 minutes from the tenth failure', () => {
    expect(delayAfter(10)).toBe(15 * 60 * 1000);
    expect(delayAfter(25)).toBe(LOCK_MS);
    const now = 1_000_000;
    expect(decide({ failures: 10, lastFailureAt: now - 60_000 }, now)).toEqual({ allowed: false, retryAfterMs: LOCK_MS - 60_000, locked: true });
    expect(decide({ failures: 10, lastFailureAt: now - LOCK_MS - 1 }, now).allowed).toBe(true);
  });

  it('allows the next attempt once the delay since the last failure has passed', () => {
    const now = 50_000;
    expect(decide({ failures: 5, lastFailureAt: now - 1500 }, now)).toEqual({ allowed: false, retryAfterMs: 500, locked: false });
    expect(decide({ failures: 5, lastFailureAt: now - 2000 }, now).allowed).toBe(true);
    expect(decide(undefined, now).allowed).toBe(true);
  });

  it('forgets failures after a day', () => {
    expect(decide({ failures: 50, lastFailureAt: 0 }, 24 * 3600 * 1000 + 1).allowed).toBe(true);
  });

  it('takes the stricter of the account and the address', () => {
    const a = { allowed: false, retryAfterMs: 1000, locked: false };
    const b = { allowed: false, retryAfterMs: 900_000, locked: true };
    expect(strictest([a, b])).toBe(b);
    expect(strictest([]).allowed).toBe(true);
  });
});
