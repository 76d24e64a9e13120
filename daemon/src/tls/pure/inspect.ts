// Reading facts back out of a parsed certificate (node:crypto's X509Certificate, no file system):
// its subject alternative names, which requested names it misses, and how long it has left.

import type { X509Certificate } from 'node:crypto';
import { formatIpAddress, parseIpAddress, type SubjectAltNames } from './names.ts';

const DAY_MS = 86_400_000;

/**
 * Splits Node's `subjectAltName` text ("DNS:a, IP Address:1.2.3.4") into entries. Node quotes a
 * value holding a comma or quote as a JSON string (DNS:"a, b"), so a plain split is not enough.
 */
export function parseSubjectAltNameText(text: string | undefined): string[] {
  const entries: string[] = [];
  let rest = text ?? '';
  while (rest.length > 0) {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    const type = rest.slice(0, colon);
    let value: string;
    let after = rest.slice(colon + 1);
    const quoted = after.startsWith('"') ? /^"(?:[^"\\]|\\.)*"/.exec(after) : null;
    if (quoted) {
      value = JSON.parse(quoted[0]) as string;
      after = after.slice(quoted[0].length);
    } else {
      const end = after.indexOf(', ');
      value = end < 0 ? after : after.slice(0, end);
      after = end < 0 ? '' : after.slice(end);
    }
    entries.push(formatSanEntry(type, value));
    rest = after.startsWith(', ') ? after.slice(2) : '';
  }
  return entries;
}

function formatSanEntry(type: string, value: string): string {
  if (type === 'IP Address') {
    const bytes = parseIpAddress(value);
    return `IP:${bytes ? formatIpAddress(bytes) : value}`;
  }
  return `${type}:${value}`;
}

/** The SANs of a certificate as "DNS:name" and "IP:address" (canonical IP text) entries. */
export function subjectAltNamesOf(certificate: X509Certificate): string[] {
  return parseSubjectAltNameText(certificate.subjectAltName);
}

/** The requested names and addresses the certificate does not cover (SANs only, never the CN). */
export function uncoveredNames(certificate: X509Certificate, wanted: SubjectAltNames): string[] {
  const missing: string[] = [];
  for (const name of wanted.dnsNames) {
    if (certificate.checkHost(name, { subject: 'never' }) === undefined) missing.push(name);
  }
  for (const address of wanted.ipAddresses) {
    if (certificate.checkIP(address) === undefined) missing.push(address);
  }
  return missing;
}

/** Days (fractional) from `now` until the certificate's notAfter (negative once expired). */
export function daysLeft(certificate: X509Certificate, now: Date): number {
  return (certificate.validToDate.getTime() - now.getTime()) / DAY_MS;
}
