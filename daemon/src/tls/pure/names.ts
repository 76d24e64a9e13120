// Subject alternative names: validating and normalising the hostnames and addresses a certificate
// must cover. Pure (no node:net): IP text is parsed here into the exact bytes X.509 stores.

import { TlsError } from '../errors.ts';

export interface SubjectAltNames {
  /** Lower-case DNS names without a trailing dot, unique, in first-seen order. */
  dnsNames: string[];
  /** Canonical IP text (dotted IPv4, RFC 5952 IPv6, zone stripped), unique, in first-seen order. */
  ipAddresses: string[];
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6Groups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const part of text.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
    groups.push(parseInt(part, 16));
  }
  return groups;
}

function parseIpv6(text: string): number[] | undefined {
  let body = text;
  let tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(body.slice(lastColon + 1));
    if (!v4 || lastColon < 0) return undefined;
    tail = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    body = body.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::", "64:ff9b::1.2.3.4" leaves "64:ff9b::", "::ffff:1.2.3.4" leaves "::ffff:".
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseIpv6Groups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseIpv6Groups(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

/** The 4 or 16 bytes of an IP address, or undefined. An IPv6 zone ("fe80::1%eth0") is dropped. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  const withoutZone = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  if (text.includes('%') && !withoutZone.includes(':')) return undefined;
  const bytes = withoutZone.includes(':') ? parseIpv6(withoutZone) : parseIpv4(withoutZone);
  return bytes ? Uint8Array.from(bytes) : undefined;
}

/** Canonical text for 4 or 16 address bytes: dotted IPv4, RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) throw new RangeError(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i += 1; continue; }
    let end = i;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - i > bestLength) { bestStart = i; bestLength = end - i; }
    i = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/**
 * A DNS name a certificate may carry: labels of letters, digits, hyphens (and underscores, which
 * some device hostnames have), 1..63 characters, no leading or trailing hyphen, 253 characters in all.
 */
export function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label));
}

/**
 * Validates and normalises what the certificate must cover. A "hostname" that is an IP address
 * counts as an address. Throws TlsError('tls_invalid_name') naming every bad entry at once. Both
 * lists may be empty (a device with no network yet): the certificate then has no SAN extension.
 */
export function normalizeSubjectAltNames(hostnames: readonly string[], addresses: readonly string[]): SubjectAltNames {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const bad: string[] = [];
  const addIp = (text: string): boolean => {
    const bytes = parseIpAddress(text.trim());
    if (!bytes) return false;
    const canonical = formatIpAddress(bytes);
    if (!ipAddresses.includes(canonical)) ipAddresses.push(canonical);
    return true;
  };
  for (const raw of hostnames) {
    const name = raw.trim().replace(/\.$/, '').toLowerCase();
    if (addIp(name)) continue;
    if (!isDnsName(name)) bad.push(`hostname ${JSON.stringify(raw)}`);
    else if (!dnsNames.includes(name)) dnsNames.push(name);
  }
  for (const raw of addresses) {
    if (!addIp(raw)) bad.push(`address ${JSON.stringify(raw)}`);
  }
  if (bad.length > 0) throw new TlsError('tls_invalid_name', `not a valid certificate name: ${bad.join(', ')}`);
  return { dnsNames, ipAddresses };
}
