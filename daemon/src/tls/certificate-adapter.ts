// ensureCertificate: the one place that decides which certificate the HTTPS listeners serve.
// A configured certificate is used as given (or refused with a stable code); otherwise the daemon's
// own certificate under <dir>/tls/ is reused while it is sound, or replaced by a fresh one.

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { TlsError } from './errors.ts';
import { ensureFileMode, ensurePrivateFolder, readSmallFile, writeFileAtomic } from './files-adapter.ts';
import { daysLeft, subjectAltNamesOf, uncoveredNames } from './pure/inspect.ts';
import { normalizeSubjectAltNames, type SubjectAltNames } from './pure/names.ts';
import { buildSelfSignedCertificate } from './pure/x509.ts';

/** A generated certificate is replaced once it has this many days or fewer left. */
export const RENEW_BEFORE_DAYS = 30;
const FOLDER_MODE = 0o700;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

export interface EnsureCertificateOptions {
  /** The state folder (OUTPOST_HOME); the generated pair lives in `<dir>/tls/`. */
  dir: string;
  /** DNS names the certificate must cover (an IP given here counts as an address). */
  hostnames: readonly string[];
  /** IP addresses the certificate must cover; an IPv6 zone ("%eth0") is ignored. */
  addresses: readonly string[];
  /** An operator's own certificate (PEM, may hold a chain, leaf first) and key (PEM, unencrypted). */
  configured?: { certFile: string; keyFile: string } | undefined;
  now?: Date;
}

export interface TlsCertificate {
  /** PEM; for a configured certificate, the whole file (leaf and any chain). */
  certPem: string;
  keyPem: string;
  /** SHA-256 of the leaf's DER, colon-separated upper-case hex, as X509Certificate.fingerprint256. */
  fingerprint256: string;
  /** The leaf's subject alternative names as "DNS:name" and "IP:address" entries. */
  sans: string[];
  notAfter: Date;
  source: 'generated' | 'existing' | 'configured';
  /** Why a new certificate was generated (only when source is 'generated'). */
  reason?: string;
  /** Requested names/addresses the certificate does not cover; only a configured one can miss any. */
  uncovered: string[];
}

export function certificatePaths(dir: string): { folder: string; certFile: string; keyFile: string } {
  const folder = path.join(dir, 'tls');
  return { folder, certFile: path.join(folder, 'cert.pem'), keyFile: path.join(folder, 'key.pem') };
}

export async function ensureCertificate(options: EnsureCertificateOptions): Promise<TlsCertificate> {
  const now = options.now ?? new Date();
  const wanted = normalizeSubjectAltNames(options.hostnames, options.addresses);
  if (options.configured) return loadConfigured(options.configured, wanted, now);
  const paths = certificatePaths(options.dir);
  const existing = await inspectExisting(paths, wanted, now);
  if (existing.ok) {
    try {
      await ensurePrivateFolder(paths.folder, FOLDER_MODE);
      await ensureFileMode(paths.keyFile, KEY_MODE);
    } catch (error) {
      storeFailed(paths.folder)(error);
    }
    return existing.certificate;
  }
  return generate(paths, wanted, now, existing.reason);
}

function describe(certificate: X509Certificate, certPem: string, keyPem: string, source: TlsCertificate['source'], uncovered: string[]): TlsCertificate {
  return {
    certPem,
    keyPem,
    fingerprint256: certificate.fingerprint256,
    sans: subjectAltNamesOf(certificate),
    notAfter: certificate.validToDate,
    source,
    uncovered,
  };
}

function parseKey(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}

async function loadConfigured(configured: { certFile: string; keyFile: string }, wanted: SubjectAltNames, now: Date): Promise<TlsCertificate> {
  const cert = await readSmallFile(configured.certFile, { followSymlinks: true });
  if (!cert.ok) throw new TlsError('tls_cert_unreadable', `TLS certificate ${configured.certFile} ${cert.reason}`, { cause: cert.cause });
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert.text);
  } catch (error) {
    throw new TlsError('tls_cert_invalid', `TLS certificate ${configured.certFile} holds no PEM certificate`, { cause: error });
  }
  const key = await readSmallFile(configured.keyFile, { followSymlinks: true });
  if (!key.ok) throw new TlsError('tls_key_unreadable', `TLS key ${configured.keyFile} ${key.reason}`, { cause: key.cause });
  let privateKey: KeyObject;
  try {
    privateKey = parseKey(key.text);
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(key.text);
    const what = encrypted ? 'is encrypted (a passphrase-protected key cannot be used)' : 'holds no PEM private key';
    throw new TlsError('tls_key_invalid', `TLS key ${configured.keyFile} ${what}`, { cause: error });
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsError('tls_key_mismatch', `TLS key ${configured.keyFile} is not the key of certificate ${configured.certFile}`);
  }
  if (certificate.validToDate.getTime() <= now.getTime()) {
    throw new TlsError('tls_cert_expired', `TLS certificate ${configured.certFile} expired on ${certificate.validToDate.toISOString()}`);
  }
  if (certificate.validFromDate.getTime() > now.getTime()) {
    throw new TlsError('tls_cert_not_yet_valid', `TLS certificate ${configured.certFile} is not valid before ${certificate.validFromDate.toISOString()} (check the device clock)`);
  }
  return describe(certificate, cert.text, key.text, 'configured', uncoveredNames(certificate, wanted));
}

type Existing = { ok: true; certificate: TlsCertificate } | { ok: false; reason: string };

/** Whether the daemon's own pair can be served again; any doubt means "generate a new one". */
async function inspectExisting(paths: ReturnType<typeof certificatePaths>, wanted: SubjectAltNames, now: Date): Promise<Existing> {
  const cert = await readSmallFile(paths.certFile, { followSymlinks: false });
  if (!cert.ok) return { ok: false, reason: `${paths.certFile} ${cert.reason}` };
  const key = await readSmallFile(paths.keyFile, { followSymlinks: false });
  if (!key.ok) return { ok: false, reason: `${paths.keyFile} ${key.reason}` };
  let certificate: X509Certificate;
  let privateKey: KeyObject;
  try {
    certificate = new X509Certificate(cert.text);
    privateKey = parseKey(key.text);
  } catch {
    return { ok: false, reason: 'the stored certificate or key cannot be parsed' };
  }
  if (!certificate.checkPrivateKey(privateKey)) return { ok: false, reason: 'the stored key does not match the stored certificate' };
  const left = daysLeft(certificate, now);
  if (left <= RENEW_BEFORE_DAYS) {
    return { ok: false, reason: left <= 0 ? 'the stored certificate has expired' : `the stored certificate expires within ${RENEW_BEFORE_DAYS} days` };
  }
  const missing = uncoveredNames(certificate, wanted);
  if (missing.length > 0) return { ok: false, reason: `the stored certificate does not cover ${missing.join(', ')}` };
  return { ok: true, certificate: describe(certificate, cert.text, key.text, 'existing', []) };
}

async function generate(paths: ReturnType<typeof certificatePaths>, wanted: SubjectAltNames, now: Date, reason: string): Promise<TlsCertificate> {
  const commonName = wanted.dnsNames[0] ?? wanted.ipAddresses[0] ?? 'outpost';
  const built = buildSelfSignedCertificate({ commonName, sans: wanted, now });
  try {
    await ensurePrivateFolder(paths.folder, FOLDER_MODE);
    // Key first: a crash between the two renames leaves a pair that fails checkPrivateKey, so the
    // next start regenerates instead of serving a certificate whose key is gone.
    await writeFileAtomic(paths.keyFile, built.keyPem, KEY_MODE);
    await writeFileAtomic(paths.certFile, built.certPem, CERT_MODE);
  } catch (error) {
    storeFailed(paths.folder)(error);
  }
  const certificate = new X509Certificate(built.certPem);
  return { ...describe(certificate, built.certPem, built.keyPem, 'generated', []), reason };
}

function storeFailed(folder: string): (error: unknown) => never {
  return (error) => {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TlsError('tls_store_failed', `cannot write the TLS certificate under ${folder} (${code ?? String(error)})`, { cause: error });
  };
}
