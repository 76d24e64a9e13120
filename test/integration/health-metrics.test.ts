// /metrics must pass the real Prometheus linter (promtool from Debian's prometheus package).
import { spawnSync } from 'node:child_process';
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

  it('passes promtool check metrics', async () => {
    const res = await server.fetch(`/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const lint = promtool(text);
    expect(lint.output).toBe('');
    expect(lint.status).toBe(0);
  });

  it('exposes node, health, process and feed metrics', async () => {
    const text = await (await server.fetch(`/metrics`)).text();
    for (const name of ['node_cpu_seconds_total', 'node_load1', 'outpost_memory_available_bytes', 'node_filesystem_avail_bytes', 'node_network_receive_bytes_total', 'node_boot_time_seconds', 'outpost_health_status', 'outpost_health_history_bytes', 'outpost_feed_clients', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) {
      expect(text).toMatch(new RegExp(`^${name}(\\{| )`, 'm'));
    }
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
  });

  it('marks /metrics as accepting the scrape token, and the API as viewer-only', () => {
    const routes = server.health.routes();
    expect(routes.find((r) => r.path === '/metrics')).toMatchObject({ policy: 'viewer', scrapeToken: true });
    expect(routes.find((r) => r.path === '/api/v1/health')).toMatchObject({ policy: 'viewer' });
    expect(routes.find((r) => r.path === '/api/v1/identify')).toMatchObject({ method: 'POST', policy: 'operator' });
  });
});
