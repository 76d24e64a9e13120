// Which names and addresses a technician may use to reach the device: every non-loopback,
// non-internal interface address (IPv4 and IPv6) and the hostname with its mDNS ".local" form.
// Pure: the adapter passes in os.networkInterfaces() and os.hostname().

import type { NetworkInterfaceInfo } from 'node:os';
import { formatIpAddress, isDnsName, parseIpAddress } from './names.ts';

export interface DeviceAddresses {
  /** Lower-case hostnames: the system hostname and `<short name>.local`; invalid or "localhost" names are left out. */
  hostnames: string[];
  /** Canonical IP text of every non-loopback, non-internal interface address, IPv4 first. */
  addresses: string[];
}

function isLoopback(bytes: Uint8Array): boolean {
  if (bytes.length === 4) return bytes[0] === 127;
  const allZeroUntil = (end: number) => bytes.subarray(0, end).every((byte) => byte === 0);
  if (allZeroUntil(15) && bytes[15] === 1) return true; // ::1
  return allZeroUntil(10) && bytes[10] === 0xff && bytes[11] === 0xff && bytes[12] === 127; // ::ffff:127.x
}

export function listDeviceAddresses(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
  hostname: string,
): DeviceAddresses {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      const bytes = parseIpAddress(info.address);
      if (!bytes || isLoopback(bytes)) continue;
      const list = bytes.length === 4 ? v4 : v6;
      const text = formatIpAddress(bytes);
      if (!list.includes(text)) list.push(text);
    }
  }
  const hostnames: string[] = [];
  const name = hostname.trim().replace(/\.$/, '').toLowerCase();
  if (isDnsName(name) && name !== 'localhost' && !name.endsWith('.localhost')) {
    hostnames.push(name);
    const short = name.split('.')[0] ?? name;
    const mdns = name.endsWith('.local') ? name : `${short}.local`;
    if (!hostnames.includes(mdns)) hostnames.push(mdns);
  }
  return { hostnames, addresses: [...v4, ...v6] };
}
