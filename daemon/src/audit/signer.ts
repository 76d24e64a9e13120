// The audit chain's key holder. The web process appends records but must not be able to rewrite
// them, so the key lives with the agent (the privileged side) behind this narrow interface:
//   sign    MACs a record with a sequence number beyond the head it keeps (never history)
//   verify  tells whether a record's MAC is right
//   head    the last sequence and hash, kept outside the database (a cut tail shows)
//   advance moves the head forward once the database holds the record
// Today the agent runs in the web process and FileAuditSigner (signer-adapter.ts) reads the key from
// the agent's state folder; docs/security.md says what changes when the agent moves out.
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { macInput, type AuditEntry, type AuditHead, type AuditRecord } from './chain.ts';

export interface AuditSigner {
  /** Names the key (not secret): a log signed with another key fails verification, and says so. */
  readonly keyId: string;
  /** The MAC of record `id`; refuses an id at or below the head (it never re-signs history). */
  sign(id: number, prevHash: string, entry: AuditEntry): string;
  /** Whether the record's hash is its MAC under this key. */
  verify(record: AuditRecord): boolean;
  /** The head kept outside the database, or null before the first keyed record. */
  head(): AuditHead | null;
  /** Records that the database now holds record `seq` with `hash`; the head only moves forward. */
  advance(seq: number, hash: string): void;
}

/** `key`: pass a KeyObject (createSecretKey) when MACing many records; a Buffer is re-imported per call. */
export function macRecord(key: KeyObject | Buffer, id: number, prevHash: string, entry: AuditEntry): string {
  return createHmac('sha256', key).update(macInput(id, prevHash, entry)).digest('hex');
}

export function macMatches(key: KeyObject | Buffer, record: AuditRecord): boolean {
  const expected = Buffer.from(macRecord(key, record.id, record.prevHash, record), 'hex');
  const actual = Buffer.from(record.hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
