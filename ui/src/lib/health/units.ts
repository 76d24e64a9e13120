// Human units for health numbers: binary sizes, decimal rates, percentages, temperatures.
import type { HealthStatus } from '@protocol';

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let v = Math.max(0, bytes);
  let i = 0;
  while (v >= 1024 && i < SIZE_UNITS.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? Math.round(v) : v < 10 ? v.toFixed(1) : Math.round(v)} ${SIZE_UNITS[i]}`;
}

/** Bytes per second as bits per second, the way links are rated (kbit/s, Mbit/s, Gbit/s). */
export function formatBitRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return '—';
  const bits = Math.max(0, bytesPerSecond) * 8;
  if (bits < 1000) return `${Math.round(bits)} bit/s`;
  const units = ['kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let v = bits / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatByteRate(bytesPerSecond: number | null | undefined): string {
  const s = formatBytes(bytesPerSecond);
  return s === '—' ? s : `${s}/s`;
}

export function formatPct(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toFixed(digits)} %`;
}

export function formatCelsius(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${Math.round(value)} °C`;
}

export function formatSpeed(mbps: number | null): string {
  if (mbps === null) return '—';
  return mbps >= 1000 ? `${mbps / 1000} Gbit/s` : `${mbps} Mbit/s`;
}

export function formatDateTime(unixMs: number, timeZone?: string): string {
  try {
    return new Date(unixMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium', ...(timeZone ? { timeZone } : {}) });
  } catch {
    return new Date(unixMs).toLocaleString();
  }
}

export const STATUS_LABEL: Record<HealthStatus, string> = { ok: 'Healthy', warning: 'Warning', critical: 'Critical' };

/** Level for a percentage against a warning and a critical mark (colours gauges). */
export function levelOf(value: number, warning: number, critical: number): HealthStatus {
  if (value >= critical) return 'critical';
  if (value >= warning) return 'warning';
  return 'ok';
}

/** Addresses someone could connect to: not loopback, not link-local, IPv4 first. */
export function reachableAddresses(interfaces: readonly { loopback: boolean; state: string; addresses: string[] }[]): string[] {
  const out: string[] = [];
  for (const i of interfaces) {
    if (i.loopback || i.state === 'down') continue;
    for (const cidr of i.addresses) {
      const ip = cidr.split('/')[0] ?? '';
      if (ip.startsWith('fe80:') || ip.startsWith('169.254.')) continue;
      out.push(ip);
    }
  }
  return out.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
}
