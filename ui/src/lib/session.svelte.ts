// Who is using this page: loading, logged out (maybe with the reason the last session ended), in
// first-start setup, logged in, or the kiosk. Owns the session's token: the login answer is the only
// place the daemon ever hands it out, so the page keeps it in localStorage, which browsers scope to
// scheme, host and port (cookies ignore the port, so another service on the device gets the cookie,
// never this). A reload or a new tab of this origin finds it there; logout and a session that the
// daemon no longer knows clear it. The token goes to the API client and into the feed handshake.
import { FEED_PROTOCOL, FEED_TOKEN_PROTOCOL_PREFIX, SESSION_TOKEN_STORAGE_KEY, type RoleName, type SessionInfo } from '@protocol';
import { ApiError, type ApiClient } from './api.ts';

export type SessionPhase = 'loading' | 'anonymous' | 'setup' | 'authenticated' | 'kiosk' | 'unreachable';

const ORDER: RoleName[] = ['viewer', 'operator', 'admin'];

/** Where the token is kept; tests hand in a map. */
export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export function browserTokenStore(storage: Storage = localStorage): TokenStore {
  return {
    get: () => storage.getItem(SESSION_TOKEN_STORAGE_KEY),
    set: (token) => (token === null ? storage.removeItem(SESSION_TOKEN_STORAGE_KEY) : storage.setItem(SESSION_TOKEN_STORAGE_KEY, token)),
  };
}

export class SessionManager {
  #phase = $state<SessionPhase>('loading');
  #info = $state.raw<SessionInfo | null>(null);
  #endedReason = $state<string | null>(null);
  readonly #api: ApiClient;
  readonly #tokens: TokenStore;

  constructor(api: ApiClient, tokens: TokenStore = browserTokenStore()) {
    this.#api = api;
    this.#tokens = tokens;
    this.#api.csrfToken = tokens.get();
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

  /** The feed's subprotocols: its own first (the daemon answers with it), then the token, if any. */
  feedProtocols(): string[] {
    const token = this.#api.csrfToken;
    return token ? [FEED_PROTOCOL, `${FEED_TOKEN_PROTOCOL_PREFIX}${token}`] : [FEED_PROTOCOL];
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

  /** Follows logins and logouts in other tabs of this origin (they share the token). */
  listen(target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window): () => void {
    const onStorage = (event: StorageEvent) => {
      if (event.key !== SESSION_TOKEN_STORAGE_KEY && event.key !== null) return;
      this.#api.csrfToken = this.#tokens.get();
      void this.load();
    };
    target.addEventListener('storage', onStorage);
    return () => target.removeEventListener('storage', onStorage);
  }

  #apply(info: SessionInfo): void {
    this.#info = info;
    // Only a login or setup answer carries the token; any answer that is not a user's session means
    // the kept token is dead (logged out, expired, or the kiosk).
    const token = info.csrfToken ?? (info.authenticated && !info.kiosk ? this.#api.csrfToken : null);
    if (token !== this.#tokens.get()) this.#tokens.set(token);
    this.#api.csrfToken = token;
    this.#phase = info.kiosk ? 'kiosk' : info.authenticated ? 'authenticated' : info.setupRequired ? 'setup' : 'anonymous';
  }
}
