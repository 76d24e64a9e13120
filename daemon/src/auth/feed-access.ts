// The feed handshake's checks, before the upgrade completes: an allowed Host, an Origin equal to the
// page's own origin (another port on the same address is another origin), and a live session bound
// to this client — or the kiosk listener's read-only principal. Topics are filtered by the role each
// declares; on the kiosk listener only topics marked `kiosk: true` exist (the hello lists no other, a
// subscribe to any other is answered `feed_unknown_topic`).
import type { IncomingMessage } from 'node:http';
import type { FeedHub, UpgradeDecision } from '../feed/index.ts';
import { isHostAllowed, isSameOrigin } from './request-checks.ts';
import { clientAddress } from './principal.ts';
import { tokenFromProtocols } from './session-binding.ts';
import { sessionCallerOf } from './guard.ts';
import { countReplay } from './guard-audit.ts';
import type { AuditAggregator } from '../audit/index.ts';
import { roleAtLeast, type Role } from './roles.ts';
import type { AuthService } from './service.ts';
import type { SessionSockets } from './session-sockets.ts';
import type { Listener } from './guard.ts';

export interface FeedAccessDeps {
  auth: AuthService;
  sockets: SessionSockets;
  hub: FeedHub;
  listener: Listener;
  secure: boolean;
  allowedHosts: () => ReadonlySet<string>;
  /** Where a cookie replayed from another address is counted, as on HTTP routes. */
  counted?: AuditAggregator;
}

export function feedAccess(deps: FeedAccessDeps): (req: IncomingMessage) => UpgradeDecision {
  const mayAccessAs = (role: Role) => (topic: string) => {
    const policy = deps.hub.policyOf(topic);
    return policy !== undefined && roleAtLeast(role, policy);
  };
  const kioskMayAccess = (topic: string) => {
    const access = deps.hub.accessOf(topic);
    return access?.kiosk === true && roleAtLeast('viewer', access.policy);
  };
  return (req) => {
    if (!isHostAllowed(req.headers.host, deps.allowedHosts())) return { ok: false, status: 403 };
    const origin = req.headers.origin;
    if (origin !== undefined && !isSameOrigin({ origin, host: req.headers.host }, deps.secure)) return { ok: false, status: 403 };
    if (deps.listener === 'kiosk') return { ok: true, mayAccess: kioskMayAccess };

    // The session's address and token too (session-binding.ts): the token rides in a subprotocol.
    const token = tokenFromProtocols(req.headers['sec-websocket-protocol']);
    const address = clientAddress(req.socket.remoteAddress);
    const caller = sessionCallerOf(deps.auth, deps.secure, { cookieHeader: req.headers.cookie, address, token });
    if (caller.binding === 'other-address' && deps.counted) countReplay(deps.counted, caller, address);
    const principal = caller.principal;
    if (principal.kind !== 'user') return { ok: false, status: 401 };
    const idHash = principal.session.idHash;
    return { ok: true, mayAccess: mayAccessAs(principal.role), owner: idHash, onOpen: (close) => deps.sockets.add(idHash, close) };
  };
}
