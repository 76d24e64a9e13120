import { describe, expect, it } from 'vitest';
import { ApiClient } from '../api.ts';
import { HISTORY_PAGE, HistoryManager } from './history-manager.svelte.ts';
import { recordFixture } from './test-fixtures.ts';

function fakeApi(answer: (url: string) => { status: number; body: unknown } | Promise<{ status: number; body: unknown }>) {
  const urls: string[] = [];
  const api = new ApiClient(async (input) => {
    urls.push(String(input));
    const a = await answer(String(input));
    return new Response(JSON.stringify(a.body), { status: a.status, headers: { 'content-type': a.status >= 400 ? 'application/problem+json' : 'application/json' } });
  });
  return { api, urls };
}
const page = (n: number) => ({ status: 200, body: { upgrades: Array.from({ length: n }, (_, i) => recordFixture({ id: `id-${i}` })) } });

describe('upgrade history', () => {
  it('asks newest first a page at a time, filters by release, and offers older ones while pages are full', async () => {
    const { api, urls } = fakeApi((url) => page(url.includes('limit=40') ? 27 : HISTORY_PAGE));
    const h = new HistoryManager(api);
    await h.load();
    expect(h.records).toHaveLength(20);
    expect(h.more).toBe(true);
    await h.showOlder();
    expect(h.records).toHaveLength(27);
    expect(h.more).toBe(false);
    await h.filter('plant-dashboard');
    expect(urls).toEqual(['/api/v1/upgrades/history?limit=20', '/api/v1/upgrades/history?limit=40', '/api/v1/upgrades/history?limit=20&release=plant-dashboard']);
  });

  it('keeps the answer of the latest filter when an earlier one answers late', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<void>((r) => (release = r));
    const { api } = fakeApi(async (url) => {
      if (!url.includes('release=')) await slow;
      return page(url.includes('release=') ? 1 : 5);
    });
    const h = new HistoryManager(api);
    const first = h.load();
    await h.filter('plant-dashboard');
    release();
    await first;
    expect(h.records).toHaveLength(1);
    expect(h.loading).toBe(false);
  });

  it('says when the history cannot be read, and opens one record at a time', async () => {
    const h = new HistoryManager(fakeApi(() => ({ status: 400, body: { code: 'invalid_request', status: 400, title: 'bad', detail: 'limit: too big' } })).api);
    await h.load();
    expect(h.error).toBe('limit: too big');
    h.toggle('a');
    h.toggle('b');
    expect(h.open).toBe('b');
    h.toggle('b');
    expect(h.open).toBeNull();
  });
});
