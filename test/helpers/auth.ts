// Users and sessions for tests: users are written straight into the daemon's database (as the CLI
// does), sessions are made through the real login route.
import { hashPassword } from '../../daemon/src/auth/passwords.ts';
import { UserStore } from '../../daemon/src/auth/users.ts';
import type { Role } from '../../daemon/src/auth/roles.ts';
import { openDatabase } from '../../daemon/src/store/index.ts';
import { FEED_TOKEN_PROTOCOL_PREFIX } from '../../daemon/src/protocol/auth.ts';
import { FEED_PROTOCOL } from '../../daemon/src/protocol/feed.ts';

export const TEST_PASSWORD = 'correct horse battery';

/** Cheap scrypt parameters: tests create many users; the real parameters are tested on their own. */
const FAST = { N: 1024, r: 8, p: 1, keyLength: 32, saltLength: 16 };

export async function createUser(home: string, username: string, role: Role, password = TEST_PASSWORD): Promise<void> {
  const db = openDatabase(home);
  try {
    new UserStore(db).create(username, role, await hashPassword(password, FAST));
  } finally {
    db.close();
  }
}

export interface TestSession {
  cookie: string;
  /** The session token the login handed to the page (sent as X-CSRF-Token on every request). */
  csrfToken: string;
  origin: string;
  /** Headers for a same-origin change: cookie, Origin, CSRF token, JSON. */
  headers(extra?: Record<string, string>): Record<string, string>;
  /** Headers for a read: the cookie and the session token (a cookie alone is worth nothing). */
  auth(extra?: Record<string, string>): Record<string, string>;
  /** Handshake options for the feed: the cookie, our Origin, the token in a subprotocol. */
  feed(): { headers: Record<string, string>; protocols: string[] };
}

/** The subprotocols a page offers: the feed's own first (the server picks it), then the token. */
export function feedProtocols(token: string): string[] {
  return [FEED_PROTOCOL, `${FEED_TOKEN_PROTOCOL_PREFIX}${token}`];
}

export async function login(baseUrl: string, username: string, password = TEST_PASSWORD): Promise<TestSession> {
  const origin = new URL(baseUrl).origin;
  const res = await fetch(new URL('/api/v1/session', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const body = (await res.json()) as { csrfToken: string };
  return {
    cookie,
    csrfToken: body.csrfToken,
    origin,
    headers: (extra = {}) => ({ cookie, origin, 'x-csrf-token': body.csrfToken, 'content-type': 'application/json', ...extra }),
    auth: (extra = {}) => ({ cookie, 'x-csrf-token': body.csrfToken, ...extra }),
    feed: () => ({ headers: { cookie, origin }, protocols: feedProtocols(body.csrfToken) }),
  };
}

export async function userSession(home: string, baseUrl: string, username: string, role: Role): Promise<TestSession> {
  await createUser(home, username, role);
  return login(baseUrl, username);
}
