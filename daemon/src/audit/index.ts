export { AuditLog, type AuditInput, type AuditQuery } from './audit-log.ts';
export { verifyChain, hashRecord, cleanField, GENESIS_HASH, type AuditRecord, type AuditEntry, type AuditOutcome, type ChainVerdict } from './chain.ts';
export { auditRoutes, toAuditInfo } from './routes.ts';
