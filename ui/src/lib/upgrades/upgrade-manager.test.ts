import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api.ts';
import { UpgradeManager } from './upgrade-manager.svelte.ts';

function fakeApi(answers: { status: number; body: unknown }[]) {
  const sent: { method: string; url: string }[] = [];
  const api = new ApiClient(async (input, init) => {
    sent.push({ method: init?.method ?? 'GET', url: String(input) });
    const answer = answers.shift() ?? { status: 500, body: {} };
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' } });
  });
  return { api, sent };
}

const plan = (over: object = {}) => ({ release: 'plant-dashboard', kind: 'upgrade', from: { version: '1.0.0', sequence: 1 }, to: { version: '1.1.0', sequence: 2 }, blocking: 0, problems: [], ...over });

describe('upgrade manager', () => {
  it('opens a bundle’s plan, names release and versions in the question, applies on confirm', async () => {
    const { api, sent } = fakeApi([{ status: 200, body: plan() }, { status: 202, body: { upgradeId: 'u1' } }]);
    const m = new UpgradeManager(api);
    await m.open({ kind: 'bundle', id: '0123456789abcdef' });
    expect(m.question).toBe('Apply plant-dashboard 1.0.0 → 1.1.0?');
    m.ask();
    expect(m.confirming).toBe(true);
    await m.confirm();
    expect(sent).toEqual([
      { method: 'GET', url: '/api/v1/bundles/0123456789abcdef/plan' },
      { method: 'POST', url: '/api/v1/bundles/0123456789abcdef/apply' },
    ]);
    expect(m.lastUpgradeId).toBe('u1');
    expect(m.plan).toBeNull();
  });

  it('never asks to apply a blocked plan, and shows why a refused apply failed', async () => {
    const { api } = fakeApi([{ status: 200, body: plan({ blocking: 1 }) }, { status: 200, body: plan() }, { status: 409, body: { code: 'busy', status: 409, title: 'busy', detail: 'busy: the upgrade of x is running' } }]);
    const m = new UpgradeManager(api);
    await m.open({ kind: 'bundle', id: '0123456789abcdef' });
    m.ask();
    expect(m.confirming).toBe(false);
    await m.open({ kind: 'rollback', release: 'plant-dashboard' });
    m.ask();
    await m.confirm();
    expect(m.error).toBe('busy: the upgrade of x is running');
    expect(m.confirming).toBe(false);
  });
});
