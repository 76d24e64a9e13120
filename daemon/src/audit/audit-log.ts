// Adapter: the append-only audit log in SQLite. Appends read the head and write the next record in
// one immediate transaction, so the daemon and the CLI can both append without forking the chain.
// SQLite triggers refuse UPDATE and DELETE on the table.
import type { Database } from '../store/index.ts';
import { transaction } from '../store/index.ts';
import { cleanField, GENESIS_HASH, hashRecord, verifyChain, type AuditEntry, type AuditOutcome, type AuditRecord, type ChainVerdict } from './chain.ts';

export interface AuditInput {
  actor: string;
  role: string;
  address: string;
  action: string;
  target?: string;
  outcome: AuditOutcome;
  detail?: Record<string, unknown>;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  since?: number;
  until?: number;
  /** Records with an id below this (for paging backwards). */
  before?: number;
  limit?: number;
}

interface AuditRow {
  id: number;
  time: number;
  actor: string;
  role: string;
  address: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  detail: string;
  prev_hash: string;
  hash: string;
}

function toRecord(row: AuditRow): AuditRecord {
  return { id: row.id, time: row.time, actor: row.actor, role: row.role, address: row.address, action: row.action, target: row.target, outcome: row.outcome, detail: row.detail, prevHash: row.prev_hash, hash: row.hash };
}

export class AuditLog {
  private readonly db: Database;
  private readonly listeners = new Set<(record: AuditRecord) => void>();

  constructor(db: Database) {
    this.db = db;
  }

  append(input: AuditInput, now = Date.now()): AuditRecord {
    const entry: AuditEntry = {
      time: now,
      actor: cleanField(input.actor, 64),
      role: cleanField(input.role, 16),
      address: cleanField(input.address, 64),
      action: cleanField(input.action, 64),
      target: cleanField(input.target ?? '', 256),
      outcome: input.outcome,
      detail: JSON.stringify(input.detail ?? {}).slice(0, 4096),
    };
    const record = transaction(this.db, () => {
      const head = this.db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
      const prevHash = head?.hash ?? GENESIS_HASH;
      const hash = hashRecord(prevHash, entry);
      const id = (head?.id ?? 0) + 1;
      this.db
        .prepare('INSERT INTO audit (id, time, actor, role, address, action, target, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, entry.time, entry.actor, entry.role, entry.address, entry.action, entry.target, entry.outcome, entry.detail, prevHash, hash);
      return { id, ...entry, prevHash, hash };
    });
    for (const listener of this.listeners) listener(record);
    return record;
  }

  query(q: AuditQuery = {}): AuditRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const filter = (clause: string, value: string | number | undefined) => {
      if (value === undefined || value === '') return;
      where.push(clause);
      args.push(value);
    };
    filter('actor = ?', q.actor);
    filter('action LIKE ?', q.action ? `${q.action.replace(/[%_]/g, '')}%` : undefined);
    filter('outcome = ?', q.outcome);
    filter('time >= ?', q.since);
    filter('time <= ?', q.until);
    filter('id < ?', q.before);
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as unknown as AuditRow[]).map(toRecord);
  }

  /** Every record, oldest first, read lazily. */
  *all(): Generator<AuditRecord> {
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY id').iterate()) yield toRecord(row as unknown as AuditRow);
  }

  verify(): ChainVerdict {
    return verifyChain(this.all());
  }

  onAppend(listener: (record: AuditRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
