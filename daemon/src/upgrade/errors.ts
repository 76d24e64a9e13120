// The engine's outcome codes (docs/upgrades.md lists each; test/unit/upgrade/codes-documented.test.ts
// enforces it) and the failure an executor throws to end forward progress.
import type { FailureReason } from '../protocol/upgrade.ts';

export const UPGRADE_CODES = [
  'upgrade.blocked',
  'upgrade.interrupted',
  'upgrade.import_failed',
  'upgrade.apply_failed',
  'upgrade.crd_not_established',
  'upgrade.gate_failed',
  'upgrade.gate_timeout',
  'upgrade.commit_failed',
  'upgrade.resume_limit',
  'upgrade.rollback_unhealthy',
  'upgrade.cluster_unreachable',
  'upgrade.cancelled',
] as const;

export type UpgradeCode = (typeof UPGRADE_CODES)[number];

export class UpgradeFailure extends Error {
  readonly code: UpgradeCode;
  readonly reasons: FailureReason[];

  constructor(code: UpgradeCode, message: string, options: { reasons?: FailureReason[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UpgradeFailure';
    this.code = code;
    this.reasons = options.reasons ?? [];
  }
}

/** A network-level failure talking to the API server (rather than a refusal of the request). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT']);

export function isUnreachable(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string }; name?: string; message?: string } | null | undefined;
  return e?.name === 'TimeoutError' || NETWORK_CODES.has(e?.code ?? '') || NETWORK_CODES.has(e?.cause?.code ?? '') || /fetch failed|ECONNREFUSED|socket hang up/.test(e?.message ?? '');
}
