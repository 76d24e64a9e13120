// The bundle capability's own stable error codes. Every code is described in docs/bundle-format.md
// (test/unit/bundles/error-codes-documented.test.ts enforces it); a later HTTP route maps them to a problem.

export const BUNDLE_ERROR_CODES = [
  // reading the source
  'bundle.source_not_regular_file',
  'bundle.source_unreadable',
  'bundle.aborted',
  // tar framing
  'bundle.archive_truncated',
  'bundle.header_checksum',
  'bundle.header_invalid',
  'bundle.header_size_form',
  'bundle.header_not_canonical',
  'bundle.trailing_data',
  // manifest.json
  'bundle.manifest_missing',
  'bundle.manifest_too_large',
  'bundle.manifest_invalid_json',
  'bundle.manifest_byte_order_mark',
  'bundle.manifest_whitespace',
  'bundle.manifest_number_form',
  'bundle.manifest_escape_form',
  'bundle.manifest_invalid_unicode',
  'bundle.manifest_not_canonical',
  'bundle.manifest_duplicate_key',
  'bundle.manifest_too_deep',
  'bundle.manifest_unknown_field',
  'bundle.manifest_invalid',
  'bundle.manifest_duplicate_path',
  'bundle.manifest_path_collision',
  // manifest.sig and trust
  'bundle.signature_missing',
  'bundle.signature_malformed',
  'bundle.signature_unsupported_scheme',
  'bundle.signature_invalid',
  'bundle.key_id_mismatch',
  'bundle.untrusted_key',
  'bundle.revoked_key',
  'bundle.threshold_not_met',
  'bundle.trust_invalid',
  // device policy
  'bundle.sequence_not_newer',
  'bundle.sequence_below_floor',
  'bundle.expired',
  // payload members
  'bundle.member_unexpected',
  'bundle.member_missing',
  'bundle.member_not_regular',
  'bundle.member_extended_header',
  'bundle.member_path_unsafe',
  'bundle.member_size_mismatch',
  'bundle.member_digest_mismatch',
  'bundle.member_padding_not_zero',
  // staging
  'bundle.stage_failed',
  // building and keys (connected side)
  'bundle.build_input_invalid',
  'bundle.image_invalid',
  'bundle.key_invalid',
] as const;

export type BundleErrorCode = (typeof BUNDLE_ERROR_CODES)[number];

/** A refused bundle: a stable code, a one-line message, and the member or field it concerns. */
export class BundleError extends Error {
  readonly code: BundleErrorCode;
  readonly member: string | undefined;

  constructor(code: BundleErrorCode, message: string, options: { member?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BundleError';
    this.code = code;
    this.member = options.member;
  }
}

export function isBundleError(value: unknown): value is BundleError {
  return value instanceof BundleError;
}
