// Adapter: failed-login counters, kept in SQLite so a restart does not reset a lock. The schedule
// itself is pure (throttle.ts). Rows by scope:
//   account  failures against one account name, from anywhere
//   address  failures from one source address, against any account
//   pair     failures from one address against one account: the part of `address` a success may clear
//   setup    wrong first-start setup codes from one address (never shared with an account "setup")
// An attempt is reserved before its password is hashed: the check and the failure it provisionally
// records are one immediate transaction, so parallel attempts each see the ones before them. A
// success takes its own failures back: the account's, and this account's share of the address's.
import type { Database } from '../store/index.ts';
import { transaction } from '../store/index.ts';
import { decide, FORGET_AFTER_MS, strictest, type AttemptRecord, type ThrottleDecision } from './throttle.ts';

export type AttemptScope = 'account' | 'address' | 'pair' | 'setup';
export type AttemptKind = 'login' | 'setup';

export interface Reservation {
  kind: AttemptKind;
  account: string;
  address: string;
  /** Failures counted after this attempt's reservation (it is one of them until it succeeds). */
  failures: { account: number; address: number };
}

export type ReserveResult = { allowed: true; reservation: Reservation } | { allowed: false; decision: ThrottleDecision };

function pairKey(address: string, account: string): string {
  return JSON.stringify([address, account]);
}

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

  private bump(scope: AttemptScope, key: string, now: number): number {
    const row = this.db
      .prepare(
        `INSERT INTO login_attempts (scope, key, failures, last_failure_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (scope, key) DO UPDATE SET
           failures = CASE WHEN ? - last_failure_at > ? THEN 1 ELSE failures + 1 END,
           last_failure_at = excluded.last_failure_at
         RETURNING failures`,
      )
      .get(scope, key, now, now, FORGET_AFTER_MS) as { failures: number };
    return row.failures;
  }

  /** The decision for an attempt, without reserving one (for display and tests). */
  check(kind: AttemptKind, account: string, address: string, now = Date.now()): ThrottleDecision {
    if (kind === 'setup') return decide(this.record('setup', address), now);
    return strictest([decide(this.record('account', account), now), decide(this.record('address', address), now)]);
  }

  /** Refuses when the schedule says wait; otherwise counts this attempt as a failure until it succeeds. */
  reserve(kind: AttemptKind, account: string, address: string, now = Date.now()): ReserveResult {
    return transaction(this.db, () => {
      const decision = this.check(kind, account, address, now);
      if (!decision.allowed) return { allowed: false, decision };
      if (kind === 'setup') {
        const n = this.bump('setup', address, now);
        return { allowed: true, reservation: { kind, account, address, failures: { account: 0, address: n } } };
      }
      const failures = { account: this.bump('account', account, now), address: this.bump('address', address, now) };
      this.bump('pair', pairKey(address, account), now);
      return { allowed: true, reservation: { kind, account, address, failures } };
    });
  }

  /** The reserved attempt succeeded: clears the account's failures and its share of the address's. */
  succeeded(reservation: Reservation): void {
    transaction(this.db, () => {
      if (reservation.kind === 'setup') {
        this.db.prepare("DELETE FROM login_attempts WHERE scope = 'setup' AND key = ?").run(reservation.address);
        return;
      }
      const pair = pairKey(reservation.address, reservation.account);
      const share = this.record('pair', pair)?.failures ?? 0;
      this.db.prepare("DELETE FROM login_attempts WHERE (scope = 'account' AND key = ?) OR (scope = 'pair' AND key = ?)").run(reservation.account, pair);
      this.db.prepare("UPDATE login_attempts SET failures = failures - ? WHERE scope = 'address' AND key = ?").run(share, reservation.address);
      this.db.prepare("DELETE FROM login_attempts WHERE scope = 'address' AND key = ? AND failures <= 0").run(reservation.address);
    });
  }

  sweep(now = Date.now()): void {
    this.db.prepare('DELETE FROM login_attempts WHERE last_failure_at < ?').run(now - FORGET_AFTER_MS);
  }
}
