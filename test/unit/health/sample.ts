// A plain, healthy sample that tests change one field at a time.
import type { HealthSample } from '../../../daemon/src/protocol/health.ts';

export function healthySample(overrides: Partial<HealthSample> = {}): HealthSample {
  return {
    time: 1_800_000_000_000,
    uptimeS: 1000,
    bootTime: 1_799_999_000_000,
    cpu: { totalPct: 10, perCorePct: [10, 10], load: [0.5, 0.4, 0.3], freqMhz: null },
    memory: { totalBytes: 8e9, availableBytes: 6e9, usedPct: 25, swapTotalBytes: 0, swapFreeBytes: 0 },
    disks: [],
    interfaces: [],
    filesystems: [{ mount: '/', device: '/dev/sda1', fstype: 'ext4', sizeBytes: 100e9, availBytes: 50e9, usedBytes: 50e9, usedPct: 50, inodesTotal: 1000, inodesFree: 900, readOnly: false }],
    sensors: [],
    clock: { synchronised: true, source: 'test', timezone: 'UTC', offsetMs: null },
    identity: null,
    ...overrides,
  };
}
