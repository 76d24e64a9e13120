// The listener's timeouts with long requests (tus upload PATCHes): a long request that keeps moving
// outlives the request timeout; one that sends nothing for the idle time is closed; any other request
// still gets the request timeout (408). Timeouts shortened here; the daemon's defaults are checked too.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, REQUEST_TIMEOUT_MS, type Listening } from '../../daemon/src/http/listen.ts';
import { resolveConfig } from '../../daemon/src/config/index.ts';
import { createUploads } from '../../daemon/src/uploads/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import { tempDir } from '../helpers/daemon.ts';

let server: Listening;

beforeAll(async () => {
  server = await listen({
    address: '127.0.0.1',
    port: 0,
    connectionsPerAddress: 16,
    requestTimeoutMs: 400,
    longRequests: { matches: (req) => req.method === 'PATCH', idleMs: 600 },
    handler: (req, res) => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.end(`got ${n}`));
    },
  });
});
afterAll(() => server.close());

/** Sends `chunks` bytes one every `everyMs`, then waits for the answer or the close. */
function trickle(method: string, chunks: number, everyMs: number, stallMs = 0): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(server.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.on('close', () => resolve({ answer, ms: Date.now() - started }));
    socket.on('error', () => undefined);
    socket.write(`${method} /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${chunks + 1}\r\nConnection: close\r\n\r\n`);
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed) return clearInterval(timer);
      if (sent < chunks) {
        socket.write('x');
        sent += 1;
      } else {
        clearInterval(timer);
        setTimeout(() => !socket.destroyed && socket.write('x'), stallMs);
      }
    }, everyMs);
  });
}

describe('long requests', () => {
  it('lives past the request timeout while bytes keep coming', async () => {
    const r = await trickle('PATCH', 12, 100);
    expect(r.ms).toBeGreaterThan(1000);
    expect(r.answer).toContain('got 13');
  });

  it('is closed when it sends nothing for the idle time', async () => {
    const r = await trickle('PATCH', 2, 50, 5000);
    expect(r.answer).toBe('');
    expect(r.ms).toBeLessThan(3000);
  });

  it('leaves every other request to the request timeout (408)', async () => {
    const r = await trickle('POST', 12, 100);
    expect(r.answer).toMatch(/^HTTP\/1.1 408/);
    expect(r.ms).toBeLessThan(1000);
  });
});

describe('the daemon’s defaults', () => {
  it('closes an upload connection after 60 s without a byte, and times other requests out after 60 s', () => {
    const result = resolveConfig({ env: {}, flags: {}, cwd: tempDir() });
    if (!result.ok) throw new Error('default config invalid');
    expect(result.config.uploads.idleTimeoutSeconds).toBe(60);
    expect(REQUEST_TIMEOUT_MS).toBe(60_000);
    const uploads = createUploads({
      spoolDir: tempDir(), maxBytes: result.config.uploads.maxBytes, maxConcurrent: 2, expireMs: 3_600_000,
      idleTimeoutMs: result.config.uploads.idleTimeoutSeconds * 1000, reservePercent: 20,
      agent: { offerUpload: () => Promise.reject(new Error('unused')) }, audit: () => undefined, log: createLogger('silent'),
    });
    expect(uploads.longRequests.idleMs).toBe(60_000);
    expect(uploads.longRequests.matches({ method: 'PATCH', url: '/api/v1/uploads/0123' } as never)).toBe(true);
    expect(uploads.longRequests.matches({ method: 'POST', url: '/api/v1/uploads' } as never)).toBe(false);
    expect(result.config.usb.policy).toBe('auto');
    expect(resolveConfig({ env: { OUTPOST_USB_POLICY: 'confirm' }, flags: {}, cwd: tempDir() })).toMatchObject({ ok: true, config: { usb: { policy: 'confirm' } } });
  });
});
