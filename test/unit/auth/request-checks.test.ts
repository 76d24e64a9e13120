import { describe, expect, it } from 'vitest';
import { hostnameOf, isHostAllowed, isLoopbackAddress, isSameOrigin, parseCookies } from '../../../daemon/src/auth/request-checks.ts';

describe('request checks', () => {
  it('reads the host name from Host headers with ports, IPv6 brackets and odd case', () => {
    expect(hostnameOf('Device.local:8443')).toBe('device.local');
    expect(hostnameOf('[fe80::1]:443')).toBe('fe80::1');
    expect(hostnameOf('10.0.0.5')).toBe('10.0.0.5');
    expect(hostnameOf('bad host')).toBeNull();
    expect(hostnameOf('a@b')).toBeNull();
    expect(hostnameOf(undefined)).toBeNull();
  });

  it('allows only listed host names (DNS rebinding)', () => {
    const allowed = new Set(['localhost', '127.0.0.1', 'edge-7']);
    expect(isHostAllowed('localhost:7480', allowed)).toBe(true);
    expect(isHostAllowed('EDGE-7', allowed)).toBe(true);
    expect(isHostAllowed('attacker.example', allowed)).toBe(false);
    expect(isHostAllowed('127.0.0.1.nip.io', allowed)).toBe(false);
  });

  it('accepts our own origin only, with scheme and port', () => {
    const host = '10.0.0.5:8443';
    expect(isSameOrigin({ origin: 'https://10.0.0.5:8443', host }, true)).toBe(true);
    expect(isSameOrigin({ origin: 'http://10.0.0.5:8443', host }, true)).toBe(false);
    expect(isSameOrigin({ origin: 'https://10.0.0.5:9000', host }, true)).toBe(false);
    expect(isSameOrigin({ origin: 'null', host }, true)).toBe(false);
    expect(isSameOrigin({ 'sec-fetch-site': 'same-origin', host }, true)).toBe(true);
    expect(isSameOrigin({ 'sec-fetch-site': 'cross-site', host }, true)).toBe(false);
    expect(isSameOrigin({ host }, true)).toBe(false);
  });

  it('compares Origin as an exact string: no spelling a URL parser would fold into ours passes', () => {
    const host = '127.0.0.1:7480';
    expect(isSameOrigin({ origin: 'http://127.0.0.1:7480', host }, false)).toBe(true);
    for (const spelling of [
      'http://127.0.0.1:7480/',
      'HTTP://127.0.0.1:7480',
      'http://127.0.0.1:7480/some/path',
      'http://user@127.0.0.1:7480',
      'http://127.0.0.01:7480',
      'http://2130706433:7480',
      'http://0x7f.0.0.1:7480',
      'http://127.0.0.1:07480',
      ' http://127.0.0.1:7480',
      'http://127.0.0.1:7480#',
    ]) {
      expect(isSameOrigin({ origin: spelling, host }, false), spelling).toBe(false);
    }
  });

  it('parses cookies, keeping the first of duplicates', () => {
    expect([...parseCookies('a=1; outpost_session=xyz; a=2')]).toEqual([
      ['a', '1'],
      ['outpost_session', 'xyz'],
    ]);
  });

  it('knows loopback addresses, including IPv4-mapped ones', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].every(isLoopbackAddress)).toBe(true);
    expect(['10.0.0.1', '0.0.0.0', '::', '192.168.1.1'].some(isLoopbackAddress)).toBe(false);
  });
});
