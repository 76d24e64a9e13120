// Who is using this page: loading, logged out (maybe with the reason the last session ended), in
// first-start setup, logged in, or the kiosk. Owns the CSRF token handed to the API client.
import type { RoleName, SessionInfo } from '@protocol';
import { ApiError, type ApiClient } from './api.ts';

export type SessionPhase = 'loading' | 'anonymous' | 'setup' | 'authenticated' | 'kiosk' | 'unreachable';

const ORDER: RoleName[] = ['viewer', 'operator', 'admin'];

export class SessionManager {
  #phase = $state<SessionPhase>('loading');
  #info = $state.raw<SessionInfo | null>(null);
  #endedReason = $state<string | null>(null);
  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  get phase(): SessionPhase {
    return this.#phase;
  }
  get user(): string | null {
    return this.#info?.user ?? null;
  }
  get role(): RoleName | null {
    return this.#info?.role ?? null;
  }
  get transportWarning(): string | null {
    return this.#info?.transportWarning ?? null;
  }
  /** Why the last session ended (shown on the login page), if it ended while the page was open. */
  get endedReason(): string | null {
    return this.#endedReason;
  }

  can(role: RoleName): boolean {
    const mine = this.role;
    return mine !== null && ORDER.indexOf(mine) >= ORDER.indexOf(role);
  }

  async load(): Promise<void> {
    try {
      this.#apply(await this.#api.get<SessionInfo>('/api/v1/session'));
    } catch (error) {
      if (this.#phase === 'loading') this.#phase = 'unreachable';
      if (!(error instanceof ApiError)) throw error;
    }
  }

  async login(username: string, password: string): Promise<void> {
    this.#apply(await this.#api.post<SessionInfo>('/api/v1/session', { username, password }));
    this.#endedReason = null;
  }

  async setup(code: string, username: string, password: string): Promise<void> {
    this.#apply(await this.#api.post<SessionInfo>('/api/v1/setup', { code, username, password }));
    this.#endedReason = null;
  }

  async logout(): Promise<void> {
    try {
      await this.#api.delete('/api/v1/session');
    } finally {
      this.#endedReason = 'logged out';
      await this.load();
    }
  }

  /**
   * The session may be over (feed closed with 4001, a call answered 401, the feed keeps failing):
   * ask the server. The reason is shown only when the server confirms the session is gone; a daemon
   * that did not answer, or still knows the session, leaves no stale notice for a later login page.
   */
  async ended(reason: string): Promise<void> {
    if (this.#phase !== 'authenticated') return;
    await this.load();
    if (this.#phase !== 'authenticated') this.#endedReason = reason;
  }

  #apply(info: SessionInfo): void {
    this.#info = info;
    this.#api.csrfToken = info.csrfToken;
    this.#phase = info.kiosk ? 'kiosk' : info.authenticated ? 'authenticated' : info.setupRequired ? 'setup' : 'anonymous';
  }
}
