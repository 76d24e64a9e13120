import { describe, expect, it } from 'vitest';
import { ApiClient } from '../../lib/api.ts';
import { RestartManager, type RestartTarget } from './restart-manager.svelte.ts';

function fakeApi(answers: { status: number; body: unknown }[]): { api: ApiClient; sent: { url: string; body: unknown }[] } {
  const sent: { url: string; body: unknown }[] = [];
  const api = new ApiClient(async (input, init) => {
    sent.push({ url: String(input), body: JSON.parse(String(init?.body ?? 'null')) });
    const answer = answers.shift() ?? { status: 500, body: {} };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' } });
  });
  return { api, sent };
}

const pod: RestartTarget = { namespace: 'ingest', kind: 'pod', name: 'lonely', key: 'ingest/pod/lonely', recreated: true };
const accepted = { status: 202, body: { action: { id: 'a1', target: 'ingest/pod/lonely', action: 'delete-pod', actor: 'otto', phase: 'accepted', message: '', startedAt: 0, updatedAt: 0 } } };

describe('restart manager', () => {
  it('asks again with the warning when the API says nothing recreates the pod, then confirms', async () => {
    const { api, sent } = fakeApi([{ status: 409, body: { code: 'pod_not_recreated', status: 409, title: 'x', detail: 'pod ingest/lonely has no controller' } }, accepted]);
    const manager = new RestartManager(api);
    manager.ask(pod);
    expect(manager.warning).toBeNull();
    await manager.confirm();
    expect(manager.asking).toEqual(pod);
    expect(manager.warning).toContain('no controller');
    await manager.confirm();
    expect(sent.map((s) => s.body)).toEqual([{ confirm: false }, { confirm: true }]);
    expect(sent[0]?.url).toBe('/api/v1/workloads/ingest/pod/lonely/restart');
    expect(manager.asking).toBeNull();
    expect(manager.lastActionId).toBe('a1');
  });

  it('warns up front for a pod known to have no controller, and keeps the dialog open on other errors', async () => {
    const { api } = fakeApi([{ status: 502, body: { code: 'cluster_forbidden', status: 502, title: 'x', detail: 'the cluster refused' } }]);
    const manager = new RestartManager(api);
    manager.ask({ ...pod, recreated: false });
    expect(manager.warning).toMatch(/deletes it for good/);
    await manager.confirm();
    expect(manager.error).toBe('the cluster refused');
    expect(manager.asking).not.toBeNull();
  });

  it('sends the session\'s CSRF token with the restart', async () => {
    const headers: Headers[] = [];
    const api = new ApiClient(async (_input, init) => {
      headers.push(new Headers(init?.headers));
      return new Response(JSON.stringify(accepted.body), { status: 202, headers: { 'content-type': 'application/json' } });
    });
    api.csrfToken = 'token-1';
    const manager = new RestartManager(api);
    manager.ask(pod);
    await manager.confirm();
    expect(headers[0]?.get('x-csrf-token')).toBe('token-1');
  });

  it('blocks restarts while the cluster API does not answer, and says why', async () => {
    const { api, sent } = fakeApi([accepted]);
    let state: 'unreachable' | 'connected' = 'unreachable';
    const manager = new RestartManager(api, () => ({ state, since: 0, lastError: null, source: 'k3s', server: null }));
    expect(manager.blocked).toMatch(/not answering/);
    manager.ask(pod);
    await manager.confirm();
    expect(sent).toEqual([]);
    expect(manager.error).toMatch(/not answering/);
    state = 'connected';
    expect(manager.blocked).toBeNull();
    await manager.confirm();
    expect(sent).toHaveLength(1);
  });

  it('shows the refusal of a second restart while the first still runs', async () => {
    const { api } = fakeApi([{ status: 409, body: { code: 'restart_in_progress', status: 409, title: 'x', detail: 'a restart of pod ingest/lonely is still running' } }]);
    const manager = new RestartManager(api);
    manager.ask(pod);
    await manager.confirm();
    expect(manager.error).toMatch(/still running/);
    expect(manager.warning).toBeNull();
  });
});
