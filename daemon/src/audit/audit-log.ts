// Adapter: the append-only audit log in SQLite. An append reads the last record and writes the next
// one, MACed by the signer, in one immediate transaction (the daemon and the CLI can both append
// without forking the chain); once committed, the signer's head moves to it. Triggers refuse UPDATE
// and DELETE except while retention prunes. Retention: past `maxBytes` the oldest records are
// dropped down to 90% of it, and an anchor record (in the chain) says which and what the last
// dropped hash was, so the log still verifies from its new start and cannot fill the disk.
import type { Database } from '../store/index.ts';
import { transaction } from '../store/index.ts';
import { ANCHOR_ACTION, cleanField, GENESIS_HASH, recordBytes } from './chain.ts';
import type { AnchorDetail, AuditEntry, AuditOutcome, AuditRecord, ChainAlg } from './chain.ts';
import type { AuditSigner } from './signer.ts';

export interface AuditInput {
  actor: string;
  role: string;
  address: string;
  action: string;
  target?: string;
  outcome: AuditOutcome;
  detail?: Record<string, unknown>;
}

/** Where audit records go: the keyed log itself (in the agent), or the web process's queue to the agent. */
export interface AuditWriter {
  append(input: AuditInput): void;
  /** Several records at once (the log writes them in one transaction). */
  appendAll(inputs: readonly AuditInput[]): void;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  since?: number;
  until?: number;
  /** Records with an id below this (the cursor of the page before). */
  before?: number;
  limit?: number;
}

export interface AuditLogOptions {
  /** Holds the chain's key; without one the log is read-only. */
  signer?: AuditSigner;
  /** The size cap (bytes as recordBytes counts them). */
  maxBytes?: number;
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
  alg: ChainAlg;
}

/** recordBytes() in SQL (UTF-8 bytes of every text column, plus the per-row overhead). */
const ROW_BYTES_SQL = `length(CAST(actor AS BLOB)) + length(CAST(role AS BLOB)) + length(CAST(address AS BLOB)) + length(CAST(action AS BLOB))
  + length(CAST(target AS BLOB)) + length(CAST(outcome AS BLOB)) + length(CAST(detail AS BLOB)) + length(prev_hash) + length(hash) + 48`;
export const DEFAULT_AUDIT_MAX_BYTES = 64 * 1024 * 1024;
const MAX_PAGE = 1000;

function toRecord(row: AuditRow): AuditRecord {
  const { prev_hash: prevHash, ...rest } = row;
  return { ...rest, prevHash };
}

export function toEntry(input: AuditInput, now: number): AuditEntry {
  return {
    time: now,
    actor: cleanField(input.actor, 64),
    role: cleanField(input.role, 16),
    address: cleanField(input.address, 64),
    action: cleanField(input.action, 64),
    target: cleanField(input.target ?? '', 256),
    outcome: input.outcome,
    detail: JSON.stringify(input.detail ?? {}).slice(0, 4096),
  };
}

export class AuditLog implements AuditWriter {
  private readonly db: Database;
  private readonly signer: AuditSigner | undefined;
  private readonly maxBytes: number;
  private readonly listeners = new Set<(record: AuditRecord) => void>();

  constructor(db: Database, options: AuditLogOptions = {}) {
    this.db = db;
    this.signer = options.signer;
    this.maxBytes = options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
  }

  append(input: AuditInput, now = Date.now()): AuditRecord {
    return this.appendAll([input], now)[0]!;
  }

  /** Appends several records in one durable transaction (one disk sync, one head write). */
  appendAll(inputs: readonly AuditInput[], now = Date.now()): AuditRecord[] {
    const signer = this.signer;
    if (!signer) throw new Error('this audit log is read-only: it has no signer');
    if (inputs.length === 0) return [];
    const written = transaction(
      this.db,
      () => {
        const records = inputs.map((input) => this.insertSigned(signer, toEntry(input, now)));
        const anchor = this.bytes() > this.maxBytes ? this.prune(signer, now) : null;
        if (anchor) records.push(anchor);
        return records;
      },
      { durable: true },
    );
    const last = written.at(-1)!;
    signer.advance(last.id, last.hash);
    for (const record of written) for (const listener of this.listeners) listener(record);
    return written.slice(0, inputs.length);
  }

  private insertSigned(signer: AuditSigner, entry: AuditEntry): AuditRecord {
    const last = this.db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    const head = signer.head();
    // A database behind the signer's head lost its tail: continue after the head, so the gap stays
    // visible to verification instead of being papered over.
    const base = head !== null && head.seq > (last?.id ?? 0) ? { id: head.seq, hash: head.hash } : (last ?? { id: 0, hash: GENESIS_HASH });
    const id = base.id + 1;
    const hash = signer.sign(id, base.hash, entry);
    const record: AuditRecord = { id, ...entry, prevHash: base.hash, hash, alg: 'hmac-sha256' };
    this.db
      .prepare(
        `INSERT INTO audit (id, time, actor, role, address, action, target, outcome, detail, prev_hash, hash, alg)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, entry.time, entry.actor, entry.role, entry.address, entry.action, entry.target, entry.outcome, entry.detail, base.hash, hash, record.alg);
    this.db.prepare('UPDATE audit_meta SET bytes = bytes + ? WHERE id = 1').run(recordBytes(record));
    return record;
  }

  /** Drops the oldest records down to 90% of the cap and appends the anchor that accounts for them. */
  private prune(signer: AuditSigner, now: number): AuditRecord | null {
    const total = this.bytes();
    const goal = Math.floor(this.maxBytes * 0.9);
    const newest = (this.db.prepare('SELECT MAX(id) AS id FROM audit').get() as { id: number }).id;
    const dropped = { from: 0, to: 0, records: 0, bytes: 0, lastHash: '' };
    for (const row of this.db.prepare(`SELECT id, hash, ${ROW_BYTES_SQL} AS size FROM audit WHERE id < ? ORDER BY id`).iterate(newest)) {
      const r = row as { id: number; hash: string; size: number };
      if (dropped.records === 0) dropped.from = r.id;
      Object.assign(dropped, { to: r.id, records: dropped.records + 1, bytes: dropped.bytes + r.size, lastHash: r.hash });
      if (total - dropped.bytes <= goal) break;
    }
    if (dropped.records === 0) return null;
    this.db.prepare('UPDATE audit_meta SET pruning = 1 WHERE id = 1').run();
    this.db.prepare('DELETE FROM audit WHERE id <= ?').run(dropped.to);
    this.db.prepare('UPDATE audit_meta SET pruning = 0, bytes = bytes - ? WHERE id = 1').run(dropped.bytes);
    const { from: droppedFrom, to: droppedTo, records, bytes, lastHash } = dropped;
    const detail: AnchorDetail = { droppedFrom, droppedTo, records, bytes, lastHash };
    const by = { actor: 'outpost', role: '-', address: '-' };
    const anchor = toEntry({ ...by, action: ANCHOR_ACTION, target: 'audit log', outcome: 'success', detail: { ...detail } }, now);
    return this.insertSigned(signer, anchor);
  }

  /** The log's size as the cap counts it. */
  bytes(): number {
    return (this.db.prepare('SELECT bytes FROM audit_meta WHERE id = 1').get() as { bytes: number }).bytes;
  }

  /** Newest first, filtered; `next` is the cursor (`before`) of the following page, null at the end. */
  queryPage(q: AuditQuery = {}): { records: AuditRecord[]; next: number | null } {
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
    const limit = Math.min(Math.max(q.limit ?? 100, 1), MAX_PAGE);
    const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit + 1}`;
    const rows = (this.db.prepare(sql).all(...args) as unknown as AuditRow[]).map(toRecord);
    const more = rows.length > limit;
    const records = more ? rows.slice(0, limit) : rows;
    return { records, next: more ? records.at(-1)!.id : null };
  }

  query(q: AuditQuery = {}): AuditRecord[] {
    return this.queryPage(q).records;
  }

  /** Up to `limit` records after id `after`, oldest first (verification walks the log with it). */
  after(after: number, limit: number): AuditRecord[] {
    return (this.db.prepare('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?').all(after, limit) as unknown as AuditRow[]).map(toRecord);
  }

  byId(id: number): AuditRecord | null {
    const row = this.db.prepare('SELECT * FROM audit WHERE id = ?').get(id) as AuditRow | undefined;
    return row ? toRecord(row) : null;
  }

  firstId(): number | null {
    return (this.db.prepare('SELECT MIN(id) AS id FROM audit').get() as { id: number | null }).id;
  }

  /** The newest anchor record (retention's account of what it dropped), if any. */
  newestAnchor(): AuditRecord | null {
    const row = this.db.prepare('SELECT * FROM audit WHERE action = ? ORDER BY id DESC LIMIT 1').get(ANCHOR_ACTION) as AuditRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Every record, oldest first, read lazily. */
  *all(): Generator<AuditRecord> {
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY id').iterate()) yield toRecord(row as unknown as AuditRow);
  }

  onAppend(listener: (record: AuditRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
