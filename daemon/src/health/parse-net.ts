// Interface addresses without a process or a native call: IPv6 from /proc/net/if_inet6, IPv4 from
// the LOCAL entries of /proc/net/fib_trie matched to an interface through /proc/net/route.

export interface InterfaceAddress {
  iface: string;
  /** CIDR, e.g. 192.0.2.2/24 or fd00::2/64 */
  cidr: string;
  family: 4 | 6;
}

function compressIpv6(hex32: string): string {
  const groups: string[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(parseInt(hex32.slice(i, i + 4), 16).toString(16));
  // Longest run of zero groups (length ≥ 2) becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  const head = groups.slice(0, bestStart).join(':');
  const tail = groups.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

export function parseIfInet6(text: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 6 || !/^[0-9a-f]{32}$/i.test(parts[0] as string)) continue;
    const prefix = parseInt(parts[2] as string, 16);
    out.push({ iface: parts[5] as string, cidr: `${compressIpv6((parts[0] as string).toLowerCase())}/${prefix}`, family: 6 });
  }
  return out;
}

interface Route {
  iface: string;
  dest: number;
  mask: number;
}

/** /proc/net/route stores addresses as little-endian hex. */
function hexToIpv4Number(hex: string): number {
  const n = parseInt(hex, 16);
  return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | ((n >>> 24) & 0xff)) >>> 0;
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function maskBits(mask: number): number {
  let bits = 0;
  for (let m = mask; m & 0x80000000; m = (m << 1) >>> 0) bits += 1;
  return bits;
}

export function parseRoutes(text: string): Route[] {
  const out: Route[] = [];
  for (const line of text.split('\n').slice(1)) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 8) continue;
    out.push({ iface: parts[0] as string, dest: hexToIpv4Number(parts[1] as string), mask: hexToIpv4Number(parts[7] as string) });
  }
  return out;
}

/** The host addresses (`/32 host LOCAL`) of fib_trie's Local table. */
export function parseFibTrieLocal(text: string): string[] {
  const out = new Set<string>();
  let last: string | null = null;
  for (const line of text.split('\n')) {
    const leaf = /^\s*\|--\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (leaf) {
      last = leaf[1] as string;
      continue;
    }
    if (last && /^\s*\/32 host LOCAL/.test(line)) out.add(last);
  }
  return [...out];
}

export function ipv4Addresses(fibTrie: string, routeText: string): InterfaceAddress[] {
  const routes = parseRoutes(routeText).filter((r) => r.mask !== 0);
  const out: InterfaceAddress[] = [];
  for (const ip of parseFibTrieLocal(fibTrie)) {
    const n = ipv4ToNumber(ip);
    if (n >>> 24 === 127) {
      out.push({ iface: 'lo', cidr: `${ip}/8`, family: 4 });
      continue;
    }
    let best: Route | null = null;
    for (const r of routes) if ((n & r.mask) >>> 0 === r.dest && (!best || maskBits(r.mask) > maskBits(best.mask))) best = r;
    if (best) out.push({ iface: best.iface, cidr: `${ip}/${maskBits(best.mask)}`, family: 4 });
  }
  return out;
}

/** Addresses per interface, IPv4 first. */
export function addressesByInterface(addresses: readonly InterfaceAddress[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const sorted = [...addresses].sort((a, b) => a.family - b.family);
  for (const a of sorted) {
    const list = out.get(a.iface) ?? [];
    if (!list.includes(a.cidr)) list.push(a.cidr);
    out.set(a.iface, list);
  }
  return out;
}
