// The audit log's hash chain, pure. Each record's hash covers the previous record's hash and every
// field of its own, so an edited, inserted or deleted record breaks the chain from there on.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'success' | 'failure' | 'denied';

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
}

export function hashRecord(prevHash: string, entry: AuditEntry): string {
  const fields = [entry.time, entry.actor, entry.role, entry.address, entry.action, entry.target, entry.outcome, entry.detail];
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

export type ChainVerdict = { ok: true; records: number; head: string } | { ok: false; records: number; badId: number; problem: string };

/** Checks records in id order; names the first one that does not fit. */
export function verifyChain(records: Iterable<AuditRecord>): ChainVerdict {
  let prev = GENESIS_HASH;
  let lastId = 0;
  let count = 0;
  for (const record of records) {
    count += 1;
    if (record.id !== lastId + 1) return { ok: false, records: count, badId: record.id, problem: `record ${lastId + 1} is missing` };
    if (record.prevHash !== prev) return { ok: false, records: count, badId: record.id, problem: 'its previous-hash does not match the record before it' };
    if (hashRecord(prev, record) !== record.hash) return { ok: false, records: count, badId: record.id, problem: 'its contents do not match its hash (edited)' };
    prev = record.hash;
    lastId = record.id;
  }
  return { ok: true, records: count, head: prev };
}

/** Keeps user-controlled text to one bounded line: no control characters, at most `max` chars. */
export function cleanField(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\uFFFD');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
