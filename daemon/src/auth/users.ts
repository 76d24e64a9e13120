// Adapter: users in SQLite. Works the same from the daemon and from the CLI (WAL lets both write).
import type { Database } from '../store/index.ts';
import type { Role } from './roles.ts';

export interface User {
  id: number;
  username: string;
  role: Role;
  createdAt: number;
  passwordChangedAt: number;
  disabledAt: number | null;
}

interface UserRow {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  disabled_at: number | null;
}

function toUser(row: UserRow): User {
  return { id: row.id, username: row.username, role: row.role, createdAt: row.created_at, passwordChangedAt: row.password_changed_at, disabledAt: row.disabled_at };
}

export class UserStore {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  create(username: string, role: Role, passwordHash: string, now = Date.now()): User {
    const result = this.db
      .prepare('INSERT INTO users (username, role, password_hash, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?)')
      .run(username, role, passwordHash, now, now);
    return { id: Number(result.lastInsertRowid), username, role, createdAt: now, passwordChangedAt: now, disabledAt: null };
  }

  exists(username: string): boolean {
    return this.db.prepare('SELECT 1 FROM users WHERE username = ?').get(username) !== undefined;
  }

  /** The user and their password hash, for a login check. */
  findForLogin(username: string): { user: User; passwordHash: string } | null {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  byId(id: number): User | null {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as unknown as UserRow[]).map(toUser);
  }

  setPassword(id: number, passwordHash: string, now = Date.now()): void {
    this.db.prepare('UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?').run(passwordHash, now, id);
  }

  setRole(id: number, role: Role): void {
    this.db.prepare('UPDATE users SET role = ? WHERE id = ?').run(role, id);
  }

  setDisabled(id: number, disabled: boolean, now = Date.now()): void {
    this.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(disabled ? now : null, id);
  }

  /** Enabled admins: while there are none, first-start setup is open. */
  activeAdminCount(): number {
    const row = this.db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL").get() as { n: number };
    return row.n;
  }
}
