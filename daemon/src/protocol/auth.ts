// Bodies of the session, user and audit API.

export type RoleName = 'viewer' | 'operator' | 'admin';

/**
 * A session is bound to a token handed to the page once, in the login (or setup) answer. The page
 * keeps it in its origin-scoped storage under this key and sends it on every request as this header,
 * and offers it to the feed as a subprotocol with this prefix (after FEED_PROTOCOL). See
 * docs/security.md, "Sessions".
 */
export const SESSION_TOKEN_HEADER = 'X-CSRF-Token';
export const SESSION_TOKEN_STORAGE_KEY = 'outpost.session-token';
export const FEED_TOKEN_PROTOCOL_PREFIX = 'outpost.token.';

export interface SessionInfo {
  authenticated: boolean;
  user: string | null;
  role: RoleName | null;
  /** The session's token: only in the login and setup answers (null everywhere else). */
  csrfToken: string | null;
  /** This page is served by the loopback kiosk listener: read-only, no login. */
  kiosk: boolean;
  /** No admin exists yet: the setup code shown on the device screen is the only way in. */
  setupRequired: boolean;
  /** Set when this listener serves plain HTTP off loopback. */
  transportWarning: string | null;
}

export interface UserInfo {
  username: string;
  role: RoleName;
  createdAt: number;
  passwordChangedAt: number;
  disabled: boolean;
}

export interface AuditRecordInfo {
  id: number;
  time: number;
  actor: string;
  role: string;
  address: string;
  action: string;
  target: string;
  outcome: 'success' | 'failure' | 'denied';
  detail: Record<string, unknown>;
  hash: string;
}

/** The chain's state as the Audit page shows it (docs/security.md, "Audit log"). */
export interface AuditVerification {
  /** Every record checked so far fits; false names the first that does not. */
  ok: boolean;
  /** The last record verified (incrementally, from the last full walk's checkpoint). */
  checkedThrough: number;
  /** When the last full walk ended (it runs at start and hourly), and how many records it checked. */
  fullCheckAt: number | null;
  records: number;
  badId?: number;
  problem?: string;
}

/** GET /api/v1/audit: newest first; `next` is the `before` of the following page, null at the end. */
export interface AuditPage {
  records: AuditRecordInfo[];
  next: number | null;
  verified: AuditVerification;
}

export interface KioskInfo {
  /** Where technicians should point their browser. */
  urls: { url: string; address: string; family: 'IPv4' | 'IPv6'; interface: string }[];
  hostname: string;
  /** SHA-256 fingerprint of the TLS certificate, colon-separated hex. */
  fingerprint: string | null;
  tls: boolean;
  /** Present only while first-start setup is open. */
  setupCode: string | null;
  /** Why there are no URLs (for example: listening on loopback only). */
  note: string | null;
}
