// The audit log: a keyed, hash-chained, append-only record of logins and changes, with retention,
// counted repeats, and verification from a checkpoint. The chain's key is held by an AuditSigner,
// which lives in the privileged agent; the web process appends through an AuditWriter that goes to
// the agent. Its HTTP routes are the web's (./routes.ts), not part of this front door, so the agent
// process loads nothing of HTTP.
export { AuditLog, DEFAULT_AUDIT_MAX_BYTES, type AuditInput, type AuditQuery, type AuditLogOptions, type AuditWriter } from './audit-log.ts';
export {
  ChainWalker,
  hashRecord,
  cleanField,
  GENESIS_HASH,
  ANCHOR_ACTION,
  type AuditRecord,
  type AuditEntry,
  type AuditOutcome,
  type AuditHead,
  type ChainVerdict,
} from './chain.ts';
export { type AuditSigner } from './signer.ts';
export { FileAuditSigner, AUDIT_KEY_FILE, AUDIT_HEAD_FILE } from './signer-adapter.ts';
export { AuditVerifier, verifyAll, verifyAllChunked, FULL_CHECK_EVERY_MS, type VerificationStatus } from './verifier.ts';
export { AuditAggregator, type CountedEvent } from './aggregate.ts';
