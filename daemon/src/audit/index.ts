// The audit log: a keyed, hash-chained, append-only record of logins and changes, with retention,
// counted repeats, and verification from a checkpoint. The chain's key is held by an AuditSigner.
export { AuditLog, DEFAULT_AUDIT_MAX_BYTES, type AuditInput, type AuditQuery, type AuditLogOptions } from './audit-log.ts';
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
export { auditRoutes, toAuditInfo } from './routes.ts';
