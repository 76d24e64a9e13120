// Session and first-start setup routes. Login and setup are public but same-origin only; logout
// needs the session's token like every other change. Only login and setup answers carry the token.
import { z } from 'zod';
import { parseBody, type RouteSpec } from '../http/index.ts';
import type { SessionInfo } from '../protocol/auth.ts';
import { principalOf, requestContext } from './guard.ts';
import { clearedSessionCookie, sessionCookie } from './request-checks.ts';
import type { AuthService, LoginResult } from './service.ts';
import type { Role } from './roles.ts';

export interface SessionRouteDeps {
  auth: AuthService;
  secure: boolean;
  /** Shown to the UI so it can warn about plain HTTP off loopback. */
  transportWarning: string | null;
}

const loginBody = z.object({ username: z.string().min(1).max(256), password: z.string().min(1).max(4096) }).strict();
const setupBody = z.object({ code: z.string().min(1).max(64), username: z.string().min(1).max(256), password: z.string().min(1).max(4096) }).strict();
const passwordBody = z.object({ currentPassword: z.string().min(1).max(4096), newPassword: z.string().min(1).max(4096) }).strict();

export function sessionRoutes(deps: SessionRouteDeps): RouteSpec[] {
  const { auth, secure } = deps;
  const loggedIn = (user: string, role: Role, csrfToken: string | null): SessionInfo => ({
    authenticated: true,
    user,
    role,
    csrfToken,
    kiosk: false,
    setupRequired: false,
    transportWarning: deps.transportWarning,
  });
  // The only answers that carry the session's token: the page keeps it (session-binding.ts).
  const answerLogin = (result: LoginResult) => loggedIn(result.user.username, result.user.role, result.token);

  return [
    {
      method: 'GET',
      path: '/api/v1/session',
      policy: 'public',
      kiosk: true,
      summary: 'who you are (or that you are not logged in), and whether first-start setup is open',
      handler: (_req, res) => {
        const principal = principalOf(res);
        const info: SessionInfo =
          principal.kind === 'user'
            ? loggedIn(principal.username, principal.role, null)
            : { authenticated: principal.kind === 'kiosk', user: null, role: principal.kind === 'kiosk' ? 'viewer' : null, csrfToken: null, kiosk: principal.kind === 'kiosk', setupRequired: auth.setupOpen, transportWarning: deps.transportWarning };
        res.setHeader('Cache-Control', 'no-store');
        res.json(info);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/session',
      policy: 'public',
      audit: 'self',
      summary: 'log in with {username, password}',
      handler: async (req, res) => {
        const body = parseBody(loginBody, req.body);
        const result = await auth.login(body.username, body.password, requestContext(req));
        res.setHeader('Set-Cookie', sessionCookie(secure, result.sessionId));
        res.setHeader('Cache-Control', 'no-store');
        res.json(answerLogin(result));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/session',
      policy: 'viewer',
      audit: 'self',
      summary: 'log out: ends the session and closes its live sockets',
      handler: (req, res) => {
        auth.logout(principalOf(res), requestContext(req));
        res.setHeader('Set-Cookie', clearedSessionCookie(secure));
        res.status(204).end();
      },
    },
    {
      method: 'PUT',
      path: '/api/v1/session/password',
      policy: 'viewer',
      audit: 'self',
      summary: 'change your own password with {currentPassword, newPassword}; ends your sessions',
      handler: async (req, res) => {
        const body = parseBody(passwordBody, req.body);
        await auth.changeOwnPassword(principalOf(res), body.currentPassword, body.newPassword, requestContext(req));
        res.setHeader('Set-Cookie', clearedSessionCookie(secure));
        res.status(204).end();
      },
    },
    {
      method: 'GET',
      path: '/api/v1/setup',
      policy: 'public',
      summary: 'whether first-start setup is open',
      handler: (_req, res) => void res.json({ required: auth.setupOpen }),
    },
    {
      method: 'POST',
      path: '/api/v1/setup',
      policy: 'public',
      audit: 'self',
      summary: 'create the first admin with {code, username, password}; the code then dies',
      handler: async (req, res) => {
        const body = parseBody(setupBody, req.body);
        const result = await auth.completeSetup(body.code, body.username, body.password, requestContext(req));
        res.setHeader('Set-Cookie', sessionCookie(secure, result.sessionId));
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json(answerLogin(result));
      },
    },
  ];
}
