import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api.ts';
import { HistoryManager } from './history.svelte.ts';

type Fetcher = (url: string) => Promise<Response>;
/** The real API client over a fake network. */
const client = (fetcher: Fetcher) => new ApiClient(async (input) => fetcher(String(input)));

function answer(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('HistoryManager', () => {
  it('fetches the chosen range and refetches when the range changes', async () => {
    const urls: string[] = [];
    const fetcher: Fetcher = async (url) => {
      urls.push(url);
      return answer({ range: url.includes('24h') ? '24h' : '1h', stepS: 1, time: [1], series: { cpu: [5] } });
    };
    const m = new HistoryManager(client(fetcher), { refreshMs: { '1h': 60_000, '24h': 60_000 } });
    const stop = m.listen();
    await vi.waitFor(() => expect(m.data?.range).toBe('1h'));
    m.setRange('24h');
    await vi.waitFor(() => expect(m.data?.range).toBe('24h'));
    stop();
    expect(urls).toEqual(['/api/v1/health/history?range=1h&points=720', '/api/v1/health/history?range=24h&points=720']);
  });

  it('shows the problem detail when the daemon refuses', async () => {
    const m = new HistoryManager(client(async () => new Response(JSON.stringify({ code: 'not_found', detail: 'no such route' }), { status: 404, headers: { 'content-type': 'application/problem+json' } })));
    const stop = m.listen();
    await vi.waitFor(() => expect(m.error).toBe('no such route'));
    stop();
    expect(m.data).toBeNull();
  });

  it('says in words that the device did not answer, not the browser\'s "Failed to fetch"', async () => {
    const m = new HistoryManager(client(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const stop = m.listen();
    await vi.waitFor(() => expect(m.error).toBe('the device did not answer; the charts fill in again when it does'));
    stop();
  });

  it('refreshes on its timer and stops after cleanup', async () => {
    let calls = 0;
    const m = new HistoryManager(client(async () => (calls++, answer({ range: '1h', stepS: 1, time: [], series: {} }))), { refreshMs: { '1h': 10, '24h': 10 } });
    const stop = m.listen();
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(3));
    stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBeLessThanOrEqual(after + 1);
  });
});
