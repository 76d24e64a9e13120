// JSON bodies of the HTTP API under /api/v1.

export interface VersionInfo {
  name: 'outpost';
  version: string;
  node: string;
  protocol: string;
  platform: string;
  arch: string;
}

export type CheckStatus = 'ok' | 'failing';

export interface ReadinessCheck {
  name: string;
  status: CheckStatus;
  /** Whether a failing check makes the daemon not ready. */
  required: boolean;
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
}
