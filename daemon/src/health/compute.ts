// Pure: turns two consecutive fast-tier readings into the sample values (rates, percentages).
import type { CpuSample, DiskSample, HealthSeriesName, InterfaceSample, MemorySample, HealthSample } from '../protocol/health.ts';
import {
  cpuBusyPct,
  isReportedDisk,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
  parseUptime,
  ratePerSecond,
  type DiskCounters,
  type NetCounters,
  type ProcStat,
} from './parse-proc.ts';

export interface FastReading {
  /** Monotonic ms, for rates. */
  mono: number;
  /** Wall-clock Unix ms. */
  time: number;
  stat: ProcStat;
  meminfo: Map<string, number>;
  load: [number, number, number];
  uptimeS: number;
  disks: DiskCounters[];
  net: NetCounters[];
}

export interface FastTexts {
  stat: string | null;
  meminfo: string | null;
  loadavg: string | null;
  uptime: string | null;
  diskstats: string | null;
  netdev: string | null;
}

export function parseFast(texts: FastTexts, mono: number, time: number): FastReading {
  return {
    mono,
    time,
    stat: parseProcStat(texts.stat ?? ''),
    meminfo: parseMeminfo(texts.meminfo ?? ''),
    load: parseLoadavg(texts.loadavg ?? ''),
    uptimeS: parseUptime(texts.uptime ?? ''),
    disks: parseDiskstats(texts.diskstats ?? ''),
    net: parseNetDev(texts.netdev ?? ''),
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export function computeCpu(prev: FastReading | null, cur: FastReading, freqMhz: number[] | null): CpuSample {
  const total = prev?.stat.total && cur.stat.total ? round1(cpuBusyPct(prev.stat.total, cur.stat.total)) : 0;
  const perCorePct = cur.stat.cores.map((core) => {
    const before = prev?.stat.cores.find((c) => c.cpu === core.cpu);
    return before ? round1(cpuBusyPct(before, core)) : 0;
  });
  return { totalPct: total, perCorePct, load: cur.load, freqMhz };
}

export function computeMemory(meminfo: Map<string, number>): MemorySample {
  const total = meminfo.get('MemTotal') ?? 0;
  // MemAvailable exists since Linux 3.14; before that, free + buffers + cache is the usual estimate.
  const available = meminfo.get('MemAvailable') ?? (meminfo.get('MemFree') ?? 0) + (meminfo.get('Buffers') ?? 0) + (meminfo.get('Cached') ?? 0);
  return {
    totalBytes: total,
    availableBytes: available,
    usedPct: total > 0 ? round1(((total - available) / total) * 100) : 0,
    swapTotalBytes: meminfo.get('SwapTotal') ?? 0,
    swapFreeBytes: meminfo.get('SwapFree') ?? 0,
  };
}

export function computeDisks(prev: FastReading | null, cur: FastReading, blockDevices: ReadonlySet<string>): DiskSample[] {
  const dt = prev ? (cur.mono - prev.mono) / 1000 : 0;
  return cur.disks
    .filter((d) => isReportedDisk(d.name, blockDevices))
    .map((d) => {
      const before = prev?.disks.find((p) => p.name === d.name);
      return {
        name: d.name,
        readBps: before ? Math.round(ratePerSecond(before.readBytes, d.readBytes, dt)) : 0,
        writeBps: before ? Math.round(ratePerSecond(before.writtenBytes, d.writtenBytes, dt)) : 0,
      };
    });
}

export interface LinkInfo {
  state: string;
  speedMbps: number | null;
  loopback: boolean;
}

export function computeInterfaces(
  prev: FastReading | null,
  cur: FastReading,
  links: ReadonlyMap<string, LinkInfo>,
  addresses: ReadonlyMap<string, string[]>,
): InterfaceSample[] {
  const dt = prev ? (cur.mono - prev.mono) / 1000 : 0;
  return cur.net.map((n) => {
    const before = prev?.net.find((p) => p.name === n.name);
    const link = links.get(n.name) ?? { state: 'unknown', speedMbps: null, loopback: n.name === 'lo' };
    return {
      name: n.name,
      state: link.state,
      speedMbps: link.speedMbps,
      loopback: link.loopback,
      addresses: addresses.get(n.name) ?? [],
      rxBps: before ? Math.round(ratePerSecond(before.rxBytes, n.rxBytes, dt)) : 0,
      txBps: before ? Math.round(ratePerSecond(before.txBytes, n.txBytes, dt)) : 0,
      rxErrors: n.rxErrors,
      txErrors: n.txErrors,
      rxDropped: n.rxDropped,
      txDropped: n.txDropped,
    };
  });
}

/** The key series values of one sample (network totals leave out loopback). */
export function seriesPoint(sample: Pick<HealthSample, 'cpu' | 'memory' | 'interfaces' | 'disks' | 'sensors'>): Record<HealthSeriesName, number | null> {
  let rx = 0;
  let tx = 0;
  for (const i of sample.interfaces) {
    if (i.loopback) continue;
    rx += i.rxBps;
    tx += i.txBps;
  }
  let read = 0;
  let write = 0;
  for (const d of sample.disks) {
    read += d.readBps;
    write += d.writeBps;
  }
  const temps = sample.sensors.map((s) => s.celsius);
  return {
    cpu: sample.cpu.totalPct,
    memory: sample.memory.usedPct,
    load1: sample.cpu.load[0],
    netRx: rx,
    netTx: tx,
    diskRead: read,
    diskWrite: write,
    tempMax: temps.length > 0 ? Math.max(...temps) : null,
  };
}
