// The TLS capability against real parts: files on a temp dir, the openssl CLI as an independent
// reader of what we wrote, and real TLS handshakes on loopback.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificate, type TlsCertificate } from '../../daemon/src/tls/index.ts';

const run = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';
const hostnames = ['outpost.test', 'outpost.local'];
const addresses = ['127.0.0.1', '192.0.2.10', 'fe80::1%eth0'];

async function openssl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const child = run(OPENSSL, args, { timeout: 10_000 });
    if (input !== undefined) child.child.stdin?.end(input);
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('a generated certificate', () => {
  let dir: string;
  let result: TlsCertificate;
  let certFile: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'outpost-tls-gen-'));
    result = await ensureCertificate({ dir, hostnames, addresses });
    certFile = path.join(dir, 'tls', 'cert.pem');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is written under <dir>/tls with a private key file (0600) in a private folder (0700)', () => {
    expect(result.source).toBe('generated');
    expect(result.reason).toMatch(/does not exist/);
    expect(readFileSync(certFile, 'utf8')).toBe(result.certPem);
    expect(readFileSync(path.join(dir, 'tls', 'key.pem'), 'utf8')).toBe(result.keyPem);
    expect(statSync(path.join(dir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'tls')).mode & 0o777).toBe(0o700);
    expect(statSync(certFile).mode & 0o777).toBe(0o644);
  });

  it('reports the fingerprint, SANs and expiry that node:crypto reads from the file', () => {
    const cert = new X509Certificate(readFileSync(certFile));
    expect(result.fingerprint256).toBe(cert.fingerprint256);
    expect(result.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(result.notAfter).toEqual(cert.validToDate);
    expect(result.sans).toEqual(['DNS:outpost.test', 'DNS:outpost.local', 'IP:127.0.0.1', 'IP:192.0.2.10', 'IP:fe80::1']);
    expect(result.uncovered).toEqual([]);
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  it('reads in openssl as ecdsa-with-SHA256 with every name and address', async () => {
    const text = await openssl(['x509', '-in', certFile, '-noout', '-text']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Version: 3 (0x2)');
    expect(text.stdout).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text.stdout).toContain('NIST CURVE: P-256');
    expect(text.stdout).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text.stdout).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text.stdout).toMatch(/X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text.stdout).toContain('X509v3 Subject Key Identifier');
    expect(text.stdout).toMatch(/X509v3 Subject Alternative Name:\s+DNS:outpost.test, DNS:outpost.local, IP Address:127.0.0.1, IP Address:192.0.2.10, IP Address:FE80:0:0:0:0:0:0:1\n/);
    const fingerprint = await openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256']);
    expect(fingerprint.stdout.trim()).toBe(`sha256 Fingerprint=${result.fingerprint256}`);
  });

  it('passes openssl verify with itself as the trust anchor, and its checkend at 825 days', async () => {
    const verify = await openssl(['verify', '-purpose', 'sslserver', '-CAfile', certFile, certFile]);
    expect(verify.stdout.trim()).toBe(`${certFile}: OK`);
    expect(verify.code).toBe(0);
    expect((await openssl(['x509', '-in', certFile, '-noout', '-checkend', String(824 * 86_400)])).code).toBe(0);
    expect((await openssl(['x509', '-in', certFile, '-noout', '-checkend', String(826 * 86_400)])).code).toBe(1);
    expect((await openssl(['pkey', '-in', path.join(dir, 'tls', 'key.pem'), '-noout'])).code).toBe(0);
  });

  describe('served over TLS', () => {
    let port: number;
    const server = createServer({}, (_req, res) => res.end('hello over tls'));
    beforeAll(async () => {
      server.setSecureContext({ cert: result.certPem, key: result.keyPem });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    function handshake(servername: string | undefined): Promise<PeerCertificate> {
      return new Promise((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, ca: result.certPem, ...(servername ? { servername } : {}), timeout: 5_000 });
        socket.once('secureConnect', () => {
          const peer = socket.getPeerCertificate();
          socket.end();
          resolve(peer);
        });
        socket.once('timeout', () => socket.destroy(new Error('handshake timed out')));
        socket.once('error', reject);
      });
    }

    it('completes a verified handshake by hostname and by IP, showing the reported fingerprint', async () => {
      expect((await handshake('outpost.test')).fingerprint256).toBe(result.fingerprint256);
      expect((await handshake('outpost.local')).fingerprint256).toBe(result.fingerprint256);
      expect((await handshake(undefined)).fingerprint256).toBe(result.fingerprint256);
    });

    it('fails the handshake for a name the certificate does not cover', async () => {
      await expect(handshake('elsewhere.test')).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    });

    it('answers an HTTPS request from a client that trusts only this certificate', async () => {
      const body = await new Promise<string>((resolve, reject) => {
        const request = get({ host: '127.0.0.1', port, path: '/', ca: result.certPem, servername: 'outpost.test', timeout: 5_000 }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        });
        request.on('timeout', () => request.destroy(new Error('request timed out')));
        request.on('error', reject);
      });
      expect(body).toBe('hello over tls');
    });

    it('shows the same fingerprint to the technician recipe (openssl s_client | openssl x509)', async () => {
      const served = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'outpost.test'], '');
      expect(served.stdout).toContain('-----BEGIN CERTIFICATE-----');
      const fingerprint = await openssl(['x509', '-noout', '-fingerprint', '-sha256'], served.stdout);
      expect(fingerprint.stdout.trim()).toBe(`sha256 Fingerprint=${result.fingerprint256}`);
    });
  });
});
