// The closed list of problem codes that cross the wire (HTTP problem+json and feed `error`).
// Every code must be described in docs/errors.md; test/unit/errors-doc.test.ts enforces it.

export const ERROR_CODES = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unauthenticated: 401,
  login_failed: 401,
  forbidden: 403,
  origin_mismatch: 403,
  csrf_failed: 403,
  setup_code_invalid: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  user_exists: 409,
  setup_not_available: 409,
  unsupported_media_type: 415,
  host_not_allowed: 421,
  login_throttled: 429,
  internal_error: 500,
  not_ready: 503,
  ui_not_built: 503,
  shutting_down: 503,
  cluster_not_configured: 503,
  cluster_unreachable: 503,
  cluster_forbidden: 502,
  cluster_conflict: 409,
  cluster_timeout: 504,
  cluster_error: 502,
  workload_not_found: 404,
  pod_not_recreated: 409,
  restart_in_progress: 409,
  busy: 409,
  bundle_not_found: 404,
  release_not_found: 404,
  upgrade_not_found: 404,
  upgrade_blocked: 409,
  bundle_refused: 422,
  bundle_in_use: 409,
  too_many_bundles: 409,
  nothing_to_roll_back: 409,
  agent_unavailable: 503,
  support_bundle_busy: 409,
  upload_not_found: 404,
  too_many_uploads: 409,
  upload_too_large: 413,
  insufficient_storage: 507,
  feed_bad_message: 400,
  feed_message_too_large: 413,
  feed_unknown_topic: 404,
  feed_too_many_subscriptions: 429,
  feed_too_many_streams: 429,
  feed_log_target_not_found: 404,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** RFC 9457 problem details, as every failed API call answers. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  /** Machine-readable specifics (field paths, limits). */
  errors?: { path: string; message: string }[];
  /** With `login_throttled`: seconds until the next attempt may be made. */
  retryAfterSeconds?: number;
}

export function problemType(code: ErrorCode): string {
  return `urn:outpost:problem:${code}`;
}
