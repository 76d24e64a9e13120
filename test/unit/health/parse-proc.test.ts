import { describe, expect, it } from 'vitest';
import {
  cpuBusyPct,
  isReportedDisk,
  parseCpuinfoMhz,
  parseDiskstats,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
  parseUptime,
  ratePerSecond,
} from '../../../daemon/src/health/parse-proc.ts';
import { fixture } from './fixture.ts';

describe('/proc/stat', () => {
  it('reads the aggregate line, every core and the boot time from a recorded VM', () => {
    const stat = parseProcStat(fixture('vm-no-sensors', 'proc/stat'));
    expect(stat.total?.cpu).toBe('total');
    expect(stat.cores.map((c) => c.cpu)).toEqual(['cpu0', 'cpu1']);
    expect(stat.bootTime).toBeGreaterThan(1_700_000_000);
    expect(stat.total!.times.idle).toBeGreaterThan(0);
  });

  it('reads four cores on the edge box', () => {
    const stat = parseProcStat(fixture('edge-rack', 'proc/stat'));
    expect(stat.cores).toHaveLength(4);
    expect(stat.cores[3]!.times.user).toBe(100000);
    expect(stat.bootTime).toBe(1795600000);
  });

  it('counts iowait as idle when computing busy share', () => {
    const before = parseProcStat('cpu 100 0 100 800 0 0 0 0\n').total!;
    const after = parseProcStat('cpu 150 0 150 850 50 0 0 0\n').total!;
    // 200 jiffies elapsed: 100 busy (user+system), 100 idle+iowait
    expect(cpuBusyPct(before, after)).toBeCloseTo(50, 5);
  });

  it('reads zero busy when no time elapsed instead of dividing by zero', () => {
    const t = parseProcStat('cpu 1 2 3 4 5 6 7 8\n').total!;
    expect(cpuBusyPct(t, t)).toBe(0);
  });

  it('skips malformed cpu lines', () => {
    expect(parseProcStat('cpu0 a b c d\ncpu1 1 2 3 4\n').cores.map((c) => c.cpu)).toEqual(['cpu1']);
  });
});

describe('/proc/meminfo', () => {
  it('converts kB values to bytes and keeps unitless counts as they are', () => {
    const m = parseMeminfo(fixture('edge-rack', 'proc/meminfo'));
    expect(m.get('MemTotal')).toBe(8000000 * 1024);
    expect(m.get('MemAvailable')).toBe(400000 * 1024);
    expect(m.get('HugePages_Total')).toBe(0);
  });

  it('has no MemAvailable on the container fixture (old kernel)', () => {
    expect(parseMeminfo(fixture('container', 'proc/meminfo')).has('MemAvailable')).toBe(false);
  });
});

describe('loadavg, uptime, cpuinfo', () => {
  it('reads the three load averages', () => {
    expect(parseLoadavg(fixture('edge-rack', 'proc/loadavg'))).toEqual([3.52, 2.1, 1.05]);
  });
  it('reads garbage as zero load rather than NaN', () => {
    expect(parseLoadavg('x y')).toEqual([0, 0, 0]);
  });
  it('reads uptime seconds', () => {
    expect(parseUptime(fixture('edge-rack', 'proc/uptime'))).toBeCloseTo(104123.45);
  });
  it('reads one frequency per processor from the recorded cpuinfo', () => {
    const mhz = parseCpuinfoMhz(fixture('vm-no-sensors', 'proc/cpuinfo'));
    expect(mhz).toHaveLength(2);
    expect(mhz[0]).toBeGreaterThan(100);
  });
});

describe('/proc/diskstats', () => {
  const blockDevices = new Set(['nvme0n1', 'sda', 'sdb', 'mmcblk0', 'loop0', 'dm-0', 'sr0']);
  const disks = parseDiskstats(fixture('edge-rack', 'proc/diskstats'));

  it('reads sectors as 512-byte units', () => {
    const sda = disks.find((d) => d.name === 'sda')!;
    expect(sda.readBytes).toBe(4000 * 512);
    expect(sda.writtenBytes).toBe(8000 * 512);
  });

  it('reports whole disks only: no partitions, loop devices or CD-ROMs', () => {
    const reported = disks.filter((d) => isReportedDisk(d.name, blockDevices)).map((d) => d.name);
    expect(reported).toEqual(['nvme0n1', 'sda', 'sdb', 'mmcblk0', 'dm-0']);
  });

  it('reports the virtio disk and zram of the recorded VM, not its eight loop devices', () => {
    const vm = parseDiskstats(fixture('vm-no-sensors', 'proc/diskstats'));
    const names = vm.filter((d) => isReportedDisk(d.name, new Set(['vda', 'zram0', 'loop0', 'loop1']))).map((d) => d.name);
    expect(names).toEqual(['vda', 'zram0']);
  });
});

describe('/proc/net/dev', () => {
  it('reads counters for every interface', () => {
    const net = parseNetDev(fixture('edge-rack', 'proc/net/dev'));
    expect(net.map((n) => n.name)).toEqual(['lo', 'eth0', 'eth1', 'wlan0', 'cni0', 'flannel.1', 'veth1a2b3c']);
    const eth0 = net.find((n) => n.name === 'eth0')!;
    expect(eth0).toMatchObject({ rxBytes: 9_000_000_000, rxErrors: 3, rxDropped: 12, txBytes: 1_200_000_000, txDropped: 1 });
  });

  it('reads the recorded VM', () => {
    expect(parseNetDev(fixture('vm-no-sensors', 'proc/net/dev')).map((n) => n.name)).toContain('eth0');
  });
});

describe('rates', () => {
  it('divides the counter difference by the elapsed seconds', () => {
    expect(ratePerSecond(1000, 3000, 2)).toBe(1000);
  });
  it('reads a counter that went backwards (reset) as zero, not a negative rate', () => {
    expect(ratePerSecond(5000, 10, 1)).toBe(0);
  });
});
