// Off loopback the main listener is HTTPS with the generated certificate, whose fingerprint the
// kiosk shows; plain HTTP there needs tls.mode: off and the UI is told to warn.
import https from 'node:https';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { createUser, TEST_PASSWORD } from '../helpers/auth.ts';

const daemons: TestDaemon[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

function request(url: string, ca: string, options: https.RequestOptions = {}, body?: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, agent: false, servername: 'localhost', ...options }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('TLS on the main listener', () => {
  it('serves HTTPS off loopback with the certificate whose fingerprint the kiosk shows', async () => {
    const d = await startTestDaemon({ listen: { address: '0.0.0.0', port: 0 } });
    daemons.push(d);
    expect(d.url).toMatch(/^https:\/\//);
    const ca = readFileSync(path.join(d.home, 'tls', 'cert.pem'), 'utf8');
    const url = `https://localhost:${d.port}`;

    const peerFingerprint = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port: d.port, ca, servername: 'localhost' }, () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
        socket.end();
      });
      socket.on('error', reject);
    });
    const kiosk = (await (await fetch(new URL('/api/v1/kiosk', d.kioskUrl!))).json()) as { fingerprint: string; tls: boolean };
    expect(kiosk.tls).toBe(true);
    expect(kiosk.fingerprint).toBe(peerFingerprint);

    const health = await request(`${url}/healthz`, ca);
    expect(health.status).toBe(200);

    await createUser(d.home, 'tina', 'viewer');
    const login = await request(`${url}/api/v1/session`, ca, { method: 'POST', headers: { 'content-type': 'application/json', origin: url } }, JSON.stringify({ username: 'tina', password: TEST_PASSWORD }));
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-outpost_session=/);
    expect(cookie).toContain('Secure');

    const plain = await fetch(`http://127.0.0.1:${d.port}/healthz`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });

  it('serves plain HTTP off loopback only with tls.mode off, and tells the UI to warn', async () => {
    const d = await startTestDaemon({ listen: { address: '0.0.0.0', port: 0 }, tls: { mode: 'off' } });
    daemons.push(d);
    expect(d.url).toMatch(/^http:\/\//);
    const info = (await (await fetch(`http://127.0.0.1:${d.port}/api/v1/session`)).json()) as { transportWarning: string | null };
    expect(info.transportWarning).toMatch(/plain HTTP/);
  });

  it('needs no TLS and warns about nothing on loopback', async () => {
    const d = await startTestDaemon();
    daemons.push(d);
    const info = (await (await fetch(new URL('/api/v1/session', d.url))).json()) as { transportWarning: string | null };
    expect(info.transportWarning).toBeNull();
  });
});
