import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '@protocol';
import { ApiClient } from './api.ts';
import { SessionManager, type TokenStore } from './session.svelte.ts';

const anonymous: SessionInfo = { authenticated: false, user: null, role: null, csrfToken: null, kiosk: false, setupRequired: false, transportWarning: null };
const loggedIn = (csrfToken: string | null): SessionInfo => ({ ...anonymous, authenticated: true, user: 'ada', role: 'admin', csrfToken });

function memoryStore(initial: string | null = null): TokenStore & { value: string | null } {
  return {
    value: initial,
    get() {
      return this.value;
    },
    set(token) {
      this.value = token;
    },
  };
}

/** A daemon stand-in: answers GET /session from `who`, records the token each request carried. */
function fakeDaemon(who: () => SessionInfo) {
  const sent: { method: string; path: string; token: string | null }[] = [];
  const api = new ApiClient(async (input, init) => {
    const path = String(input);
    const method = init?.method ?? 'GET';
    sent.push({ method, path, token: new Headers(init?.headers).get('x-csrf-token') });
    const body = path === '/api/v1/session' && method === 'POST' ? loggedIn('t-from-login') : path === '/api/v1/session' ? who() : {};
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  return { api, sent };
}

describe('SessionManager and the session token', () => {
  it('keeps the token from the login answer and sends it on every request, reads included', async () => {
    const { api, sent } = fakeDaemon(() => loggedIn(null));
    const store = memoryStore();
    const session = new SessionManager(api, store);
    await session.login('ada', 'pw');
    expect(store.value).toBe('t-from-login');
    await api.get('/api/v1/users');
    await api.post('/api/v1/users', {});
    expect(sent.slice(1).map((r) => r.token)).toEqual(['t-from-login', 't-from-login']);
    expect(session.feedProtocols()).toEqual(['outpost.feed.v1', 'outpost.token.t-from-login']);
  });

  it('picks the token up from storage after a reload, and keeps it when the daemon confirms the session', async () => {
    const { api, sent } = fakeDaemon(() => loggedIn(null));
    const store = memoryStore('t-kept');
    const session = new SessionManager(api, store);
    await session.load();
    expect(sent[0]).toEqual({ method: 'GET', path: '/api/v1/session', token: 't-kept' });
    expect(session.phase).toBe('authenticated');
    expect(store.value).toBe('t-kept');
  });

  it('forgets a token the daemon no longer honours', async () => {
    const { api } = fakeDaemon(() => anonymous);
    const store = memoryStore('t-dead');
    const session = new SessionManager(api, store);
    await session.load();
    expect(session.phase).toBe('anonymous');
    expect(store.value).toBeNull();
    expect(session.feedProtocols()).toEqual(['outpost.feed.v1']);
  });
});
