// /metrics against the real Prometheus linter (promtool from Debian's prometheus package): its only
// complaint may be node_exporter's own camelCase memory names, kept so node-mixin works unchanged.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, startHealthServer, waitFor, type HealthServer } from '../health-support/server.ts';

function promtool(text: string): { status: number | null; output: string } {
  const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.each([
  ['the recorded edge box', 'edge-rack'],
  ['the container fixture', 'container'],
  ['this machine', null],
])('GET /metrics on %s', (_name, machine) => {
  let server: HealthServer;
  let fixture: ReturnType<typeof copyFixture> | undefined;

  beforeAll(async () => {
    fixture = machine ? copyFixture(machine) : undefined;
    server = await startHealthServer(fixture ? { root: fixture.root } : {});
    await waitFor(() => server.health.sampler.fastTicks >= 2 && (server.health.sampler.latest?.filesystems.length ?? 0) > 0, 5000, 'samples');
  });
  afterAll(async () => {
    await server.close();
    fixture?.remove();
  });

  it('passes promtool check metrics but for node_exporter\'s camelCase memory names', async () => {
    const res = await server.fetch(`/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const lint = promtool(text);
    const complaints = lint.output.split('\n').filter((l) => l.trim() !== '');
    expect(complaints.length).toBeGreaterThan(0);
    expect(complaints.filter((l) => !/^node_memory_\w+ metric names should be written in 'snake_case' not 'camelCase'$/.test(l))).toEqual([]);
    // Without those families promtool has nothing to say at all.
    const rest = text.split('\n').filter((l) => !/^(# (HELP|TYPE) )?node_memory_/.test(l)).join('\n');
    expect(promtool(rest)).toEqual({ status: 0, output: '' });
  });

  it('exposes node, health, process and feed metrics', async () => {
    const text = await (await server.fetch(`/metrics`)).text();
    for (const name of ['node_cpu_seconds_total', 'node_load1', 'node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes', 'node_uname_info', 'node_time_seconds', 'node_filesystem_avail_bytes', 'node_network_receive_bytes_total', 'node_boot_time_seconds', 'outpost_health_status', 'outpost_health_history_bytes', 'outpost_feed_clients', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) {
      expect(text).toMatch(new RegExp(`^${name}(\\{| )`, 'm'));
    }
    // On the real node, uname comes from /proc/sys/kernel with uname(2)'s machine name (x86_64, aarch64).
    if (machine === null) expect(text).toMatch(new RegExp(`^node_uname_info\\{sysname="Linux",release="${os.release().replace(/\./g, '\\.')}",version="[^"]*",machine="${os.machine()}",`, 'm'));
  });
});

describe('GET /metrics values', () => {
  let server: HealthServer;
  let fixture: ReturnType<typeof copyFixture>;
  beforeAll(async () => {
    fixture = copyFixture('edge-rack');
    server = await startHealthServer({ root: fixture.root });
    await waitFor(() => (server.health.sampler.latest?.sensors.length ?? 0) > 0 && (server.health.sampler.latest?.filesystems.length ?? 0) > 0, 5000, 'samples');
    await waitFor(() => server.health.snapshot().evaluation.status === 'critical', 5000, 'evaluation');
  });
  afterAll(async () => {
    await server.close();
    fixture.remove();
  });

  it('carries the fixture values under node_exporter names and labels', async () => {
    const text = await (await server.fetch(`/metrics`)).text();
    expect(text).toContain('node_cpu_seconds_total{cpu="3",mode="user"} 1000');
    expect(text).toContain('node_filesystem_avail_bytes{device="/dev/sdb1",fstype="ext4",mountpoint="/data"} 550000000000');
    expect(text).toContain('node_filesystem_size_bytes{device="/dev/mmcblk0p1",fstype="vfat",mountpoint="/mnt/usb stick"}');
    expect(text).toContain('node_network_receive_bytes_total{device="eth0"} 9000000000');
    expect(text).toContain('node_hwmon_temp_celsius{chip="coretemp",sensor="temp2"} 96');
    expect(text).toContain('node_thermal_zone_temp{zone="1",type="x86_pkg_temp"} 53');
    expect(text).toContain('node_disk_read_bytes_total{device="sda"}');
    expect(text).not.toContain('node_disk_read_bytes_total{device="loop0"}');
    expect(text).toContain('outpost_health_status{status="critical"} 1');
    expect(text).toMatch(/outpost_health_transitions_total\{to="critical"\} [1-9]/);
    expect(text).toContain('node_timex_sync_status 1');
    expect(text).toContain(`node_memory_MemAvailable_bytes ${400000 * 1024}`);
    expect(text).toContain(`node_memory_MemTotal_bytes ${8000000 * 1024}`);
    expect(text).toContain('node_memory_HugePages_Total 0');
    expect(text).toContain('node_memory_Hugepagesize_bytes 2097152');
    expect(text).toContain('node_cpu_seconds_total{cpu="0",mode="iowait"}');
    // The fixture tree has no /proc/sys/kernel: uname comes from the identity, in uname(2)'s words.
    expect(text).toContain('node_uname_info{sysname="Linux",release="6.1.0-test",version="",machine="x86_64",nodename="edge-test-01",domainname="(none)"} 1');
  });

  it('reports the scrape time as node_time_seconds, not the time of the last sample', async () => {
    const before = Date.now() / 1000;
    const text = await (await server.fetch(`/metrics`)).text();
    const value = Number(/^node_time_seconds (\S+)$/m.exec(text)?.[1]);
    expect(value).toBeGreaterThanOrEqual(before);
    expect(value).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('marks /metrics as accepting the scrape token, and the API as viewer-only', () => {
    const routes = server.health.routes();
    expect(routes.find((r) => r.path === '/metrics')).toMatchObject({ policy: 'viewer', scrapeToken: true });
    expect(routes.find((r) => r.path === '/api/v1/health')).toMatchObject({ policy: 'viewer' });
    expect(routes.find((r) => r.path === '/api/v1/identify')).toMatchObject({ method: 'POST', policy: 'operator' });
  });
});
