import { describe, expect, it } from 'vitest';
import type { UserInfo } from '@protocol';
import { ApiClient } from '../../lib/api.ts';
import { UsersManager } from './users-manager.svelte.ts';

const vera: UserInfo = { username: 'vera', role: 'viewer', createdAt: 0, passwordChangedAt: 0, disabled: false };

function fakeApi(answers: { status: number; body: unknown }[]) {
  const sent: { method: string; url: string; body: unknown; csrf: string | null }[] = [];
  const api = new ApiClient(async (input, init) => {
    sent.push({ method: String(init?.method), url: String(input), body: JSON.parse(String(init?.body ?? 'null')), csrf: new Headers(init?.headers).get('x-csrf-token') });
    const answer = answers.shift() ?? { status: 200, body: { users: [vera] } };
    if (answer.status === 204) return new Response(null, { status: 204 });
    const type = answer.status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': type } });
  });
  api.csrfToken = 'token-1';
  return { api, sent };
}

describe('users manager', () => {
  it('sets a password only after the dialog is confirmed, with the CSRF token, then says so once', async () => {
    const { api, sent } = fakeApi([{ status: 204, body: null }]);
    const users = new UsersManager(api);
    users.askPassword(vera);
    expect(users.asking).toEqual({ kind: 'password', user: vera });
    expect(sent).toEqual([]);
    await users.confirm('a long new password');
    expect(sent[0]).toEqual({ method: 'POST', url: '/api/v1/users/vera/password', body: { password: 'a long new password' }, csrf: 'token-1' });
    expect(users.asking).toBeNull();
    expect(users.notice).toBe('password of vera set; their sessions ended');
    expect(users.error).toBeNull();
  });

  it('keeps the dialog open with a field problem at its field and no second copy as an error line', async () => {
    const short = 'a password needs at least 10 characters';
    const { api } = fakeApi([{ status: 400, body: { code: 'validation_failed', status: 400, title: 'x', detail: short, errors: [{ path: 'password', message: short }] } }]);
    const users = new UsersManager(api);
    users.askPassword(vera);
    await users.confirm('short');
    expect(users.asking).not.toBeNull();
    expect(users.fieldErrors).toEqual({ password: 'a password needs at least 10 characters' });
    expect(users.error).toBeNull();
    users.cancel();
    expect(users.fieldErrors).toEqual({});
  });

  it('disables after confirmation and shows the server\'s refusal once', async () => {
    const { api, sent } = fakeApi([{ status: 400, body: { code: 'validation_failed', status: 400, title: 'x', detail: 'this is the last enabled admin; create another admin first' } }]);
    const users = new UsersManager(api);
    users.askDisable(vera);
    await users.confirm();
    expect(sent[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/users/vera', body: { disabled: true } });
    expect(users.error).toBe('this is the last enabled admin; create another admin first');
    expect(users.fieldErrors).toEqual({});
  });

  it('adds a user and reloads the list', async () => {
    const { api, sent } = fakeApi([{ status: 201, body: vera }, { status: 200, body: { users: [vera] } }]);
    const users = new UsersManager(api);
    expect(await users.create('vera', 'a long password', 'viewer')).toBe(true);
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /api/v1/users', 'GET /api/v1/users']);
    expect(users.users).toEqual([vera]);
    expect(users.notice).toBe('added vera as viewer');
  });
});
