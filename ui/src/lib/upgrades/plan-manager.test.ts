import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api.ts';
import { PlanManager } from './plan-manager.svelte.ts';

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
const problem = (code: string, status: number, detail: string) => ({ status, body: { code, status, title: code, detail } });

describe('plan manager', () => {
  it('loads a bundle’s plan, names release and both versions in the question, applies on confirm', async () => {
    const { api, sent } = fakeApi([{ status: 200, body: plan() }, { status: 202, body: { upgradeId: 'u1' } }]);
    const m = new PlanManager(api, { kind: 'bundle', id: '0123456789abcdef' });
    await m.load();
    expect(m.question).toBe('Apply plant-dashboard 1.0.0 → 1.1.0?');
    m.ask();
    expect(m.confirming).toBe(true);
    expect(await m.confirm()).toBe(true);
    expect(sent).toEqual([
      { method: 'GET', url: '/api/v1/bundles/0123456789abcdef/plan' },
      { method: 'POST', url: '/api/v1/bundles/0123456789abcdef/apply' },
    ]);
    expect(m.started).toBe('u1');
    expect(m.confirming).toBe(false);
  });

  it('asks an install and a rollback in their own words, and rolls back through the release route', async () => {
    const { api, sent } = fakeApi([{ status: 200, body: plan({ kind: 'rollback', from: { version: '1.1.0', sequence: 2 }, to: { version: '1.0.0', sequence: 1 } }) }, { status: 202, body: { upgradeId: 'u2' } }]);
    const m = new PlanManager(api, { kind: 'rollback', release: 'plant-dashboard' });
    await m.load();
    expect(m.question).toBe('Roll back plant-dashboard 1.1.0 → 1.0.0?');
    m.ask();
    await m.confirm();
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api/v1/releases/plant-dashboard/rollback-plan', 'POST /api/v1/releases/plant-dashboard/rollback']);
    const install = new PlanManager(fakeApi([{ status: 200, body: plan({ kind: 'install', from: null }) }]).api, { kind: 'bundle', id: '0123456789abcdef' });
    await install.load();
    expect(install.question).toBe('Install plant-dashboard (nothing installed) → 1.1.0?');
  });

  it('never asks for, nor sends, a blocked plan', async () => {
    const { api, sent } = fakeApi([{ status: 200, body: plan({ blocking: 1 }) }]);
    const m = new PlanManager(api, { kind: 'bundle', id: '0123456789abcdef' });
    await m.load();
    m.ask();
    expect(m.confirming).toBe(false);
    expect(await m.confirm()).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('shows why the device refused, and reloads the plan when it found a new blocker', async () => {
    const { api, sent } = fakeApi([
      { status: 200, body: plan() },
      problem('busy', 409, 'busy: the upgrade of x is running'),
      problem('upgrade_blocked', 409, 'the plan has 1 blocking problem'),
      { status: 200, body: plan({ blocking: 1 }) },
    ]);
    const m = new PlanManager(api, { kind: 'bundle', id: '0123456789abcdef' });
    await m.load();
    m.ask();
    expect(await m.confirm()).toBe(false);
    expect(m.error).toBe('busy: the upgrade of x is running');
    expect(m.confirming).toBe(false);
    m.ask();
    await m.confirm();
    await expect.poll(() => m.plan?.blocking).toBe(1);
    expect(sent.map((s) => s.method)).toEqual(['GET', 'POST', 'POST', 'GET']);
  });

  it('says when the bundle is no longer offered', async () => {
    const m = new PlanManager(fakeApi([problem('bundle_not_found', 404, 'no bundle 0123456789abcdef is offered')]).api, { kind: 'bundle', id: '0123456789abcdef' });
    await m.load();
    expect(m.missing).toBe(true);
    expect(m.error).toBe('no bundle 0123456789abcdef is offered');
  });
});
