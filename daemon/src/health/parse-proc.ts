// Pure parsers for /proc files the fast tier reads every second. Text in, numbers out; a line
// that does not parse is skipped rather than failing the whole sample.

export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

/** Cumulative jiffies per mode; `cpu` is "total" for the aggregate line, else "cpu0"… */
export interface CpuTimes {
  cpu: string;
  times: Record<CpuMode, number>;
}

export interface ProcStat {
  total: CpuTimes | null;
  cores: CpuTimes[];
  /** Unix seconds (btime). */
  bootTime: number | null;
}

function numbers(parts: string[]): number[] {
  return parts.map((p) => Number(p));
}

export function parseProcStat(text: string): ProcStat {
  const out: ProcStat = { total: null, cores: [], bootTime: null };
  for (const line of text.split('\n')) {
    // Skip the long intr/softirq lines without splitting them: they hold thousands of numbers.
    if (!line.startsWith('cpu') && !line.startsWith('btime')) continue;
    const parts = line.trim().split(/\s+/);
    const key = parts[0] ?? '';
    if (key.startsWith('cpu')) {
      const values = numbers(parts.slice(1, 9));
      if (values.length < 4 || values.some((v) => !Number.isFinite(v))) continue;
      const times = {} as Record<CpuMode, number>;
      CPU_MODES.forEach((mode, i) => (times[mode] = values[i] ?? 0));
      if (key === 'cpu') out.total = { cpu: 'total', times };
      else if (/^cpu\d+$/.test(key)) out.cores.push({ cpu: key, times });
    } else if (key === 'btime') {
      const v = Number(parts[1]);
      if (Number.isFinite(v)) out.bootTime = v;
    }
  }
  return out;
}

/** Busy share 0–100 between two readings of the same cpu. Idle and iowait count as not busy. */
export function cpuBusyPct(before: CpuTimes, after: CpuTimes): number {
  let total = 0;
  for (const mode of CPU_MODES) total += after.times[mode] - before.times[mode];
  const idle = after.times.idle - before.times.idle + (after.times.iowait - before.times.iowait);
  if (total <= 0) return 0;
  return Math.min(100, Math.max(0, ((total - idle) / total) * 100));
}

/** /proc/meminfo as bytes by key (values given in kB are multiplied by 1024). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const rest = line.slice(colon + 1).trim();
    const space = rest.indexOf(' ');
    const digits = space < 0 ? rest : rest.slice(0, space);
    if (!/^\d+$/.test(digits)) continue;
    const value = Number(digits);
    out.set(line.slice(0, colon), rest.endsWith(' kB') ? value * 1024 : value);
  }
  return out;
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  const fix = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : 0);
  return [fix(a), fix(b), fix(c)];
}

/** Seconds since boot, from /proc/uptime. */
export function parseUptime(text: string): number {
  const v = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(v) ? v : 0;
}

export interface DiskCounters {
  name: string;
  readBytes: number;
  writtenBytes: number;
  ioTimeMs: number;
}

/** /proc/diskstats; sectors are always 512 bytes there regardless of the device. */
export function parseDiskstats(text: string): DiskCounters[] {
  const out: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 14) continue;
    const name = parts[2] as string;
    const readSectors = Number(parts[5]);
    const writtenSectors = Number(parts[9]);
    const ioTime = Number(parts[12]);
    if (![readSectors, writtenSectors, ioTime].every(Number.isFinite)) continue;
    out.push({ name, readBytes: readSectors * 512, writtenBytes: writtenSectors * 512, ioTimeMs: ioTime });
  }
  return out;
}

/** Whole disks worth reporting: not loop, ram, zram-free swap devices, floppies or partitions. */
export function isReportedDisk(name: string, blockDevices: ReadonlySet<string>): boolean {
  if (!blockDevices.has(name)) return false;
  return !/^(loop|ram|fd|sr)\d*/.test(name);
}

export interface NetCounters {
  name: string;
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export function parseNetDev(text: string): NetCounters[] {
  const out: NetCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || v.length < 16 || v.some((x) => !Number.isFinite(x))) continue;
    out.push({
      name,
      rxBytes: v[0] as number,
      rxPackets: v[1] as number,
      rxErrors: v[2] as number,
      rxDropped: v[3] as number,
      txBytes: v[8] as number,
      txPackets: v[9] as number,
      txErrors: v[10] as number,
      txDropped: v[11] as number,
    });
  }
  return out;
}

/** "cpu MHz" lines of /proc/cpuinfo, in processor order (x86); empty elsewhere. */
export function parseCpuinfoMhz(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu MHz\s*:\s*([\d.]+)/.exec(line);
    if (m) out.push(Math.round(Number(m[1])));
  }
  return out;
}

/** A counter difference as a rate; a counter that went backwards (reset, wrap) reads as 0. */
export function ratePerSecond(before: number, after: number, seconds: number): number {
  if (seconds <= 0 || after < before) return 0;
  return (after - before) / seconds;
}
