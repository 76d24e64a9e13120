// Pure checks on request headers: Host allow-list (DNS rebinding), same-origin, cookies.

/** The host name of a Host header, lower-cased, without port or IPv6 brackets; null if malformed. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (!hostHeader || hostHeader.length > 300) return null;
  const value = hostHeader.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+(?:%[0-9a-z._~-]+)?)\](?::\d{1,5})?$/.exec(value);
  if (v6) return v6[1]!;
  const named = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(value);
  return named ? named[1]!.replace(/\.$/, '') : null;
}

export function isHostAllowed(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostnameOf(hostHeader);
  return name !== null && allowed.has(name);
}

/** The origin a page served under this Host header has, as a browser spells it in `Origin`. */
export function ownOrigin(secure: boolean, hostHeader: string): string {
  return `${secure ? 'https' : 'http'}://${hostHeader}`;
}

/**
 * Whether a state-changing request comes from our own page: Origin equal to our origin, or, when a
 * browser sent no Origin, `Sec-Fetch-Site: same-origin`. Requests with neither are refused.
 * The comparison is on the exact string: a browser serialises an origin one way only, so any other
 * spelling (a trailing slash, upper case, userinfo, a numeric or octal host) is not our page, and
 * no URL parser gets the chance to fold it into ours. The Host header is already allow-listed.
 */
export function isSameOrigin(headers: { origin?: string; 'sec-fetch-site'?: string; host?: string }, secure: boolean): boolean {
  if (!headers.host) return false;
  if (headers.origin !== undefined) return headers.origin === ownOrigin(secure, headers.host);
  return headers['sec-fetch-site'] === 'same-origin';
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-outpost_session' : 'outpost_session';
}

export function sessionCookie(secure: boolean, value: string): string {
  return `${sessionCookieName(secure)}=${value}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${sessionCookieName(secure)}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^::ffff:/, '');
  return a === '::1' || a === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}
