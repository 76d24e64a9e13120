// What makes a request the session's own. Browsers send a cookie to every port of its host, so any
// other service on the device's address that a logged-in user opens receives the session cookie. A
// cookie therefore proves nothing alone: a request acts for the session only when it also
//   - comes from the client address the session logged in from, and
//   - carries the session's token: handed to the page once, in the login answer, kept in the
//     page's origin-scoped storage (per scheme, host and port, unlike cookies) and sent back as the
//     `X-CSRF-Token` header, or, for the feed (a browser WebSocket cannot set headers), as the
//     subprotocol `outpost.token.<token>` after `outpost.feed.v1`.
// Nothing ever hands the token out again: GET /api/v1/session answers a cookie alone as anonymous.
import { timingSafeEqual } from 'node:crypto';
import { FEED_TOKEN_PROTOCOL_PREFIX, SESSION_TOKEN_HEADER as HEADER } from '../protocol/auth.ts';
import { hashSessionId, type Session } from './sessions.ts';

/** Node lower-cases incoming header names. */
export const SESSION_TOKEN_HEADER = HEADER.toLowerCase();
const FEED_TOKEN_PREFIX = FEED_TOKEN_PROTOCOL_PREFIX;

/** How a cookie's session relates to the request that presented it. */
export type Binding = 'bound' | 'other-address' | 'no-token';

/** The token offered among a WebSocket handshake's subprotocols, if any. */
export function tokenFromProtocols(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return undefined;
  for (const part of value.split(',')) {
    const protocol = part.trim();
    if (protocol.startsWith(FEED_TOKEN_PREFIX)) return protocol.slice(FEED_TOKEN_PREFIX.length);
  }
  return undefined;
}

/** The token sent in the header (one value; anything else counts as none). */
export function tokenFromHeader(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && header.length > 0 && header.length <= 128 ? header : undefined;
}

function tokenMatches(session: Session, token: string | undefined): boolean {
  if (token === undefined || token.length > 128) return false;
  const sent = Buffer.from(hashSessionId(token), 'hex');
  const kept = Buffer.from(session.tokenHash, 'hex');
  return sent.length === kept.length && timingSafeEqual(sent, kept);
}

export function bindingOf(session: Session, address: string, token: string | undefined): Binding {
  if (session.address !== address) return 'other-address';
  return tokenMatches(session, token) ? 'bound' : 'no-token';
}
