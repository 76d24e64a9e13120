import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../lib/api.ts';
import { IdentifyManager } from './identify-manager.svelte.ts';

function recordingApi(answer: { status: number; body: unknown }): { api: ApiClient; sent: { url: string; method: string; headers: Headers; body: unknown }[] } {
  const sent: { url: string; method: string; headers: Headers; body: unknown }[] = [];
  const api = new ApiClient(async (input, init) => {
    sent.push({ url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: JSON.parse(String(init?.body ?? 'null')) });
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' } });
  });
  return { api, sent };
}

describe('identify manager', () => {
  it('posts through the API client with the session\'s CSRF token and keeps the deadline', async () => {
    const { api, sent } = recordingApi({ status: 200, body: { until: 1234 } });
    api.csrfToken = 'csrf-abc';
    const manager = new IdentifyManager(api);
    await manager.identify(30);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ url: '/api/v1/identify', method: 'POST', body: { seconds: 30 } });
    expect(sent[0]?.headers.get('x-csrf-token')).toBe('csrf-abc');
    expect(manager.until).toBe(1234);
    expect(manager.error).toBeNull();
    expect(manager.busy).toBe(false);
  });

  it('shows the daemon\'s reason when it refuses', async () => {
    const { api } = recordingApi({ status: 403, body: { code: 'forbidden', status: 403, title: 'Forbidden', detail: 'this needs the operator role' } });
    const manager = new IdentifyManager(api);
    await manager.identify();
    expect(manager.error).toBe('this needs the operator role');
    expect(manager.until).toBeNull();
  });
});
