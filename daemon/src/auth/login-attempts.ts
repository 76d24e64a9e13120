// Adapter: failed-login counters per account and per source address, kept in SQLite so a restart
// does not reset a lock. The schedule itself is pure (throttle.ts).
import type { Database } from '../store/index.ts';
import { decide, FORGET_AFTER_MS, strictest, type AttemptRecord, type ThrottleDecision } from './throttle.ts';

export type AttemptScope = 'account' | 'address';

export class LoginAttempts {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  private record(scope: AttemptScope, key: string): AttemptRecord | undefined {
    const row = this.db.prepare('SELECT failures, last_failure_at FROM login_attempts WHERE scope = ? AND key = ?').get(scope, key) as
      | { failures: number; last_failure_at: number }
      | undefined;
    return row ? { failures: row.failures, lastFailureAt: row.last_failure_at } : undefined;
  }

  check(account: string, address: string, now = Date.now()): ThrottleDecision {
    return strictest([decide(this.record('account', account), now), decide(this.record('address', address), now)]);
  }

  /** Records a failure; returns the failure counts after it. */
  fail(account: string, address: string, now = Date.now()): { account: number; address: number } {
    const bump = this.db.prepare(
      `INSERT INTO login_attempts (scope, key, failures, last_failure_at) VALUES (?, ?, 1, ?)
       ON CONFLICT (scope, key) DO UPDATE SET
         failures = CASE WHEN ? - last_failure_at > ? THEN 1 ELSE failures + 1 END,
         last_failure_at = excluded.last_failure_at
       RETURNING failures`,
    );
    const a = bump.get('account', account, now, now, FORGET_AFTER_MS) as { failures: number };
    const b = bump.get('address', address, now, now, FORGET_AFTER_MS) as { failures: number };
    return { account: a.failures, address: b.failures };
  }

  succeed(account: string, address: string): void {
    this.db.prepare("DELETE FROM login_attempts WHERE (scope = 'account' AND key = ?) OR (scope = 'address' AND key = ?)").run(account, address);
  }

  sweep(now = Date.now()): void {
    this.db.prepare('DELETE FROM login_attempts WHERE last_failure_at < ?').run(now - FORGET_AFTER_MS);
  }
}
