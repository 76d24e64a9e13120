// Which local user owns the other end of a loopback TCP connection, read from the kernel's socket
// table (/proc/net/tcp, /proc/net/tcp6) — pure: the caller reads the table and passes it in. A
// process cannot forge the uid the kernel records for its socket, which is why the kiosk listener
// counts connections per local user rather than per address (docs/security.md).

/** TCP_TIME_WAIT: the socket is closed and the kernel no longer knows its owner (uid 0). */
const TIME_WAIT = '06';

function hex32(bytes: number[], littleEndian: boolean): string {
  const ordered = littleEndian ? [...bytes].reverse() : bytes;
  return ordered.map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

function ipv4Bytes(ip: string): number[] | null {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

/** The 16 bytes of an IPv6 address in text form (with `::` and a trailing IPv4 part), or null. */
export function ipv6Bytes(ip: string): number[] | null {
  let text = ip.replace(/%.*$/, '').toLowerCase();
  let tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const bytes = ipv4Bytes(v4[2]!);
    if (!bytes) return null;
    tail = bytes;
    text = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const words = (s: string) => (s === '' ? [] : s.split(':'));
  const left = words(halves[0] ?? '');
  const right = halves.length === 2 ? words(halves[1] ?? '') : [];
  const total = 8 - tail.length / 2;
  if (![...left, ...right].every((w) => /^[0-9a-f]{1,4}$/.test(w))) return null;
  const missing = total - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right].map((w) => parseInt(w, 16));
  return [...all.flatMap((w) => [w >> 8, w & 0xff]), ...tail];
}

/**
 * An address and port as the socket table prints them: the address in host byte order per 32-bit
 * word (8 hex digits for IPv4, 32 for IPv6), a colon, the port in 4 hex digits.
 */
export function procNetAddress(ip: string, port: number, littleEndian: boolean): string | null {
  const v4 = ipv4Bytes(ip);
  const bytes = v4 ?? ipv6Bytes(ip);
  if (!bytes) return null;
  const words: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push(hex32(bytes.slice(i, i + 4), littleEndian));
  return `${words.join('')}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`), or null. */
export function unmappedIpv4(ip: string): string | null {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return match ? match[1]! : null;
}

/**
 * The uid owning the socket whose local end is `local` and remote end is `remote` (both in table
 * form), or null when the table has no such live socket (the peer is gone, or is in TIME_WAIT).
 */
export function socketOwner(table: string, local: string, remote: string): number | null {
  for (const line of table.split('\n')) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 8 || columns[1] !== local || columns[2] !== remote || columns[3] === TIME_WAIT) continue;
    const uid = Number(columns[7]);
    if (Number.isInteger(uid) && uid >= 0) return uid;
  }
  return null;
}
