import { describe, expect, it } from 'vitest';
import { formatBitRate, formatBytes, formatCelsius, formatPct, formatSpeed, levelOf, reachableAddresses } from './units.ts';

describe('health units', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200e9)).toBe('186 GiB');
    expect(formatBytes(null)).toBe('—');
  });
  it('formats link rates in bits per second', () => {
    expect(formatBitRate(125_000)).toBe('1.0 Mbit/s');
    expect(formatBitRate(12)).toBe('96 bit/s');
    expect(formatBitRate(125_000_000)).toBe('1.0 Gbit/s');
  });
  it('formats percentages, temperatures and link speeds', () => {
    expect(formatPct(93.4)).toBe('93 %');
    expect(formatCelsius(96.4)).toBe('96 °C');
    expect(formatSpeed(1000)).toBe('1 Gbit/s');
    expect(formatSpeed(null)).toBe('—');
  });
  it('grades a value against its marks', () => {
    expect(levelOf(50, 85, 95)).toBe('ok');
    expect(levelOf(90, 85, 95)).toBe('warning');
    expect(levelOf(95, 85, 95)).toBe('critical');
  });
  it('lists addresses a technician can reach, IPv4 first, without loopback or link-local', () => {
    const ifs = [
      { loopback: true, state: 'unknown', addresses: ['127.0.0.1/8', '::1/128'] },
      { loopback: false, state: 'up', addresses: ['2001:db8::10/64', 'fe80::1/64', '10.0.0.5/24'] },
      { loopback: false, state: 'down', addresses: ['192.0.2.9/24'] },
    ];
    expect(reachableAddresses(ifs)).toEqual(['10.0.0.5', '2001:db8::10']);
  });
});
