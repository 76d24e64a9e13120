// User management for admins. Each change is audited by the service with its target and outcome.
import { z } from 'zod';
import { parseBody, type RouteSpec } from '../http/index.ts';
import type { UserInfo } from '../protocol/auth.ts';
import { principalOf, requestContext } from './guard.ts';
import { ROLES } from './roles.ts';
import type { AuthService } from './service.ts';
import type { User } from './users.ts';

const createBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(4096), role: z.enum(ROLES) }).strict();
const updateBody = z
  .object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.disabled !== undefined, { error: 'say what to change: role or disabled' });
const passwordBody = z.object({ password: z.string().min(1).max(4096) }).strict();

export function toUserInfo(user: User): UserInfo {
  return { username: user.username, role: user.role, createdAt: user.createdAt, passwordChangedAt: user.passwordChangedAt, disabled: user.disabledAt !== null };
}

export function userRoutes(auth: AuthService): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/users',
      policy: 'admin',
      summary: 'list users',
      handler: (_req, res) => void res.json({ users: auth.listUsers().map(toUserInfo) }),
    },
    {
      method: 'POST',
      path: '/api/v1/users',
      policy: 'admin',
      audit: 'self',
      summary: 'create a user with {username, password, role}',
      handler: async (req, res) => {
        const body = parseBody(createBody, req.body);
        const user = await auth.createUser(principalOf(res), body, requestContext(req));
        res.status(201).json(toUserInfo(user));
      },
    },
    {
      method: 'PATCH',
      path: '/api/v1/users/:username',
      policy: 'admin',
      audit: 'self',
      summary: 'change a user’s role or disable/enable them; disabling ends their sessions',
      handler: async (req, res) => {
        const body = parseBody(updateBody, req.body);
        const user = await auth.update(principalOf(res), String(req.params.username), body, requestContext(req));
        res.json(toUserInfo(user));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/users/:username/password',
      policy: 'admin',
      audit: 'self',
      summary: 'set a user’s password with {password}; ends their sessions',
      handler: async (req, res) => {
        const body = parseBody(passwordBody, req.body);
        await auth.setPassword(principalOf(res), String(req.params.username), body.password, requestContext(req));
        res.status(204).end();
      },
    },
  ];
}
