// Adapter: sessions in SQLite. The cookie holds a random 256-bit id; only its SHA-256 is stored, so
// a copy of the database does not hand out live sessions. A session ends on logout, idle timeout,
// absolute lifetime, password change or user disable, and remembers why.
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../store/index.ts';

export type EndReason = 'logged out' | 'session expired' | 'password changed' | 'user disabled' | 'replaced';

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export interface Session {
  idHash: string;
  userId: number;
  csrfToken: string;
  address: string;
  createdAt: number;
  lastSeenAt: number;
}

interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  address: string;
  created_at: number;
  last_seen_at: number;
  ended_at: number | null;
  end_reason: string | null;
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** Writes of last_seen_at are coalesced to at most one per this interval per session. */
const TOUCH_EVERY_MS = 15_000;
/** Ended sessions are kept this long (so a socket can be told why), then deleted. */
const KEEP_ENDED_MS = 24 * 60 * 60 * 1000;

export class SessionStore {
  private readonly db: Database;
  private readonly limits: SessionLimits;

  constructor(db: Database, limits: SessionLimits) {
    this.db = db;
    this.limits = limits;
  }

  create(userId: number, address: string, userAgent: string, now = Date.now()): { id: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const idHash = hashSessionId(id);
    this.db
      .prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, address, user_agent, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(idHash, userId, csrfToken, address, userAgent.slice(0, 256), now, now);
    return { id, session: { idHash, userId, csrfToken, address, createdAt: now, lastSeenAt: now } };
  }

  /** The live session for a cookie value, or why it is not live. Touches it when `touch`. */
  lookup(idHash: string, now = Date.now(), touch = true): { session: Session } | { ended: EndReason | null } {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
    if (!row) return { ended: null };
    if (row.ended_at !== null) return { ended: (row.end_reason as EndReason | null) ?? 'session expired' };
    if (now - row.last_seen_at > this.limits.idleMs || now - row.created_at > this.limits.absoluteMs) {
      this.end(idHash, 'session expired', now);
      return { ended: 'session expired' };
    }
    if (touch && now - row.last_seen_at >= TOUCH_EVERY_MS) {
      this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(now, idHash);
      row.last_seen_at = now;
    }
    return { session: { idHash, userId: row.user_id, csrfToken: row.csrf_token, address: row.address, createdAt: row.created_at, lastSeenAt: row.last_seen_at } };
  }

  end(idHash: string, reason: EndReason, now = Date.now()): void {
    this.db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id_hash = ? AND ended_at IS NULL').run(now, reason, idHash);
  }

  endAllForUser(userId: number, reason: EndReason, now = Date.now()): number {
    const result = this.db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL').run(now, reason, userId);
    return Number(result.changes);
  }

  /** Ends expired sessions and forgets long-ended ones; keeps the table bounded. */
  sweep(now = Date.now()): void {
    this.db
      .prepare("UPDATE sessions SET ended_at = ?, end_reason = 'session expired' WHERE ended_at IS NULL AND (last_seen_at < ? OR created_at < ?)")
      .run(now, now - this.limits.idleMs, now - this.limits.absoluteMs);
    this.db.prepare('DELETE FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?').run(now - KEEP_ENDED_MS);
  }
}
