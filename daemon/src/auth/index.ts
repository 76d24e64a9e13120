// Access control: users, roles, sessions, login throttling, first-start setup, request checks.
export { AuthService, type LoginResult } from './service.ts';
export { UserStore, type User } from './users.ts';
export { SessionStore, hashSessionId, type Session, type EndReason } from './sessions.ts';
export { LoginAttempts } from './login-attempts.ts';
export { SessionSockets } from './session-sockets.ts';
export { SetupGate, newSetupCode } from './setup-gate.ts';
export { HostAllowList } from './host-allow-list.ts';
export { policyGuard, resolvePrincipal, requestActor, requestContext, principalOf, type GuardDeps, type Listener } from './guard.ts';
export { sessionRoutes } from './routes.ts';
export { userRoutes, toUserInfo } from './user-routes.ts';
export { kioskRoutes, connectUrls, servedOnKiosk, servedOnMain } from './kiosk-routes.ts';
export { feedAccess } from './feed-access.ts';
export { hashPassword, verifyPassword, DEFAULT_SCRYPT } from './passwords.ts';
export { ROLES, isRole, roleAtLeast, passwordProblem, usernameProblem, type Role } from './roles.ts';
export { isHostAllowed, isSameOrigin, isLoopbackAddress, hostnameOf } from './request-checks.ts';
export type { Principal, RequestContext } from './principal.ts';
export { actorName, roleOf } from './principal.ts';
