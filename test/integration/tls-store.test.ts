// ensureCertificate over time: reuse, renewal, repair of the daemon's own files, and an operator's
// configured certificate (made with the openssl CLI, so not by our own encoder).
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceAddresses, ensureCertificate, isTlsError } from '../../daemon/src/tls/index.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
const hostnames = ['outpost.test'];
const addresses = ['192.0.2.10'];

const dirs: string[] = [];
function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'outpost-tls-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isTlsError(error)) return error.code;
    throw error;
  }
  return 'resolved';
}

/** A certificate and key made by openssl itself, valid for `days` from now. */
async function opensslPair(dir: string, name: string, days = 30): Promise<{ certFile: string; keyFile: string }> {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  await run('/usr/bin/openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-days', String(days), '-subj', `/CN=${name}.example`, '-addext', `subjectAltName=DNS:${name}.example,IP:192.0.2.10`,
  ], { timeout: 10_000 });
  return { certFile, keyFile };
}

describe('ensureCertificate with its own certificate', () => {
  it('reuses a valid certificate that covers every name: same fingerprint, files untouched', async () => {
    const dir = home();
    const first = await ensureCertificate({ dir, hostnames, addresses });
    const certFile = path.join(dir, 'tls', 'cert.pem');
    const before = statSync(certFile).mtimeMs;
    const second = await ensureCertificate({ dir, hostnames: ['OUTPOST.test.'], addresses: ['192.0.2.10'] });
    expect(second.source).toBe('existing');
    expect(second.fingerprint256).toBe(first.fingerprint256);
    expect(second.keyPem).toBe(first.keyPem);
    expect(statSync(certFile).mtimeMs).toBe(before);
  });

  it('generates a new certificate when an address is added', async () => {
    const dir = home();
    const first = await ensureCertificate({ dir, hostnames, addresses });
    const second = await ensureCertificate({ dir, hostnames, addresses: [...addresses, '2001:db8::5'] });
    expect(second.source).toBe('generated');
    expect(second.reason).toContain('does not cover 2001:db8::5');
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    expect(new X509Certificate(readFileSync(path.join(dir, 'tls', 'cert.pem'))).checkIP('2001:db8::5')).toBe('2001:db8::5');
    expect((await ensureCertificate({ dir, hostnames, addresses: [...addresses, '2001:db8::5'] })).source).toBe('existing');
  });

  it('starts without names on a device with no network yet, and covers them once they appear', async () => {
    const dir = home();
    const bare = await ensureCertificate({ dir, hostnames: [], addresses: [] });
    expect(bare.source).toBe('generated');
    expect(bare.sans).toEqual([]);
    const later = await ensureCertificate({ dir, hostnames, addresses });
    expect(later.source).toBe('generated');
    expect(later.sans).toEqual(['DNS:outpost.test', 'IP:192.0.2.10']);
  });

  it('renews when 30 days or fewer are left, not before', async () => {
    const dir = home();
    const first = await ensureCertificate({ dir, hostnames, addresses });
    const at = (daysBefore: number) => new Date(first.notAfter.getTime() - daysBefore * DAY);
    expect((await ensureCertificate({ dir, hostnames, addresses, now: at(31) })).source).toBe('existing');
    const renewed = await ensureCertificate({ dir, hostnames, addresses, now: at(29) });
    expect(renewed.source).toBe('generated');
    expect(renewed.reason).toContain('expires within 30 days');
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    const afterExpiry = await ensureCertificate({ dir, hostnames, addresses, now: new Date(renewed.notAfter.getTime() + DAY) });
    expect(afterExpiry.reason).toContain('has expired');
  });

  it('replaces a pair whose key does not match, and a garbled certificate', async () => {
    const dir = home();
    const first = await ensureCertificate({ dir, hostnames, addresses });
    const other = await ensureCertificate({ dir: home(), hostnames, addresses });
    writeFileSync(path.join(dir, 'tls', 'key.pem'), other.keyPem);
    const repaired = await ensureCertificate({ dir, hostnames, addresses });
    expect(repaired.reason).toContain('does not match');
    expect(repaired.fingerprint256).not.toBe(first.fingerprint256);
    writeFileSync(path.join(dir, 'tls', 'cert.pem'), 'not a certificate');
    expect((await ensureCertificate({ dir, hostnames, addresses })).reason).toContain('cannot be parsed');
  });

  it('never follows a symlinked key file: it is replaced by a regular file and its target is untouched', async () => {
    const dir = home();
    await ensureCertificate({ dir, hostnames, addresses });
    const elsewhere = path.join(home(), 'elsewhere.pem');
    writeFileSync(elsewhere, 'precious');
    const keyFile = path.join(dir, 'tls', 'key.pem');
    rmSync(keyFile);
    symlinkSync(elsewhere, keyFile);
    const result = await ensureCertificate({ dir, hostnames, addresses });
    expect(result.source).toBe('generated');
    expect(result.reason).toContain('symbolic link');
    expect(lstatSync(keyFile).isSymbolicLink()).toBe(false);
    expect(readFileSync(elsewhere, 'utf8')).toBe('precious');
  });

  it('tightens a key file and folder someone opened up, keeping the certificate', async () => {
    const dir = home();
    const first = await ensureCertificate({ dir, hostnames, addresses });
    chmodSync(path.join(dir, 'tls', 'key.pem'), 0o644);
    chmodSync(path.join(dir, 'tls'), 0o755);
    const again = await ensureCertificate({ dir, hostnames, addresses });
    expect(again.fingerprint256).toBe(first.fingerprint256);
    expect(statSync(path.join(dir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'tls')).mode & 0o777).toBe(0o700);
  });

  it('leaves no temp files behind and reports tls_store_failed when the folder cannot be made', async () => {
    const dir = home();
    await ensureCertificate({ dir, hostnames, addresses });
    expect(readdirSync(path.join(dir, 'tls')).sort()).toEqual(['cert.pem', 'key.pem']);
    const blocked = home();
    writeFileSync(path.join(blocked, 'tls'), 'a file where the folder should be');
    expect(await codeOf(ensureCertificate({ dir: blocked, hostnames, addresses }))).toBe('tls_store_failed');
  });

  it('refuses invalid names with tls_invalid_name before touching the disk', async () => {
    const dir = home();
    expect(await codeOf(ensureCertificate({ dir, hostnames: ['bad name'], addresses }))).toBe('tls_invalid_name');
    expect(existsSync(path.join(dir, 'tls'))).toBe(false);
  });

  it("accepts this machine's own names and addresses", async () => {
    const device = deviceAddresses();
    const result = await ensureCertificate({ dir: home(), hostnames: [...device.hostnames, 'localhost'], addresses: [...device.addresses, '127.0.0.1'] });
    expect(result.sans).toContain('DNS:localhost');
    for (const address of device.addresses) expect(result.sans).toContain(`IP:${address}`);
  });
});

describe('ensureCertificate with a configured certificate', () => {
  it('serves the configured pair as given and lists the names it does not cover', async () => {
    const dir = home();
    const configured = await opensslPair(home(), 'custom');
    const result = await ensureCertificate({ dir, hostnames, addresses, configured });
    expect(result.source).toBe('configured');
    expect(result.certPem).toBe(readFileSync(configured.certFile, 'utf8'));
    expect(result.keyPem).toBe(readFileSync(configured.keyFile, 'utf8'));
    expect(result.sans).toEqual(['DNS:custom.example', 'IP:192.0.2.10']);
    expect(result.uncovered).toEqual(['outpost.test']);
    expect(result.fingerprint256).toBe(new X509Certificate(result.certPem).fingerprint256);
    expect(existsSync(path.join(dir, 'tls'))).toBe(false);
  });

  it('rejects a key that belongs to another certificate with tls_key_mismatch', async () => {
    const folder = home();
    const a = await opensslPair(folder, 'a');
    const b = await opensslPair(folder, 'b');
    const configured = { certFile: a.certFile, keyFile: b.keyFile };
    expect(await codeOf(ensureCertificate({ dir: home(), hostnames, addresses, configured }))).toBe('tls_key_mismatch');
  });

  it('rejects an expired or not yet valid certificate', async () => {
    const configured = await opensslPair(home(), 'custom', 10);
    const later = new Date(Date.now() + 11 * DAY);
    const earlier = new Date(Date.now() - DAY);
    expect(await codeOf(ensureCertificate({ dir: home(), hostnames, addresses, configured, now: later }))).toBe('tls_cert_expired');
    expect(await codeOf(ensureCertificate({ dir: home(), hostnames, addresses, configured, now: earlier }))).toBe('tls_cert_not_yet_valid');
  });

  it('names unreadable and invalid files with their own codes', async () => {
    const folder = home();
    const good = await opensslPair(folder, 'good');
    const garbage = path.join(folder, 'garbage.pem');
    writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n');
    const encrypted = path.join(folder, 'encrypted.key');
    await run('/usr/bin/openssl', ['pkey', '-in', good.keyFile, '-aes256', '-passout', 'pass:secret', '-out', encrypted], { timeout: 10_000 });
    const missing = path.join(folder, 'missing.pem');
    mkdirSync(path.join(folder, 'a-folder'));
    const check = (certFile: string, keyFile: string) => codeOf(ensureCertificate({ dir: home(), hostnames, addresses, configured: { certFile, keyFile } }));
    expect(await check(missing, good.keyFile)).toBe('tls_cert_unreadable');
    expect(await check(path.join(folder, 'a-folder'), good.keyFile)).toBe('tls_cert_unreadable');
    expect(await check(garbage, good.keyFile)).toBe('tls_cert_invalid');
    expect(await check(good.certFile, missing)).toBe('tls_key_unreadable');
    expect(await check(good.certFile, garbage)).toBe('tls_key_invalid');
    expect(await check(good.certFile, encrypted)).toBe('tls_key_invalid');
  });
});
