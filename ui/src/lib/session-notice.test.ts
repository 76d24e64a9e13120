import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '@protocol';
import { ApiClient } from './api.ts';
import { SessionManager, type TokenStore } from './session.svelte.ts';

const anonymous: SessionInfo = { authenticated: false, setupRequired: false, kiosk: false, user: null, role: null, csrfToken: null, transportWarning: null };
const tech: SessionInfo = { ...anonymous, authenticated: true, user: 'tech', role: 'operator', csrfToken: 't1' };

/** A device that answers GET /api/v1/session with `state.session`, or not at all while `state.down`. */
function device(initial: SessionInfo) {
  const state = { session: initial, down: false };
  const api = new ApiClient(async (input, init) => {
    if (state.down) throw new TypeError('Failed to fetch');
    if (String(input) === '/api/v1/session' && init?.method === 'POST') state.session = tech;
    return new Response(JSON.stringify(state.session), { status: 200, headers: { 'content-type': 'application/json' } });
  });
  let kept: string | null = null;
  const tokens: TokenStore = { get: () => kept, set: (token) => (kept = token) };
  return { state, session: new SessionManager(api, tokens) };
}

describe('session manager: why a session ended', () => {
  it('shows why a session ended only when the server confirms it is gone', async () => {
    const { state, session } = device(tech);
    await session.load();
    state.down = true;
    await session.ended('session expired');
    expect(session.phase).toBe('authenticated');
    expect(session.endedReason).toBeNull();
    state.down = false;
    await session.ended('session expired');
    expect(session.endedReason).toBeNull();
    state.session = anonymous;
    await session.ended('session expired');
    expect(session.phase).toBe('anonymous');
    expect(session.endedReason).toBe('session expired');
  });

  it('clears the notice at the next login, so it never shows after one', async () => {
    const { state, session } = device(tech);
    await session.load();
    state.session = anonymous;
    await session.ended('session expired');
    await session.login('tech', 'a long password');
    expect(session.phase).toBe('authenticated');
    expect(session.endedReason).toBeNull();
    // A feed retry that still fires after the new login must not bring the old notice back.
    await session.ended('session expired');
    expect(session.endedReason).toBeNull();
  });
});
