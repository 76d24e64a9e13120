// The audit log's chain, pure. Record n's hash covers its sequence number, record n-1's hash and
// every field of its own, so an edited, inserted, reordered or deleted record breaks the chain there.
// Records are MACed with a key the database does not hold (signer.ts); records written before the
// key existed keep their plain SHA-256 (alg `sha256`) and are pinned by the first keyed record, which
// covers the last of them. The log may start after record 1 when retention dropped the oldest: the
// newest anchor record (action `audit.pruned`, itself in the chain) names the last dropped record and
// its hash. The head (last sequence and hash) is kept outside the database, so a cut tail shows.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);
export const ANCHOR_ACTION = 'audit.pruned';

export type AuditOutcome = 'success' | 'failure' | 'denied';
/** `sha256`: version 1's unkeyed chain; `hmac-sha256`: keyed (signer.ts). */
export type ChainAlg = 'sha256' | 'hmac-sha256';

export interface AuditEntry {
  time: number;
  actor: string;
  role: string;
  address: string;
  action: string;
  target: string;
  outcome: AuditOutcome;
  /** Free-form facts as a JSON object string. */
  detail: string;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  prevHash: string;
  hash: string;
  alg: ChainAlg;
}

/** The last record's sequence number and hash, as kept outside the database. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** The first keyed record: every record from here on must be keyed. */
  keyedFrom: number;
}

/** What an anchor record's detail says about the records retention dropped. */
export interface AnchorDetail {
  droppedFrom: number;
  droppedTo: number;
  records: number;
  bytes: number;
  /** The hash of record `droppedTo`: the first remaining record's previous hash. */
  lastHash: string;
}

/** Version 1's unkeyed hash (kept to verify records written before the key existed). */
export function hashRecord(prevHash: string, entry: AuditEntry): string {
  const fields = [entry.time, entry.actor, entry.role, entry.address, entry.action, entry.target, entry.outcome, entry.detail];
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

/** The exact bytes a keyed record's MAC covers: its sequence, the previous hash, every field. */
export function macInput(id: number, prevHash: string, entry: AuditEntry): string {
  const fields = [entry.time, entry.actor, entry.role, entry.address, entry.action, entry.target, entry.outcome, entry.detail];
  return JSON.stringify(['outpost-audit-v2', id, prevHash, ...fields]);
}

/** Bytes a record takes, for the size cap: UTF-8 bytes of its text, plus a fixed overhead per row. */
export function recordBytes(record: Omit<AuditRecord, 'id' | 'time' | 'alg'>): number {
  const text = [record.actor, record.role, record.address, record.action, record.target, record.outcome, record.detail, record.prevHash, record.hash];
  return text.reduce((n, t) => n + Buffer.byteLength(t), 0) + RECORD_OVERHEAD_BYTES;
}
export const RECORD_OVERHEAD_BYTES = 48;

export function parseAnchor(record: AuditRecord): AnchorDetail | null {
  if (record.action !== ANCHOR_ACTION) return null;
  try {
    const d = JSON.parse(record.detail) as Partial<AnchorDetail>;
    const ok = [d.droppedFrom, d.droppedTo, d.records, d.bytes].every((n) => Number.isSafeInteger(n)) && typeof d.lastHash === 'string';
    return ok ? (d as AnchorDetail) : null;
  } catch {
    return null;
  }
}

export type ChainVerdict =
  | { ok: true; records: number; first: number; last: number; head: string }
  | { ok: false; records: number; badId: number; problem: string };

/** Where a walk starts: the record before the first one it will see. */
export interface ChainStart {
  id: number;
  hash: string;
}

/**
 * Walks records in id order from `start`, checking each link and each record's own hash (a keyed
 * record with `macOk`). Feed it with next(); finish() checks the end against the head.
 */
export class ChainWalker {
  private prevId: number;
  private prevHash: string;
  private count = 0;
  private readonly firstId: number;
  private problem: { badId: number; problem: string } | null = null;
  private keyedSeen = false;
  private readonly macOk: (record: AuditRecord) => boolean;
  private readonly head: AuditHead | null;

  constructor(start: ChainStart, macOk: (record: AuditRecord) => boolean, head: AuditHead | null) {
    this.macOk = macOk;
    this.head = head;
    this.prevId = start.id;
    this.prevHash = start.hash;
    this.firstId = start.id + 1;
  }

  get lastId(): number {
    return this.prevId;
  }
  get lastHash(): string {
    return this.prevHash;
  }
  get failed(): boolean {
    return this.problem !== null;
  }

  /** Checks the next record; false once the chain is broken (the first problem is kept). */
  next(record: AuditRecord): boolean {
    if (this.problem) return false;
    this.count += 1;
    const fail = (problem: string) => ((this.problem = { badId: record.id, problem }), false);
    if (record.id <= this.prevId) return fail('its sequence number repeats');
    if (record.id !== this.prevId + 1) return fail(`records ${this.prevId + 1}–${record.id - 1} are missing`);
    if (record.prevHash !== this.prevHash) return fail('its previous-hash does not match the record before it');
    const mustBeKeyed = this.keyedSeen || (this.head !== null && record.id >= this.head.keyedFrom);
    if (record.alg === 'sha256') {
      if (mustBeKeyed) return fail('an unkeyed record where the chain is keyed (rewritten without the key)');
      if (hashRecord(record.prevHash, record) !== record.hash) return fail('its contents do not match its hash (edited)');
    } else {
      this.keyedSeen = true;
      if (!this.macOk(record)) return fail('its contents do not match its keyed hash (edited, or rewritten without the key)');
    }
    const atHead = this.head !== null && record.id === this.head.seq;
    if (atHead && record.hash !== this.head!.hash) return fail('it does not match the head kept outside the database');
    this.prevId = record.id;
    this.prevHash = record.hash;
    return true;
  }

  /** The verdict; with `complete`, the walk reached the log's end, which must reach the head. */
  finish(complete: boolean): ChainVerdict {
    if (this.problem) return { ok: false, records: this.count, ...this.problem };
    if (complete && this.head === null && this.keyedSeen) {
      return { ok: false, records: this.count, badId: this.prevId, problem: 'the head kept outside the database is missing' };
    }
    if (complete && this.head !== null) {
      if (this.prevId < this.head.seq) {
        const problem = `the log ends at record ${this.prevId} but its head says ${this.head.seq}: the tail was cut`;
        return { ok: false, records: this.count, badId: this.prevId + 1, problem };
      }
    }
    return { ok: true, records: this.count, first: this.firstId, last: this.prevId, head: this.prevHash };
  }
}

/** Keeps user-controlled text to one bounded line: no control characters, at most `max` chars. */
export function cleanField(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\uFFFD');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
