import { describe, expect, it } from 'vitest';
import { computeCpu, computeDisks, computeInterfaces, computeMemory, parseFast, seriesPoint } from '../../../daemon/src/health/compute.ts';
import { parseMeminfo } from '../../../daemon/src/health/parse-proc.ts';
import { fixture } from './fixture.ts';

const texts = (machine: string) => ({
  stat: fixture(machine, 'proc/stat'),
  meminfo: fixture(machine, 'proc/meminfo'),
  loadavg: fixture(machine, 'proc/loadavg'),
  uptime: fixture(machine, 'proc/uptime'),
  diskstats: fixture(machine, 'proc/diskstats'),
  netdev: fixture(machine, 'proc/net/dev'),
});

/** The same reading one second later with every counter advanced. */
function later(machine: string) {
  const t = texts(machine);
  return {
    ...t,
    stat: t.stat.replace(/^(cpu\d*)\s+(\d+) (\d+) (\d+) (\d+)/gm, (_m, cpu: string, u: string, n: string, s: string, i: string) => `${cpu} ${Number(u) + 30} ${n} ${Number(s) + 10} ${Number(i) + 60}`),
    netdev: t.netdev.replace(/eth0: (\d+)/, (_m, b: string) => `eth0: ${Number(b) + 125000}`),
    diskstats: t.diskstats.replace(/ sda (\d+) (\d+) (\d+)/, (_m, a: string, b: string, c: string) => ` sda ${a} ${b} ${Number(c) + 2048}`),
  };
}

describe('fast-tier computation', () => {
  const prev = parseFast(texts('edge-rack'), 0, 1_800_000_000_000);
  const cur = parseFast(later('edge-rack'), 1000, 1_800_000_001_000);

  it('computes total and per-core busy share from two readings', () => {
    const cpu = computeCpu(prev, cur, null);
    expect(cpu.totalPct).toBe(40); // 40 busy of 100 jiffies
    expect(cpu.perCorePct).toEqual([40, 40, 40, 40]);
    expect(cpu.load).toEqual([3.52, 2.1, 1.05]);
  });

  it('reports zero CPU for the very first reading instead of the since-boot average', () => {
    expect(computeCpu(null, cur, null).totalPct).toBe(0);
  });

  it('computes byte rates for disks and interfaces', () => {
    const disks = computeDisks(prev, cur, new Set(['sda', 'sdb']));
    expect(disks.find((d) => d.name === 'sda')!.readBps).toBe(2048 * 512);
    const ifs = computeInterfaces(prev, cur, new Map([['eth0', { state: 'up', speedMbps: 1000, loopback: false }]]), new Map([['eth0', ['10.20.0.15/24']]]));
    expect(ifs.find((i) => i.name === 'eth0')).toMatchObject({ rxBps: 125000, txBps: 0, state: 'up', speedMbps: 1000, addresses: ['10.20.0.15/24'], rxErrors: 3 });
  });

  it('estimates available memory on kernels without MemAvailable', () => {
    const m = computeMemory(parseMeminfo(fixture('container', 'proc/meminfo')));
    expect(m.availableBytes).toBe((512000 + 10240 + 102400) * 1024);
    expect(m.usedPct).toBeCloseTo(69.5, 1);
  });

  it('leaves loopback out of the network totals and has no temperature without sensors', () => {
    const cpu = computeCpu(prev, cur, null);
    const interfaces = [
      { name: 'lo', state: 'unknown', speedMbps: null, loopback: true, addresses: [], rxBps: 1e6, txBps: 1e6, rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0 },
      { name: 'eth0', state: 'up', speedMbps: null, loopback: false, addresses: [], rxBps: 10, txBps: 20, rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0 },
    ];
    const p = seriesPoint({ cpu, memory: computeMemory(cur.meminfo), interfaces, disks: [], sensors: [] });
    expect(p).toMatchObject({ netRx: 10, netTx: 20, tempMax: null, cpu: 40 });
  });
});
