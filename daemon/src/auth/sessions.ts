// Adapter: sessions in SQLite. The cookie holds a random 256-bit id and the page holds a second
// random 256-bit token (session-binding.ts); only their SHA-256 are stored, so a copy of the database
// does not hand out live sessions. A session ends on logout, idle timeout, absolute lifetime,
// password change or user disable, and remembers why.
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
  /** SHA-256 of the token handed to the page at login; the token itself is never stored. */
  tokenHash: string;
  /** The client address it logged in from: the only one it answers. */
  address: string;
  createdAt: number;
  lastSeenAt: number;
}

interface SessionRow {
  id_hash: string;
  user_id: number;
  token_hash: string | null;
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

  /** A new session: `id` goes into the cookie, `token` to the page; neither is stored. */
  create(userId: number, address: string, userAgent: string, now = Date.now()): { id: string; token: string; session: Session } {
    const id = randomBytes(32).toString('base64url');
    const token = randomBytes(32).toString('base64url');
    const idHash = hashSessionId(id);
    const tokenHash = hashSessionId(token);
    this.db
      .prepare('INSERT INTO sessions (id_hash, user_id, token_hash, address, user_agent, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(idHash, userId, tokenHash, address, userAgent.slice(0, 256), now, now);
    return { id, token, session: { idHash, userId, tokenHash, address, createdAt: now, lastSeenAt: now } };
  }

  /** The live session for a cookie value, or why it is not live. Does not count as activity. */
  lookup(idHash: string, now = Date.now()): { session: Session } | { ended: EndReason | null } {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
    if (!row) return { ended: null };
    if (row.ended_at !== null) return { ended: (row.end_reason as EndReason | null) ?? 'session expired' };
    // Sessions made before tokens existed were ended by the migration; a row without one never binds.
    if (row.token_hash === null) return { ended: 'session expired' };
    if (now - row.last_seen_at > this.limits.idleMs || now - row.created_at > this.limits.absoluteMs) {
      this.end(idHash, 'session expired', now);
      return { ended: 'session expired' };
    }
    const session = { idHash, userId: row.user_id, tokenHash: row.token_hash, address: row.address, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
    return { session };
  }

  /** Records activity (coalesced): called only for requests that proved the whole binding. */
  touch(session: Session, now = Date.now()): void {
    if (now - session.lastSeenAt < TOUCH_EVERY_MS) return;
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND ended_at IS NULL').run(now, session.idHash);
    session.lastSeenAt = now;
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
