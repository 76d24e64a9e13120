// The whole sampler (reader, parsers, tiers, evaluation) over each recorded machine.
import { afterEach, describe, expect, it } from 'vitest';
import { FeedHub } from '../../daemon/src/feed/index.ts';
import { createHealth, type Health, type StatfsResult } from '../../daemon/src/health/index.ts';
import { createLogger } from '../../daemon/src/lib/logger.ts';
import { copyFixture, TEST_CLOCK, TEST_IDENTITY, waitFor } from '../health-support/server.ts';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

let stop: (() => void) | undefined;
afterEach(() => stop?.());

async function sampleMachine(machine: string): Promise<Health> {
  const fixture = copyFixture(machine);
  const statfsFile = path.join(fixture.root, 'statfs.json');
  const table = existsSync(statfsFile) ? (JSON.parse(readFileSync(statfsFile, 'utf8')) as Record<string, StatfsResult>) : {};
  const health = createHealth({
    hub: new FeedHub({ replayEvents: 8 }),
    log: createLogger('silent'),
    root: fixture.root,
    statfs: async (mount) => table[mount] ?? { sizeBytes: 100, freeBytes: 50, availBytes: 50, inodesTotal: 10, inodesFree: 5 },
    identity: async () => TEST_IDENTITY,
    clock: async () => TEST_CLOCK,
    tiers: { fastMs: 50, mediumMs: 200, slowMs: 1000 },
    processMetrics: false,
  });
  health.start();
  stop = () => {
    health.stop();
    fixture.remove();
  };
  await waitFor(() => health.sampler.fastTicks >= 3 && (health.sampler.latest?.filesystems.length ?? 0) > 0, 5000, `samples of ${machine}`);
  return health;
}

describe('sampling recorded machines', () => {
  it('reports no sensors and no temperature series on the recorded VM', async () => {
    const health = await sampleMachine('vm-no-sensors');
    const s = health.sampler.latest!;
    expect(s.sensors).toEqual([]);
    expect(health.topic.state.recent.series.tempMax.every((v) => v === null)).toBe(true);
    expect(s.filesystems.map((f) => f.mount)).toEqual(['/']);
    expect(s.cpu.freqMhz).toHaveLength(2);
    expect(s.interfaces.find((i) => i.name === 'lo')!.loopback).toBe(true);
  });

  it('shows only IPv6 addresses on the IPv6-only machine', async () => {
    const health = await sampleMachine('ipv6-only');
    const eth0 = health.sampler.latest!.interfaces.find((i) => i.name === 'eth0')!;
    expect(eth0.addresses).toEqual(['2001:db8::10/64', 'fe80::211:22ff:fe33:4455/64']);
    expect(eth0).toMatchObject({ state: 'up', speedMbps: 100 });
  });

  it('copes with a container: overlay root, no /sys/block, no /sys/class/net, old meminfo', async () => {
    const health = await sampleMachine('container');
    const s = health.sampler.latest!;
    expect(s.filesystems.map((f) => f.mount)).toEqual(['/', '/var/lib/outpost']);
    expect(s.disks).toEqual([]);
    expect(s.interfaces.map((i) => [i.name, i.state, i.addresses])).toEqual([
      ['lo', 'unknown', ['127.0.0.1/8']],
      ['eth0', 'unknown', ['10.42.0.17/24']],
    ]);
    expect(s.memory.availableBytes).toBe((512000 + 10240 + 102400) * 1024);
    expect(s.cpu.freqMhz).toBeNull();
    expect(health.topic.state.cluster).toBeNull();
  });

  it('evaluates the edge box without a cluster and never blames Kubernetes', async () => {
    const health = await sampleMachine('edge-rack');
    await waitFor(() => health.topic.state.evaluation.status === 'critical', 3000, 'evaluation');
    expect(health.topic.state.evaluation.reasons.some((r) => r.kind === 'cluster')).toBe(false);
  });
});
