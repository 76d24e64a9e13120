import { describe, expect, it } from 'vitest';
import { addressesByInterface, ipv4Addresses, parseFibTrieLocal, parseIfInet6 } from '../../../daemon/src/health/parse-net.ts';
import { fixture } from './fixture.ts';

function addresses(machine: string): Map<string, string[]> {
  return addressesByInterface([
    ...ipv4Addresses(fixture(machine, 'proc/net/fib_trie'), fixture(machine, 'proc/net/route')),
    ...parseIfInet6(fixture(machine, 'proc/net/if_inet6')),
  ]);
}

describe('interface addresses', () => {
  it('finds the recorded VM addresses with their prefixes, IPv4 first', () => {
    const a = addresses('vm-no-sensors');
    expect(a.get('eth0')).toEqual(['192.0.2.2/24', 'fe80::fc:ff:fe00:1/64', 'fd00::2/64']);
    expect(a.get('lo')).toEqual(['127.0.0.1/8', '::1/128']);
  });

  it('maps IPv4 addresses to interfaces through the routing table on the edge box', () => {
    const a = addresses('edge-rack');
    expect(a.get('eth0')).toEqual(['10.20.0.15/24', 'fe80::211:22ff:fe33:4455/64']);
    expect(a.get('cni0')).toEqual(['10.42.0.1/24', 'fe80::1/64']);
  });

  it('lists only IPv6 addresses on an IPv6-only machine', () => {
    const a = addresses('ipv6-only');
    expect(a.get('eth0')).toEqual(['2001:db8::10/64', 'fe80::211:22ff:fe33:4455/64']);
    expect(a.get('br-lan')).toEqual(['2001:db8:1::1/48']);
    expect(a.get('lo')).toEqual(['127.0.0.1/8', '::1/128']);
  });

  it('reads each LOCAL host address once although fib_trie lists it in two tables', () => {
    expect(parseFibTrieLocal(fixture('edge-rack', 'proc/net/fib_trie')).sort()).toEqual(['10.20.0.15', '10.42.0.1', '127.0.0.0', '127.0.0.1'].filter((x) => x !== '127.0.0.0').sort());
  });

  it('drops an IPv4 address no route explains rather than guessing its interface', () => {
    const fib = 'Local:\n  +-- 0.0.0.0/0 1 0 0\n     |-- 198.51.100.7\n        /32 host LOCAL\n';
    expect(ipv4Addresses(fib, 'Iface\tDestination\n')).toEqual([]);
  });

  it('writes the full form when no run of zero groups exists', () => {
    expect(parseIfInet6('20010db8000100020003000400050006 02 40 00 80 eth0')[0]!.cidr).toBe('2001:db8:1:2:3:4:5:6/64');
  });
});
