// The health capability over HTTP, reading a recorded edge box from test/fixtures/proc/edge-rack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthHistory, HealthSnapshot } from '../../daemon/src/protocol/health.ts';
import { copyFixture, startHealthServer, waitFor, TEST_IDENTITY, type HealthServer } from '../health-support/server.ts';

let server: HealthServer;
let fixture: ReturnType<typeof copyFixture>;

beforeAll(async () => {
  fixture = copyFixture('edge-rack');
  server = await startHealthServer({ root: fixture.root });
  await waitFor(() => (server.health.snapshot().sample?.filesystems.length ?? 0) > 0 && server.health.snapshot().sample?.identity !== null, 5000, 'medium and slow tiers');
  await waitFor(() => server.health.snapshot().evaluation.reasons.length > 0, 5000, 'an evaluation');
});
afterAll(async () => {
  await server?.close();
  fixture?.remove();
});

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await server.fetch(path);
  return { status: res.status, body: (await res.json()) as T };
}

describe('GET /api/v1/health', () => {
  it('answers the latest sample of every part of the node', async () => {
    const { status, body } = await getJson<HealthSnapshot>('/api/v1/health');
    expect(status).toBe(200);
    const s = body.sample!;
    expect(s.cpu.perCorePct).toHaveLength(4);
    expect(s.cpu.freqMhz).toEqual([1800, 1900, 2000, 2100]);
    expect(s.filesystems.map((f) => f.mount)).toEqual(['/', '/boot/efi', '/data', '/mnt/nfs', '/mnt/usb stick', '/opt/app', '/var']);
    expect(s.disks.map((d) => d.name)).toEqual(['nvme0n1', 'sda', 'sdb', 'mmcblk0', 'dm-0']);
    expect(s.interfaces.find((i) => i.name === 'eth0')).toMatchObject({ state: 'up', speedMbps: 1000, addresses: ['10.20.0.15/24', 'fe80::211:22ff:fe33:4455/64'] });
    expect(s.interfaces.find((i) => i.name === 'eth1')).toMatchObject({ state: 'down', speedMbps: null });
    expect(s.sensors.map((x) => x.id)).toEqual(['hwmon:coretemp/temp1', 'hwmon:coretemp/temp2', 'hwmon:coretemp/temp3', 'hwmon:nvme/temp1', 'hwmon:acpitz/temp1', 'thermal:thermal_zone1']);
    expect(s.bootTime).toBe(1795600000 * 1000);
    expect(s.identity).toEqual(TEST_IDENTITY);
    expect(s.memory.usedPct).toBe(95);
  });

  it('says why the node is unhealthy, worst first', async () => {
    const { body } = await getJson<HealthSnapshot>('/api/v1/health');
    expect(body.evaluation.status).toBe('critical');
    const messages = body.evaluation.reasons.map((r) => r.message);
    expect(messages[0]).toBe('/var inodes at 97 %');
    expect(messages).toEqual(
      expect.arrayContaining(['/var at 93 %', '/ at 92 %', 'memory 95 %', 'coretemp Core 0 at 96 °C (high 80 °C, critical 100 °C)']),
    );
    expect(body.transitions).toBeGreaterThanOrEqual(1);
  });

  it('reports the preallocated history memory', async () => {
    const { body } = await getJson<HealthSnapshot>('/api/v1/health');
    expect(body.history).toEqual({ series: 8, pointsPerSeries: { fine: 3600, coarse: 1440 }, bytes: expect.any(Number) });
    expect(body.history.bytes).toBeGreaterThan(150_000);
    expect(body.history.bytes).toBeLessThan(250_000);
  });
});

describe('GET /api/v1/health/history', () => {
  it('answers the key series at 1 s for the last hour', async () => {
    const { status, body } = await getJson<HealthHistory>('/api/v1/health/history?range=1h&series=cpu,memory');
    expect(status).toBe(200);
    expect(body.range).toBe('1h');
    expect(Object.keys(body.series)).toEqual(['cpu', 'memory']);
    expect(body.time.length).toBeGreaterThan(0);
    expect(body.series.memory!.every((v) => v === 95)).toBe(true);
  });

  it('refuses an unknown range or series with validation_failed and the field', async () => {
    const res = await server.fetch(`/api/v1/health/history?range=7d`);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors[0]!.path).toBe('range');
    const bad = await server.fetch(`/api/v1/health/history?series=cpu,bogus`);
    expect(((await bad.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/unknown series bogus/);
  });
});

describe('POST /api/v1/identify', () => {
  it('sets the flash deadline on the topic and clears it when the time is up', async () => {
    const res = await server.fetch(`/api/v1/identify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 1 }) });
    expect(res.status).toBe(200);
    const { until } = (await res.json()) as { until: number };
    expect(until).toBeGreaterThan(Date.now());
    expect(server.health.topic.state.identifyUntil).toBe(until);
    await waitFor(() => server.health.topic.state.identifyUntil === null, 3000, 'identify to end');
  });

  it('refuses more than five minutes of flashing and changes nothing', async () => {
    const res = await server.fetch(`/api/v1/identify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 3600 }) });
    expect(res.status).toBe(400);
    expect(server.health.topic.state.identifyUntil).toBeNull();
  });

  it('flashes for 30 s when the body is empty', async () => {
    const res = await server.fetch(`/api/v1/identify`, { method: 'POST' });
    const { until } = (await res.json()) as { until: number };
    expect(until - Date.now()).toBeGreaterThan(28_000);
    expect(until - Date.now()).toBeLessThanOrEqual(30_000);
  });
});

describe('cluster hook', () => {
  it('turns a NotReady node into a critical reason and back', async () => {
    server.health.setCluster({ nodeReady: false, reason: 'KubeletNotReady' });
    expect(server.health.snapshot().evaluation.reasons[0]!.message).toBe('node NotReady: KubeletNotReady');
    server.health.setCluster(null);
    expect(server.health.snapshot().evaluation.reasons.some((r) => r.kind === 'cluster')).toBe(false);
    expect(server.health.snapshot().cluster).toBeNull();
  });
});
