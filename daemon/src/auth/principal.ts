// Who is calling: a logged-in user, the kiosk screen, a metrics scraper, or nobody.
import type { Role } from './roles.ts';
import type { Session } from './sessions.ts';

export type UserPrincipal = { kind: 'user'; userId: number; username: string; role: Role; session: Session };

export type Principal =
  | UserPrincipal
  | { kind: 'kiosk'; role: 'viewer' }
  | { kind: 'scraper'; role: 'viewer' }
  | { kind: 'anonymous' };

export interface RequestContext {
  address: string;
  userAgent: string;
}

/** The client's address as the session and the audit record it (IPv4-mapped IPv6 unwrapped). */
export function clientAddress(remoteAddress: string | undefined): string {
  return (remoteAddress ?? '-').replace(/^::ffff:/, '');
}

export function actorName(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
      return principal.username;
    case 'kiosk':
      return 'kiosk';
    case 'scraper':
      return 'scraper';
    case 'anonymous':
      return 'anonymous';
  }
}

export function roleOf(principal: Principal): string {
  return principal.kind === 'anonymous' ? '-' : principal.role;
}
