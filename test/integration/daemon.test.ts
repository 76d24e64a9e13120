import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.stop());

describe('daemon HTTP', () => {
  it('answers /healthz while the process is alive', async () => {
    const res = await fetch(new URL('/healthz', daemon.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('lists its dependencies on /readyz, each with a reason when failing', async () => {
    const res = await fetch(new URL('/readyz', daemon.url));
    const body = (await res.json()) as { ready: boolean; checks: { name: string; status: string; reason?: string }[] };
    expect(res.status).toBe(body.ready ? 200 : 503);
    const state = body.checks.find((c) => c.name === 'state-directory');
    expect(state?.status).toBe('ok');
    for (const check of body.checks) if (check.status !== 'ok') expect(check.reason).toBeTruthy();
  });

  it('reports its version, runtime and protocol', async () => {
    const res = await fetch(new URL('/api/v1/version', daemon.url));
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ name: 'outpost', protocol: 'outpost.feed.v1' });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.node?.split('.')[0]).toBe('24');
  });

  it('answers unknown API paths with problem+json and a stable code', async () => {
    const res = await fetch(new URL('/api/v1/nothing-here', daemon.url));
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ code: 'not_found', status: 404, type: 'urn:outpost:problem:not_found' });
  });

  it('refuses invalid JSON and bodies over 64 KiB before any handler runs', async () => {
    const headers = { 'content-type': 'application/json' };
    const bad = await fetch(new URL('/api/v1/version', daemon.url), { method: 'POST', headers, body: '{"a":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_json' });
    const big = await fetch(new URL('/api/v1/version', daemon.url), { method: 'POST', headers, body: JSON.stringify({ a: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('sends a strict Content-Security-Policy and the other hardening headers', async () => {
    const res = await fetch(new URL('/healthz', daemon.url));
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|https?:/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});
