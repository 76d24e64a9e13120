import { describe, expect, it } from 'vitest';
import { isTlsError } from '../../../daemon/src/tls/errors.ts';
import { parseSubjectAltNameText } from '../../../daemon/src/tls/pure/inspect.ts';
import { listDeviceAddresses } from '../../../daemon/src/tls/pure/device-names.ts';
import { formatIpAddress, isDnsName, normalizeSubjectAltNames, parseIpAddress } from '../../../daemon/src/tls/pure/names.ts';

const bytesOf = (text: string) => {
  const bytes = parseIpAddress(text);
  return bytes ? Buffer.from(bytes).toString('hex') : undefined;
};

describe('IP address parsing', () => {
  it('reads IPv4 and IPv6 into the 4 or 16 bytes X.509 stores', () => {
    expect(bytesOf('192.168.1.5')).toBe('c0a80105');
    expect(bytesOf('::1')).toBe('00000000000000000000000000000001');
    expect(bytesOf('2001:DB8::1')).toBe('20010db8000000000000000000000001');
    expect(bytesOf('::')).toBe('0'.repeat(32));
    expect(bytesOf('::ffff:10.0.0.1')).toBe('00000000000000000000ffff0a000001');
    expect(bytesOf('1:2:3:4:5:6:7:8')).toBe('00010002000300040005000600070008');
  });

  it('strips the zone of a link-local IPv6 address', () => {
    expect(bytesOf('fe80::1%eth0')).toBe('fe800000000000000000000000000001');
    expect(bytesOf('10.0.0.1%eth0')).toBeUndefined();
  });

  it('refuses text that is not an address', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', ':1::', '1::2:', 'outpost']) {
      expect(bytesOf(bad), bad).toBeUndefined();
    }
  });

  it('formats IPv6 as RFC 5952 text', () => {
    const canonical = (text: string) => formatIpAddress(parseIpAddress(text) ?? new Uint8Array());
    expect(canonical('FE80:0:0:0:0:0:0:1')).toBe('fe80::1');
    expect(canonical('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonical('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonical('0:0:0:0:0:0:0:0')).toBe('::');
    expect(canonical('1:0:0:0:0:0:0:0')).toBe('1::');
    expect(canonical('10.1.2.3')).toBe('10.1.2.3');
  });
});

describe('certificate names', () => {
  it('accepts host names and refuses what a DNS name cannot be', () => {
    expect(isDnsName('outpost-01.local')).toBe(true);
    expect(isDnsName('a'.repeat(63))).toBe(true);
    for (const bad of ['', 'a'.repeat(64), '-x', 'x-', 'a..b', 'has space', 'ünï', '*.example.com']) {
      expect(isDnsName(bad), bad).toBe(false);
    }
  });

  it('normalises, de-duplicates and moves IPs given as hostnames to the addresses', () => {
    const sans = normalizeSubjectAltNames(['Outpost', 'outpost.', 'outpost.local', '10.0.0.2'], ['10.0.0.2', 'fe80::1%eth0', 'FE80::1']);
    expect(sans).toEqual({ dnsNames: ['outpost', 'outpost.local'], ipAddresses: ['10.0.0.2', 'fe80::1'] });
  });

  it('names every bad entry in one tls_invalid_name error', () => {
    try {
      normalizeSubjectAltNames(['ok', 'not ok'], ['1.2.3.999']);
      expect.unreachable();
    } catch (error) {
      expect(isTlsError(error) && error.code).toBe('tls_invalid_name');
      expect(String(error)).toContain('"not ok"');
      expect(String(error)).toContain('"1.2.3.999"');
    }
    expect(normalizeSubjectAltNames([], [])).toEqual({ dnsNames: [], ipAddresses: [] });
  });
});

describe("Node's subjectAltName text", () => {
  it('splits entries, unquotes JSON-quoted values and canonicalises IPs', () => {
    // The quoting is what Node 24 prints for a SAN holding a comma or a quote.
    const text = String.raw`DNS:outpost, DNS:"a\u002c b", DNS:"q\"z", IP Address:10.0.0.1, IP Address:FE80:0:0:0:0:0:0:1, email:x@y`;
    expect(parseSubjectAltNameText(text)).toEqual(['DNS:outpost', 'DNS:a, b', 'DNS:q"z', 'IP:10.0.0.1', 'IP:fe80::1', 'email:x@y']);
    expect(parseSubjectAltNameText(undefined)).toEqual([]);
  });
});

describe('device addresses', () => {
  const info = (address: string, internal = false) => ({
    address, internal, family: address.includes(':') ? 'IPv6' as const : 'IPv4' as const,
    netmask: '', mac: '00:00:00:00:00:00', cidr: null, scopeid: 0,
  });

  it('lists every non-loopback, non-internal address, IPv4 first, and the hostname with its .local name', () => {
    const result = listDeviceAddresses({
      lo: [info('127.0.0.1', true), info('::1', true)],
      eth0: [info('fe80::a00:27ff:fe4e:66a1'), info('192.168.1.20')],
      wlan0: [info('10.0.0.7'), info('2001:db8::7')],
      odd: [info('127.0.0.2'), info('192.168.1.20')],
    }, 'Outpost-01');
    expect(result).toEqual({
      hostnames: ['outpost-01', 'outpost-01.local'],
      addresses: ['192.168.1.20', '10.0.0.7', 'fe80::a00:27ff:fe4e:66a1', '2001:db8::7'],
    });
  });

  it('uses the short name for mDNS and leaves out localhost or invalid hostnames', () => {
    expect(listDeviceAddresses({}, 'box.example.com').hostnames).toEqual(['box.example.com', 'box.local']);
    expect(listDeviceAddresses({}, 'box.local').hostnames).toEqual(['box.local']);
    expect(listDeviceAddresses({}, 'localhost').hostnames).toEqual([]);
    expect(listDeviceAddresses({}, 'bad name').hostnames).toEqual([]);
  });
});
