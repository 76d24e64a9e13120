import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normalizeSubjectAltNames } from '../../../daemon/src/tls/pure/names.ts';
import { buildSelfSignedCertificate, generateP256KeyPair } from '../../../daemon/src/tls/pure/x509.ts';

const now = new Date('2026-11-26T12:00:00Z');
const sans = normalizeSubjectAltNames(['outpost', 'outpost.local'], ['192.168.1.20', '10.0.0.7', 'fe80::1%eth0', '2001:db8::7']);

describe('self-signed certificate', () => {
  const built = buildSelfSignedCertificate({ commonName: 'outpost', sans, now });
  const cert = new X509Certificate(built.certPem);

  it('parses with node:crypto and verifies with its own public key', () => {
    expect(cert.verify(cert.publicKey)).toBe(true);
    // OpenSSL only calls a certificate its own issuer when its keyUsage allows keyCertSign, which a
    // leaf with cA false must not have: trusting it works by exact match (see the TLS integration test).
    expect(cert.checkIssued(cert)).toBe(false);
    expect(cert.checkPrivateKey(createPrivateKey(built.keyPem))).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subject).toBe('O=Outpost\nCN=outpost');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.ca).toBe(false);
    expect(built.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('does not verify against a different key', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(cert.verify(other.publicKey)).toBe(false);
  });

  it('lists every DNS name and IP address as a subject alternative name, without the zone', () => {
    expect(cert.subjectAltName).toBe(
      'DNS:outpost, DNS:outpost.local, IP Address:192.168.1.20, IP Address:10.0.0.7, IP Address:FE80:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:0:0:0:7',
    );
    expect(cert.checkHost('outpost.local', { subject: 'never' })).toBe('outpost.local');
    expect(cert.checkIP('fe80::1')).toBe('fe80::1');
    expect(cert.checkHost('other.local', { subject: 'never' })).toBeUndefined();
  });

  it('is valid from an hour back for 825 days, with a random positive 16-byte serial', () => {
    expect(cert.validFromDate.toISOString()).toBe('2026-11-26T11:00:00.000Z');
    expect(cert.validToDate.toISOString()).toBe('2029-02-28T12:00:00.000Z');
    expect(built.notAfter).toEqual(cert.validToDate);
    expect(cert.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    const again = buildSelfSignedCertificate({ commonName: 'outpost', sans, now });
    expect(new X509Certificate(again.certPem).serialNumber).not.toBe(cert.serialNumber);
  });

  it('has the fingerprint of its DER bytes', () => {
    const digest = createHash('sha256').update(built.certDer).digest('hex').toUpperCase();
    expect(cert.fingerprint256).toBe(digest.match(/../g)?.join(':'));
    expect(Buffer.from(cert.raw)).toEqual(built.certDer);
  });

  it('switches notAfter to GeneralizedTime past 2049 and still parses', () => {
    const late = buildSelfSignedCertificate({ commonName: 'outpost', sans, now: new Date('2049-06-01T00:00:00Z') });
    const parsed = new X509Certificate(late.certPem);
    expect(parsed.validToDate.toISOString()).toBe('2051-09-04T00:00:00.000Z');
    expect(late.certDer.includes(Buffer.from('20510904000000Z'))).toBe(true);
    expect(late.certDer.includes(Buffer.from('490531230000Z'))).toBe(true);
  });

  it('reuses a given key pair and keeps a long hostname whole in the SANs', () => {
    const keyPair = generateP256KeyPair();
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}`;
    const result = buildSelfSignedCertificate({ commonName: long, sans: normalizeSubjectAltNames([long], []), now, keyPair });
    const parsed = new X509Certificate(result.certPem);
    expect(parsed.verify(keyPair.publicKey)).toBe(true);
    expect(parsed.subject).toBe(`O=Outpost\nCN=${long.slice(0, 64)}`);
    expect(parsed.subjectAltName).toBe(`DNS:${long}`);
  });

  it('leaves the SAN extension out when there is nothing to cover (GeneralNames cannot be empty)', () => {
    const bare = buildSelfSignedCertificate({ commonName: 'outpost', sans: { dnsNames: [], ipAddresses: [] }, now });
    const parsed = new X509Certificate(bare.certPem);
    expect(parsed.subjectAltName).toBeUndefined();
    expect(parsed.verify(parsed.publicKey)).toBe(true);
  });

  it('refuses a key pair that is not EC P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => buildSelfSignedCertificate({ commonName: 'x', sans, now, keyPair: rsa })).toThrow(/P-256/);
  });
});
