// Adapter: the engine lock, one row in SQLite. The daemon holds it for its lifetime; the CLI takes it
// only when no daemon answers, so the CLI and the daemon never run the engine at once. A holder is
// a process identified by pid plus its start time and the boot id, so a stale row left by a process
// that died (or by the previous boot) never blocks anyone.
import { readFileSync } from 'node:fs';
import { transaction, type Database } from '../store/index.ts';

export interface LockHolder {
  pid: number;
  holder: string;
  since: number;
}

function identity(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}:${fields[19] ?? ''}`;
  } catch {
    return null;
  }
}

export class EngineLock {
  readonly #db: Database;
  readonly #pid: number;

  constructor(db: Database, pid = process.pid) {
    this.#db = db;
    this.#pid = pid;
  }

  /** Takes the lock, or returns who holds it. */
  acquire(holder: string, now = Date.now()): { ok: true } | { ok: false; by: LockHolder } {
    const mine = identity(this.#pid) ?? `pid:${this.#pid}`;
    return transaction(this.#db, () => {
      const row = this.#db.prepare('SELECT pid, start_time, holder, since FROM engine_lock WHERE id = 1').get() as { pid: number; start_time: string; holder: string; since: number } | undefined;
      if (row && row.pid !== this.#pid && identity(row.pid) === row.start_time) return { ok: false as const, by: { pid: row.pid, holder: row.holder, since: row.since } };
      this.#db.prepare('INSERT OR REPLACE INTO engine_lock (id, pid, start_time, holder, since) VALUES (1, ?, ?, ?, ?)').run(this.#pid, mine, holder, now);
      return { ok: true as const };
    });
  }

  release(): void {
    this.#db.prepare('DELETE FROM engine_lock WHERE id = 1 AND pid = ?').run(this.#pid);
  }
}
