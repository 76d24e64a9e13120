// Bodies of the session, user and audit API.

export type RoleName = 'viewer' | 'operator' | 'admin';

export interface SessionInfo {
  authenticated: boolean;
  user: string | null;
  role: RoleName | null;
  /** Send back as the X-CSRF-Token header on every change. */
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
