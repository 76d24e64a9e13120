import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../lib/api.ts';
import { formatSize, SupportBundleManager, type ObjectUrls } from './support-bundle-manager.svelte.ts';

function streamOf(parts: Uint8Array[], failAfter?: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && i === failAfter) return controller.error(new TypeError('network error'));
      if (i === parts.length) return controller.close();
      controller.enqueue(parts[i++]!);
    },
  });
}

function fakeUrls(): ObjectUrls & { live: Set<string> } {
  const live = new Set<string>();
  let n = 0;
  return {
    live,
    create: () => {
      const url = `blob:test/${++n}`;
      live.add(url);
      return url;
    },
    revoke: (url) => live.delete(url),
  };
}

const BUSY = 'a support bundle is being made right now; try again when it is done';

describe('support bundle manager', () => {
  it('posts with the CSRF token, reports bytes as they arrive and keeps the file under its own name', async () => {
    const sent: { url: string; method: string; headers: Headers }[] = [];
    let feed!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
    const api = new ApiClient(async (input, init) => {
      sent.push({ url: String(input), method: init?.method ?? 'GET', headers: new Headers(init?.headers) });
      return new Response(body, {
        status: 200,
        headers: { 'content-type': 'application/gzip', 'content-disposition': 'attachment; filename="outpost-support-edge-20261201T100000Z.tar.gz"' },
      });
    });
    api.csrfToken = 'csrf-xyz';
    const urls = fakeUrls();
    const manager = new SupportBundleManager(api, urls);
    const making = manager.make();
    expect(manager.phase).toBe('preparing');
    expect(manager.busy).toBe(true);
    feed.enqueue(new Uint8Array(1000));
    await vi.waitFor(() => expect(manager.phase).toBe('downloading'));
    expect(manager.bytes).toBe(1000);
    expect(await manager.make()).toBe(false);
    feed.enqueue(new Uint8Array(2500));
    feed.close();
    expect(await making).toBe(true);
    expect(sent).toEqual([expect.objectContaining({ url: '/api/v1/support-bundle', method: 'POST' })]);
    expect(sent[0]?.headers.get('x-csrf-token')).toBe('csrf-xyz');
    expect(manager.phase).toBe('ready');
    expect(manager.bytes).toBe(3500);
    expect(manager.fileName).toBe('outpost-support-edge-20261201T100000Z.tar.gz');
    expect(manager.url).toBe('blob:test/1');
    manager.dispose();
    expect(urls.live.size).toBe(0);
  });

  it('shows the daemon\'s reason when it refuses (busy, forbidden)', async () => {
    const api = new ApiClient(async () =>
      new Response(JSON.stringify({ code: 'support_bundle_busy', status: 409, title: 'Conflict', detail: BUSY }), {
        status: 409,
        headers: { 'content-type': 'application/problem+json' },
      }),
    );
    const manager = new SupportBundleManager(api, fakeUrls());
    expect(await manager.make()).toBe(false);
    expect(manager.phase).toBe('failed');
    expect(manager.error).toBe(BUSY);
    expect(manager.url).toBeNull();
  });

  it('fails clearly when the download breaks off, instead of keeping a short file', async () => {
    const broken = streamOf([new Uint8Array(4000), new Uint8Array(10)], 1);
    const api = new ApiClient(async () => new Response(broken, { status: 200, headers: { 'content-type': 'application/gzip' } }));
    const urls = fakeUrls();
    const manager = new SupportBundleManager(api, urls);
    expect(await manager.make()).toBe(false);
    expect(manager.phase).toBe('failed');
    expect(manager.error).toBe('the download broke off after 4000 bytes; try again');
    expect(urls.live.size).toBe(0);
  });

  it('makes a new bundle after a ready one and frees the old file', async () => {
    const api = new ApiClient(async () => new Response(streamOf([new Uint8Array(10)]), { status: 200, headers: { 'content-type': 'application/gzip' } }));
    const urls = fakeUrls();
    const manager = new SupportBundleManager(api, urls);
    await manager.make();
    await manager.make();
    expect([...urls.live]).toEqual(['blob:test/2']);
    expect(manager.fileName).toBe('outpost-support.tar.gz');
  });

  it('formats sizes as a download dialog does', () => {
    expect(formatSize(999)).toBe('999 B');
    expect(formatSize(1500)).toBe('1.5 KB');
    expect(formatSize(23_400_000)).toBe('23 MB');
  });
});
